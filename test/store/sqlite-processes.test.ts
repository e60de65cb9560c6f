import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { execution } from './make-records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function runChild(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'child-writer.ts'), ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
}

test('another process (the CLI) writes into the database the appliance holds open', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-proc-'));
  const appliance = openSqliteStore(dir);
  try {
    await appliance.commit([{ op: 'putExecution', value: execution('wf1', { status: 'running', endedAt: null }) }]);
    const child = runChild(dir, 'control', 'wf1');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(
      (await appliance.listControlRequests()).map((c) => [c.executionId, c.op]),
      [['wf1', 'cancel']],
    );
  } finally {
    await appliance.close();
  }
});

test('a commit survives kill -9 of the process that made it (synchronous=NORMAL, WAL)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-proc-'));
  const child = runChild(dir, 'crash', 'ex-crash');
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const reopened = openSqliteStore(dir);
  try {
    assert.equal((await reopened.getExecution('ex-crash'))?.status, 'running');
  } finally {
    await reopened.close();
  }
});
