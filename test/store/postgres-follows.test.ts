// A node of a cluster listens only to the notifications it acts on (openPostgresStore's
// follows): one that did not ask for work or executions at open starts to hear of them once it
// watches them, and one that asked hears of them from the start.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { execution } from './make-records.js';

const skip = postgresGuard();

async function until(done: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!done()) {
    assert.ok(Date.now() < end, `${what} not heard within 5 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PostgreSQL store: the notifications a node follows', { skip }, () => {
  let server: Postgres;
  const opened: PostgresStore[] = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const s of opened) await s.close();
    await server?.stop();
  });

  test('a node opened following neither work nor executions hears of them once it watches them', async () => {
    const url = await server.createDatabase('follows');
    const writer = await openPostgresStore(url);
    const quiet = await openPostgresStore(url, { work: false, executions: false });
    opened.push(writer, quiet);
    const work: string[] = [];
    const changed: string[] = [];
    quiet.workQueue.watch((what) => work.push(what));
    quiet.workQueue.watchExecutions((id) => changed.push(id));
    await quiet.caughtUp(); // the listening client's LISTENs went before this round trip
    await writer.commit([{ op: 'putExecution', value: execution('w1', { status: 'requested', owner: null }) }]);
    await writer.commit([{ op: 'putExecution', value: execution('w2', { status: 'running', owner: 'worker-1' }) }]);
    await until(() => work.includes('work') && changed.includes('w2'), 'work waiting and an execution started');
    assert.deepEqual(work, ['work']);
    assert.deepEqual(changed, ['w2']);
  });
});
