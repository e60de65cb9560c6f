// A second process on the same database, as the CLI would be. Usage:
//   child-writer.ts <dataDir> control <executionId>   add a cancel request and exit normally
//   child-writer.ts <dataDir> crash <executionId>     commit a running execution, then SIGKILL itself
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { execution } from './make-records.js';

const [dataDir, mode, executionId] = process.argv.slice(2);
const store = openSqliteStore(dataDir!);
if (mode === 'control') {
  await store.commit([{ op: 'addControlRequest', executionId: executionId!, control: 'cancel' }]);
  await store.close();
} else if (mode === 'crash') {
  await store.commit([{ op: 'putExecution', value: execution(executionId!, { status: 'running', endedAt: null }) }]);
  process.kill(process.pid, 'SIGKILL');
}
