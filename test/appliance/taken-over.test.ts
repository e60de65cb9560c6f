// A worker taken for dead (starved of CPU, or cut off from the database, for 15 s) while alive:
// its work is moved to another node, and it must not start, step or end any of it any more.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { heartbeatKeyOf } from '../../src/appliance/cluster-membership.js';
import { WorkClaims } from '../../src/appliance/work-claims.js';
import { silentLogger } from '../../src/core/log.js';
import { sharedStoreNode } from '../executions/shared-store-node.js';

const root = mkdtempSync(path.join(tmpdir(), 'nrx-fence-'));
const dataDir = path.join(root, 'data');
const packs = path.join(root, 'packs');
const marker = path.join(root, 'ran.log');
const stopped: Array<{ stop(): unknown }> = [];
after(async () => {
  for (const s of stopped.reverse()) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}
write(path.join(packs, 'fence', 'pack.yaml'), 'ref: fence\nname: fence\nversion: 0.1.0\n');
// not idempotent; one device at a time: the second waits for the first to end
write(
  path.join(packs, 'fence', 'actions', 'push.yaml'),
  `name: push
runner_type: module
entry_point: push.mjs
device_lock: { parameter: device, on_conflict: wait }
parameters:
  device: { type: string, required: true }
  tag: { type: string, required: true }
`,
);
write(
  path.join(packs, 'fence', 'actions', 'push.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function run(p) {
  appendFileSync(${JSON.stringify(marker)}, p.tag + '\\n');
  await new Promise((r) => setTimeout(r, 400));
  return { pushed: p.tag };
}
`,
);

async function node(name: string, runsExecutions: boolean): Promise<Appliance> {
  const a = await sharedStoreNode(dataDir, [packs], name, runsExecutions);
  stopped.push(a);
  return a;
}

test('a worker whose work was taken over starts none of it, and writes nothing over the new owner', async () => {
  const api = await node('api-1', false);
  const first = await api.engine.request('fence.push', { device: 'r1', tag: 'first' });
  const second = await api.engine.request('fence.push', { device: 'r1', tag: 'second' });
  const slow = await node('worker-slow', true);
  const claims = new WorkClaims({
    workQueue: slow.store.workQueue,
    engine: slow.engine,
    node: 'worker-slow',
    heartbeatOf: heartbeatKeyOf,
    capacity: 4,
    log: silentLogger,
    pollMs: 20,
    takeoverCheckMs: 60_000,
  });
  stopped.push(claims);
  await claims.start();
  // the first runs; the second waits on the first's device lock, claimed by this worker
  for (const end = Date.now() + 5_000; !existsSync(marker) && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await api.store.getExecution(second.id))?.owner, 'worker-slow');
  // worker-slow has no heartbeat in the store: another worker takes its work over now
  const moved = await api.store.workQueue.takeOver('worker-slow', heartbeatKeyOf('worker-slow'), 'worker-new', new Date());
  assert.equal(moved, 2);
  // the first ends on worker-slow (it was running), the lock frees, the second would start there
  await new Promise((r) => setTimeout(r, 1_000));
  assert.deepEqual(readFileSync(marker, 'utf8').split('\n').filter(Boolean), ['first'], 'the second never started on the node taken for dead');
  const [f, s] = await Promise.all([api.store.getExecution(first.id), api.store.getExecution(second.id)]);
  // what the new owner found stays as it found it: the first running (its recovery abandons it, it is not idempotent), the second not started
  assert.equal(f?.owner, 'worker-new');
  assert.equal(f?.status, 'running', 'the end of the first is not written over the new owner');
  assert.equal(s?.owner, 'worker-new');
  assert.ok(!['running', 'succeeded'].includes(s!.status), `the second is not started: ${s!.status}`);
  assert.equal(slow.engine.holds(first.id) || slow.engine.holds(second.id), false, 'forgotten on the node taken for dead');
});
