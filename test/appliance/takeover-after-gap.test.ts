// A worker takes over a dead node's work only when it has itself been writing its heartbeat
// without a gap for as long as a heartbeat lasts: after the store was unreachable, every node's
// heartbeat may have run out while the nodes lived on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { ClusterMembership, heartbeatKeyOf, NODE_DEAD_AFTER_MS } from '../../src/appliance/cluster-membership.js';
import { WorkClaims } from '../../src/appliance/work-claims.js';
import { silentLogger } from '../../src/core/log.js';
import type { KeyValueRepository } from '../../src/store/repositories/key-values.js';
import { sharedStoreNode } from '../executions/shared-store-node.js';

const root = mkdtempSync(path.join(tmpdir(), 'nrx-gap-'));
const open: Appliance[] = [];
const claims: WorkClaims[] = [];
after(async () => {
  for (const c of claims) c.stop();
  for (const a of open) await a.stop();
  rmSync(root, { recursive: true, force: true });
});

async function node(dataDir: string, name: string, runsExecutions: boolean): Promise<Appliance> {
  const a = await sharedStoreNode(dataDir, [], name, runsExecutions);
  open.push(a);
  return a;
}

test("a dead node's work waits for a taker that has watched for a heartbeat's length, then moves to it", async () => {
  const dataDir = path.join(root, 'shared');
  const recorder = await node(dataDir, 'api-1', false);
  const rec = await recorder.engine.request('core.noop', {});
  // a worker claimed it and died: no heartbeat of 'worker-dead' is in the store
  assert.equal((await recorder.store.workQueue.claim('worker-dead', 1)).length, 1);
  const taker = await node(dataDir, 'worker-live', true);
  let watched = 1_000;
  const c = new WorkClaims({
    workQueue: taker.store.workQueue,
    engine: taker.engine,
    node: 'worker-live',
    heartbeatOf: heartbeatKeyOf,
    beatingFor: () => watched,
    capacity: 4,
    log: silentLogger,
    pollMs: 50,
    takeoverCheckMs: 50,
  });
  claims.push(c);
  const started = await c.start();
  assert.equal(started.takenOver, 0, 'just back from a gap: not taken over at start');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await taker.store.getExecution(rec.id))!.owner, 'worker-dead', 'nor at the next checks');
  watched = NODE_DEAD_AFTER_MS;
  for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    const now = await taker.store.getExecution(rec.id);
    if (now?.status === 'succeeded') break;
  }
  const done = (await taker.store.getExecution(rec.id))!;
  assert.equal(done.owner, 'worker-live');
  assert.equal(done.status, 'succeeded');
  assert.equal(c.counts.takenOver, 1);
});

/** A key-value store whose writes the test answers: at once, late, or with a failure. */
function kvAnswering(answer: () => Promise<void>): KeyValueRepository {
  return { put: () => answer() } as unknown as KeyValueRepository;
}

test('a node has been beating for as long as its heartbeats were written without a gap; a failure or a late write starts over', async () => {
  let answer: () => Promise<void> = async () => {};
  const m = new ClusterMembership(
    kvAnswering(() => answer()),
    { name: 'w1', roles: ['worker'] },
    () => false,
    100,
  );
  assert.equal(m.beatingFor(), 0, 'no heartbeat written yet');
  await m.beatNow();
  await new Promise((r) => setTimeout(r, 150));
  await m.beatNow();
  assert.ok(m.beatingFor() >= 140, `beating for ${m.beatingFor()} ms`);
  answer = async () => {
    throw new Error('connect ECONNREFUSED');
  };
  await m.beatNow();
  assert.equal(m.beatingFor(), 0, 'a failed write is a gap');
  answer = async () => {};
  await m.beatNow();
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(m.beatingFor() >= 40 && m.beatingFor() < 140, `counted again from the write after the gap: ${m.beatingFor()} ms`);
  // the store restarting: the write waits 300 ms (more than two heartbeats) and then lands
  answer = () => new Promise((r) => setTimeout(r, 300));
  await m.beatNow();
  assert.ok(m.beatingFor() < 50, `a late write is a gap too: ${m.beatingFor()} ms`);
});
