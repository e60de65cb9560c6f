// A notified execution is claimed at once by the one worker its id hashes to (rendezvous
// hashing over the live workers); the other workers look only CLAIM_FALLBACK_MS later, in case
// that one could not take it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CLAIM_FALLBACK_MS, firstClaimer, WorkClaims } from '../../src/appliance/work-claims.js';
import { silentLogger } from '../../src/core/log.js';
import type { WorkQueueRepository } from '../../src/store/repositories/work-queue.js';

const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), { minLength: 1, maxLength: 12 });

test('every worker seeing the same live workers names the same first claimer, one of them', () => {
  fc.assert(
    fc.property(fc.string(), names, fc.nat(), (id, workers, seed) => {
      const first = firstClaimer(id, workers);
      assert.ok(first !== null && workers.includes(first));
      const shuffled = [...workers].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7));
      assert.equal(firstClaimer(id, shuffled), first, 'the order the list was read in does not matter');
    }),
  );
  assert.equal(firstClaimer('x', []), null);
});

test('a worker leaving moves only its own share: the others keep the executions they were first for', () => {
  fc.assert(
    fc.property(fc.string(), names, fc.nat(), (id, workers, pick) => {
      const first = firstClaimer(id, workers)!;
      const gone = workers[pick % workers.length]!;
      if (gone === first) return;
      assert.equal(
        firstClaimer(
          id,
          workers.filter((w) => w !== gone),
        ),
        first,
      );
    }),
  );
});

test('the shares of four workers are even within a few percent over 4,000 ids', () => {
  const workers = ['worker-1', 'worker-2', 'worker-3', 'worker-4'];
  const count = new Map<string, number>();
  for (let i = 0; i < 4_000; i++) {
    const w = firstClaimer(`01J${i.toString(36).padStart(8, '0')}`, workers)!;
    count.set(w, (count.get(w) ?? 0) + 1);
  }
  for (const w of workers) assert.ok(Math.abs((count.get(w) ?? 0) - 1_000) < 120, `${w}: ${count.get(w)}`);
});

/** A worker with a work queue that records its claims and lets the test notify it. */
async function worker(node: string, workers: string[]) {
  const claims: number[] = [];
  let notify: (what: 'work' | 'locks' | 'slots', id: string) => void = () => {};
  let announce: (id: string) => void = () => {};
  let announcementsStopped = false;
  const queue = {
    adoptOrphans: async () => 0,
    unfinishedOf: async () => [],
    ownersOtherThan: async () => [],
    releaseLocksExcept: async () => {},
    watch: (f: typeof notify) => void (notify = f),
    claim: async () => {
      claims.push(Date.now());
      return [];
    },
  } as unknown as WorkQueueRepository;
  const engine = { adopt: async () => {}, recover: async () => ({ resumed: 0, rerun: 0, abandoned: 0 }), rootCount: 0, heldDeviceLocks: () => [] };
  const c = new WorkClaims({
    workQueue: queue,
    engine,
    node,
    heartbeatOf: (n) => ({ scope: 'cluster', key: `node/${n}` }),
    capacity: 4,
    log: silentLogger,
    pollMs: 60_000,
    takeoverCheckMs: 60_000,
    liveWorkers: async () => workers,
    announced: {
      watchWork: async (f) => {
        announce = f;
        return { stop: async () => void (announcementsStopped = true) };
      },
    },
  });
  await c.start();
  await new Promise((r) => setTimeout(r, 20));
  claims.length = 0; // the claim at start
  return { c, claims, engine, notify: (id: string) => notify('work', id), announce: (id: string) => announce(id), stopped: () => announcementsStopped };
}

test('the first claimer claims a notified execution at once, another worker only after the fallback pause', async () => {
  const workers = ['worker-a', 'worker-b'];
  let id = 0;
  const idFor = (w: string): string => {
    while (firstClaimer(`e${id}`, workers) !== w) id++;
    return `e${id++}`;
  };
  const a = await worker('worker-a', workers);
  try {
    const at = Date.now();
    a.notify(idFor('worker-a'));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(a.claims.length, 1, 'its own: claimed at once');
    a.claims.length = 0;
    // three executions the other worker is first for, notified together: one look after the pause
    for (let i = 0; i < 3; i++) a.notify(idFor('worker-b'));
    await new Promise((r) => setTimeout(r, CLAIM_FALLBACK_MS / 2));
    assert.equal(a.claims.length, 0, "the other worker's: left to it for now");
    await new Promise((r) => setTimeout(r, CLAIM_FALLBACK_MS));
    assert.equal(a.claims.length, 1, 'then looked at once, for all three');
    assert.ok(a.claims[0]! - at >= CLAIM_FALLBACK_MS);
    // a notification that names no execution (an older node's) is claimed at once, as before
    a.claims.length = 0;
    a.notify('');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(a.claims.length, 1);
  } finally {
    a.c.stop();
  }
});

test('a worker that does not find itself among the live workers (not read yet) claims at once', async () => {
  const w = await worker('worker-new', ['worker-a', 'worker-b']);
  try {
    w.notify('e1');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 1);
  } finally {
    w.c.stop();
  }
});

test('an execution ending frees room: the worker looks for work only if it had been full', async () => {
  const w = await worker('worker-a', ['worker-a']);
  try {
    w.c.roomFreed();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 0, 'not full: what waits has been notified, nothing to look for');
    w.engine.rootCount = 4; // at capacity
    w.notify('e1');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 0, 'full: no claim');
    w.engine.rootCount = 3;
    w.c.roomFreed();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 1, 'room again: the execution notified while full is claimed');
    w.c.roomFreed();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 1, 'once');
  } finally {
    w.c.stop();
  }
});

test('work announced on the bus is claimed like work the store notifies; stopping ends the subscription', async () => {
  const w = await worker('worker-a', ['worker-a', 'worker-b']);
  try {
    let id = 0;
    while (firstClaimer(`e${id}`, ['worker-a', 'worker-b']) !== 'worker-a') id++;
    w.announce(`e${id}`);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.claims.length, 1, 'its own: claimed at once');
  } finally {
    w.c.stop();
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(w.stopped(), true);
});
