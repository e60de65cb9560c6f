// Executions placed on worker nodes (src/executions/ownership.ts, src/appliance/work-claims.ts),
// in one process: three appliances on one SQLite file stand for a node that only records
// executions and two workers. The same paths run between processes on PostgreSQL in
// test/cluster/workers.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { WorkClaims } from '../../src/appliance/work-claims.js';
import { heartbeatKeyOf } from '../../src/appliance/cluster-membership.js';
import { silentLogger } from '../../src/core/log.js';
import type { ExecutionRecord } from '../../src/store/records.js';
import { sharedStoreNode } from './shared-store-node.js';

const root = mkdtempSync(path.join(tmpdir(), 'nrx-own-'));
const dataDir = path.join(root, 'data');
const packs = path.join(root, 'packs');
const open: Appliance[] = [];
const claims: WorkClaims[] = [];
after(async () => {
  for (const c of claims) c.stop();
  for (const a of open) await a.stop();
  rmSync(root, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
write(path.join(packs, 'lab', 'pack.yaml'), 'ref: lab\nname: lab\nversion: 0.1.0\n');
write(
  path.join(packs, 'lab', 'actions', 'change.yaml'),
  `name: change
runner_type: module
entry_point: change.mjs
device_lock: { parameter: device, on_conflict: wait }
parameters:
  device: { type: string, required: true }
  marker: { type: string, required: true }
  tag: { type: string, required: true }
  token: { type: string, secret: true, default: none }
`,
);
// appends "start|end <tag> <token> <ms>" around a 300 ms pause
write(
  path.join(packs, 'lab', 'actions', 'change.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function run(p) {
  appendFileSync(p.marker, \`start \${p.tag} \${p.token} \${Date.now()}\\n\`);
  await new Promise((r) => setTimeout(r, 300));
  appendFileSync(p.marker, \`end \${p.tag} \${p.token} \${Date.now()}\\n\`);
  return { done: p.tag };
}
`,
);

async function node(name: string, runsExecutions: boolean): Promise<Appliance> {
  const a = await sharedStoreNode(dataDir, [packs], name, runsExecutions);
  open.push(a);
  const store = a.store;
  if (runsExecutions) {
    const c = new WorkClaims({
      workQueue: store.workQueue,
      engine: a.engine,
      node: name,
      heartbeatOf: heartbeatKeyOf,
      capacity: 1,
      log: silentLogger,
      pollMs: 50,
    });
    claims.push(c);
    await c.start();
  }
  return a;
}

const ended = async (a: Appliance, id: string): Promise<ExecutionRecord> => {
  for (;;) {
    const r = await a.store.getExecution(id);
    if (r && ['succeeded', 'failed', 'canceled', 'abandoned', 'timeout'].includes(r.status)) return r;
    await new Promise((res) => setTimeout(res, 25));
  }
};

test('a node without the worker role records executions for the workers: each claimed once, run with its secret, under a device lock held across workers', async () => {
  const api = await node('api-1', false);
  const marker = path.join(root, 'marks.log');
  // recorded with no owner before any worker runs: nothing starts
  const first = await api.engine.request('lab.change', { device: 'r1', marker, tag: 'first', token: 's3cret-1' });
  const second = await api.engine.request('lab.change', { device: 'r1', marker, tag: 'second', token: 's3cret-1' });
  assert.equal(first.status, 'requested');
  assert.equal(first.owner, undefined);
  assert.equal((await api.store.getExecution(first.id))!.parameters.token, '********');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(existsSync(marker), false, 'nothing runs on a node without the worker role');
  // two workers of capacity 1: one each
  await Promise.all([node('worker-a', true), node('worker-b', true)]);
  const [a, b] = await Promise.all([ended(api, first.id), ended(api, second.id)]);
  assert.deepEqual([a.status, b.status], ['succeeded', 'succeeded']);
  assert.deepEqual([a.owner, b.owner].sort(), ['worker-a', 'worker-b']);
  const lines = readFileSync(marker, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(0, 3).join(' ')),
    [
      `start ${lines[0]!.split(' ')[1]} s3cret-1`,
      `end ${lines[0]!.split(' ')[1]} s3cret-1`,
      `start ${lines[2]!.split(' ')[1]} s3cret-1`,
      `end ${lines[2]!.split(' ')[1]} s3cret-1`,
    ],
    'one change after the other, each with its secret',
  );
  const waited = [a, b].find((x) => x.log.some((l) => l.startsWith('waiting: device lock device:r1 is held by workflow')));
  assert.ok(waited, [...a.log, ...b.log].join('\n'));
  assert.deepEqual(await api.store.workQueue.listDeviceLocks(), []);
});

test('a cancel on the node that recorded it takes an execution no worker has taken yet', async () => {
  // the workers stop claiming: the execution waits for one
  for (const c of claims) c.stop();
  const api = await node('api-2', false);
  const marker = path.join(root, 'cancel.log');
  const rec = await api.engine.request('lab.change', { device: 'r9', marker, tag: 'never' });
  const canceled = await api.engine.cancel(rec.id);
  assert.equal(canceled.status, 'canceled');
  assert.equal((await api.store.getExecution(rec.id))!.status, 'canceled');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(existsSync(marker), false, 'no worker ran it');
});
