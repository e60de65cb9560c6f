// Rules, API and workers as separate `netreflex serve` processes on one real PostgreSQL 15 started
// here: a rules-only node, an API-only node and two worker nodes. Executions requested on the API
// or rules node are claimed by the workers (each once, over both); a workflow's device lock held
// on one worker makes the workflow on the other wait; a cancel through the API node stops the
// action on its worker; a worker killed mid-task (SIGKILL) has its work taken over by the other:
// the idempotent action re-run, the non-idempotent one abandoned, none run twice, all ended.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { postgresGuard } from '../lab/postgres.js';
import type { ApiCall } from '../api/bearer-call.js';
import type { ServeNode } from './serve-node.js';
import { PgNodeSet } from './pg-node-set.js';

const skip = postgresGuard();
const ADMIN_PASSWORD = 'workers-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/worker-packs');

interface Execution {
  id: string;
  action: string;
  status: string;
  owner?: string;
  parentId: string | null;
  rootId: string;
  log: string[];
  context: { ruleRef?: string };
  error: { code: string } | null;
}

describe('distributed mode: rules, API and worker nodes on PostgreSQL', { skip, timeout: 400_000 }, () => {
  let set: PgNodeSet;
  let nodes: PgNodeSet['nodes'];
  let db: pg.Client;
  let marks = '';
  let token = '';
  const start = (name: string, role: string, extra: string[] = []): Promise<ServeNode> => set.start(name, role, extra);
  const worker = (name: string, capacity: number): Promise<ServeNode> => start(name, 'worker', ['--worker-capacity', String(capacity)]);
  const api: ApiCall = (method, p, body) => set.api(method, p, body);
  const run = (action: string, parameters: Record<string, unknown>): Promise<Execution> => api<Execution>('POST', '/api/v1/executions', { action, parameters });
  const get = (id: string): Promise<Execution> => api<Execution>('GET', `/api/v1/executions/${id}`);
  const children = async (id: string): Promise<Execution[]> => (await api<{ children: Execution[] }>('GET', `/api/v1/executions/${id}`)).children;
  const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const ended = (s: string): boolean => ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'].includes(s);
  const until = (what: string, cond: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> => set.until(what, cond, ms);
  const allEnded = (ids: string[]) => async () => (await Promise.all(ids.map(get))).every((e) => ended(e.status));

  before(async () => {
    set = await PgNodeSet.open({ prefix: 'nrx-workers-', database: 'workers', packs: PACKS, adminPassword: ADMIN_PASSWORD });
    ({ nodes, db, marks, token } = set);
    await Promise.all([start('rules-1', 'rules'), worker('worker-a', 1), worker('worker-b', 1)]);
  });
  after(async () => {
    await set?.stop();
  });

  test('each node says what it does; rules and API nodes run nothing themselves', () => {
    assert.match(nodes.get('api-1')!.said(), /roles api: executions are recorded for the worker nodes to run/);
    assert.match(nodes.get('rules-1')!.said(), /roles rules: executions are recorded for the worker nodes to run/);
    assert.match(nodes.get('worker-a')!.said(), /worker worker-a: resumed 0 executions .*claiming up to 1 at once/);
    assert.equal(nodes.get('worker-a')!.url, null, 'a worker node serves no API');
  });

  test('executions requested through the API node are claimed by both workers, each once, and secret parameters reach them sealed', async () => {
    const marker = path.join(marks, 'spread.log');
    const secret = 'tok-3f9a-secret';
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await run('workertest.mark', { marker, tag: `spread${i}`, seconds: 2, token: secret })).id);
    await until('all six ended', allEnded(ids));
    const done = await Promise.all(ids.map(get));
    assert.deepEqual(
      done.map((e) => e.status),
      ids.map(() => 'succeeded'),
    );
    assert.deepEqual(lines(marker).sort(), ids.map((_, i) => `spread${i} ${secret}`).sort(), 'each ran once, with its secret');
    const owners = new Set(done.map((e) => e.owner));
    assert.deepEqual([...owners].sort(), ['worker-a', 'worker-b'], 'a worker of capacity 1 leaves the rest to the other');
    // in the store the secret is masked, and its sealed copy is not the secret in clear
    const rows = await db.query<{ row: string }>('SELECT row_to_json(e)::text AS row FROM executions e WHERE id = ANY($1)', [ids]);
    assert.equal(rows.rows.length, 6);
    for (const r of rows.rows) {
      assert.ok(!r.row.includes(secret), 'no secret in clear in the store');
      assert.match(r.row, /"sealed_parameters":"[^"]+"/);
    }
  });

  test('an event through the rules node runs its rule action on a worker', async () => {
    const marker = path.join(marks, 'rule.log');
    await api('POST', '/api/v1/events', { type: 'workertest.poke', payload: { marker, tag: 'from-rule' } });
    let rec: Execution | undefined;
    await until('the rule action ended', async () => {
      rec = (await api<{ items: Execution[] }>('GET', '/api/v1/executions?action=workertest.mark&limit=50')).items.find(
        (e) => e.context.ruleRef === 'workertest.poke',
      );
      return rec !== undefined && ended(rec.status);
    });
    assert.equal(rec!.status, 'succeeded');
    assert.match(rec!.owner ?? '', /^worker-[ab]$/);
    assert.deepEqual(lines(marker), ['from-rule none']);
  });

  test("the API node's live stream shows the status changes of an execution a worker runs", async () => {
    const marker = path.join(marks, 'stream.log');
    const seen: Execution[] = [];
    const res = await fetch(`${nodes.get('api-1')!.url}/api/v1/stream?kinds=execution&action=workertest.mark`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += value;
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          const line = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)) as Execution);
        }
      }
    })().catch(() => {});
    const rec = await run('workertest.mark', { marker, tag: 'streamed', seconds: 3 });
    await until('the stream showed it succeed', () => seen.some((e) => e.id === rec.id && e.status === 'succeeded'), 30_000);
    await reader.cancel();
    await reading;
    const mine = seen.filter((e) => e.id === rec.id);
    assert.ok(
      mine.some((e) => e.status === 'running'),
      mine.map((e) => e.status).join(),
    );
    assert.match(mine.at(-1)!.owner ?? '', /^worker-[ab]$/);
  });

  test('a device lock held by a workflow on one worker makes the workflow on the other wait', async () => {
    const marker = path.join(marks, 'lock.log');
    const first = await run('workertest.change_device', { device: 'r1', marker, tag: 'first', seconds: 2 });
    await until('the first change started', () => lines(marker).length > 0);
    const second = await run('workertest.change_device', { device: 'r1', marker, tag: 'second', seconds: 1 });
    await until('both changes ended', allEnded([first.id, second.id]));
    const [a, b] = await Promise.all([get(first.id), get(second.id)]);
    assert.deepEqual([a.status, b.status], ['succeeded', 'succeeded']);
    assert.notEqual(a.owner, b.owner, 'one workflow per worker (capacity 1 each)');
    const at = (what: string): number =>
      Number(
        lines(marker)
          .find((l) => l.startsWith(what))!
          .split(' ')[2],
      );
    assert.deepEqual(
      lines(marker).map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['start first', 'end first', 'start second', 'end second'],
    );
    assert.ok(at('start second') >= at('end first'), 'the changes never overlap');
    const [task] = await children(second.id);
    assert.ok(
      task!.log.some((l) => l.includes(`waiting: device lock device:r1 is held by workflow ${first.id} on node ${a.owner}`)),
      task!.log.join('\n'),
    );
    assert.equal((await db.query('SELECT 1 FROM device_locks')).rows.length, 0, 'every lock freed');
  });

  test('a cancel through the API node stops the action on the worker that runs it', async () => {
    const marker = path.join(marks, 'cancel.log');
    const long = await run('workertest.mark', { marker, tag: 'long', seconds: 60 });
    await until('it runs', () => lines(marker).length > 0);
    const t0 = Date.now();
    await api('POST', `/api/v1/executions/${long.id}/cancel`);
    await until('it is canceled', async () => (await get(long.id)).status === 'canceled', 15_000);
    assert.ok(Date.now() - t0 < 10_000, 'stopped by its worker, not by the end of its sleep');
  });

  test('a worker killed mid-task: its work is taken over; the idempotent task re-run, the non-idempotent one abandoned, none twice', async () => {
    // all three on worker-b: worker-a is stopped while worker-b (room for four) claims them
    await nodes.get('worker-a')!.stop();
    await nodes.get('worker-b')!.stop();
    await worker('worker-b', 4);
    const marker = path.join(marks, 'kill.log');
    const idem = await run('workertest.mark', { marker, tag: 'idem', seconds: 4 });
    const once = await run('workertest.mark_once', { marker, tag: 'once', seconds: 4 });
    const flow = await run('workertest.two_steps', { marker, tag: 'flow', seconds: 4 });
    await until('the three tasks run', () => lines(marker).length === 3);
    for (const e of await Promise.all([idem, once, flow].map((x) => get(x.id)))) assert.equal(e.owner, 'worker-b');
    // killed while all three run (their tasks sleep); the other worker starts only afterwards
    await nodes.get('worker-b')!.kill();
    const killedAt = Date.now();
    await worker('worker-a', 4);
    await until('every execution ended', allEnded([idem.id, once.id, flow.id]), 90_000);
    const [i, o, f] = await Promise.all([idem, once, flow].map((x) => get(x.id)));
    assert.equal(i!.status, 'succeeded', 'the idempotent action ran again');
    assert.equal(o!.status, 'abandoned');
    assert.equal(o!.error?.code, 'NRX_ERR_ABANDONED');
    assert.equal(f!.status, 'succeeded', 'the workflow resumed: its in-flight idempotent task re-run, then the next');
    for (const e of [i!, o!, f!]) assert.equal(e.owner, 'worker-a');
    const count = (tag: string): number => lines(marker).filter((l) => l.split(' ')[0] === tag).length;
    assert.equal(count('once'), 1, 'the non-idempotent task never ran twice');
    assert.equal(count('idem'), 2);
    assert.equal(count('flow-first'), 2);
    assert.equal(count('flow-second'), 1);
    // the heartbeat lasts 15 s; the takeover follows within a few seconds of its expiry
    assert.ok(Date.now() - killedAt < 60_000);
  });
});
