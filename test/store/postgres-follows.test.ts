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

  test("a control request is heard by the other nodes; a node's heartbeat is not announced as a key change, other keys are", async () => {
    const url = await server.createDatabase('follows_control');
    const writer = await openPostgresStore(url);
    const reader = await openPostgresStore(url, { work: false, executions: false });
    opened.push(writer, reader);
    let controls = 0;
    assert.equal(
      reader.workQueue.watchControlRequests(() => controls++),
      true,
    );
    await reader.caughtUp();
    const at = new Date(Date.now() + 60_000).toISOString();
    const key = (scope: string, k: string) => ({ scope, key: k, value: 'v1', secret: false, expiresAt: at, updatedAt: new Date().toISOString() });
    await writer.kv.put(key('cluster', 'node/worker-9'));
    await writer.commit([{ op: 'addControlRequest', executionId: 'x1', control: 'cancel' }]);
    await writer.kv.put(key('system', 'site'));
    await until(() => controls === 1 && reader.kv.peek('system', 'site') !== null, 'the control request and the key');
    // notifications arrive in commit order: the heartbeat, written first, was never announced
    assert.equal(reader.kv.peek('cluster', 'node/worker-9'), null);
    assert.equal((await reader.kv.list('cluster', 'node/')).length, 1, 'the heartbeat is in the table');
  });

  test('a node that announces its executions elsewhere (the bus) has them announced once committed and does not notify them; a claim notifies nothing', async () => {
    const url = await server.createDatabase('follows_announced');
    const announcing = await openPostgresStore(url);
    const plain = await openPostgresStore(url);
    const api = await openPostgresStore(url, { work: false, executions: true });
    opened.push(announcing, plain, api);
    const announced: string[][] = [];
    const waiting: string[][] = [];
    assert.equal(announcing.workQueue.announceExecutionsBy({ changed: (ids) => announced.push(ids), waiting: (ids) => waiting.push(ids) }), true);
    const notified: string[] = [];
    const work: string[] = [];
    api.workQueue.watchExecutions((id) => notified.push(id));
    api.workQueue.watch((what, id) => void (what === 'work' && work.push(id)));
    await api.caughtUp();
    // recorded by an announcing rules node for a worker to claim: announced as waiting, not notified
    await announcing.commit([{ op: 'putExecution', value: execution('r1', { status: 'requested', owner: null }) }]);
    assert.deepEqual(waiting, [['r1']]);
    assert.deepEqual(announced, [['r1']]);
    announced.length = 0;
    await announcing.commit([
      { op: 'putExecution', value: execution('a1', { status: 'running', owner: 'worker-1' }) },
      { op: 'putExecution', value: execution('a2', { status: 'running', owner: 'worker-1', parentId: 'a1', rootId: 'a1' }) },
    ]);
    assert.deepEqual(announced, [['a1', 'a2']], 'announced with the commit, one call for the transaction');
    // waiting for a worker, then claimed by one: the claim is no status change to announce
    await plain.commit([{ op: 'putExecution', value: execution('p1', { status: 'requested', owner: null }) }]);
    assert.equal((await plain.workQueue.claim('worker-2', 1)).length, 1);
    await announcing.commit([{ op: 'putExecution', value: execution('a1', { status: 'succeeded', owner: 'worker-1' }) }]);
    await plain.commit([{ op: 'putExecution', value: execution('p1', { status: 'running', owner: 'worker-2' }) }]);
    await until(() => notified.includes('p1') && work.includes('p1'), "the plain node's writes");
    assert.deepEqual(notified, ['p1'], 'only the write of the node that does not announce, and not its claim');
    assert.deepEqual(work, ['p1'], "only the plain node's execution waiting for a worker");
    assert.deepEqual(announced.at(-1), ['a1']);
    assert.deepEqual(waiting, [['r1']], 'running executions do not wait for a worker');
  });
});
