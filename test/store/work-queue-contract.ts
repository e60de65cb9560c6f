// The work queue of several worker nodes on one store (src/store/repositories/work-queue.ts):
// claims, takeover of a dead node's work, device locks, concurrency slots. Part of the repository contract: it runs
// on SQLite and on a real PostgreSQL through contract.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecutionRecord } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { execution, keyValue } from './make-records.js';

interface Fresh {
  store: Store;
  openAnother(): Promise<Store>;
}

const waiting = (id: string, over: Partial<ExecutionRecord> = {}): ExecutionRecord =>
  execution(id, { status: 'requested', result: null, startedAt: null, endedAt: null, log: [], ...over });
const heartbeat = (node: string) => ({ scope: 'cluster', key: `node/${node}` });
const NOW = new Date('2030-01-01T00:00:10.000Z');

export function workQueueContract(backend: string, fresh: () => Promise<Fresh>): void {
  describe(`${backend} store: work queue of worker nodes`, () => {
    test('a batch with assertOwner is applied only while that node owns the execution; otherwise NRX_ERR_NOT_OWNER and nothing of it', async () => {
      const { store } = await fresh();
      await store.commit([{ op: 'putExecution', value: waiting('f1', { owner: 'worker-a' }) }]);
      await store.commit([
        { op: 'assertOwner', executionId: 'f1', node: 'worker-a' },
        { op: 'putExecution', value: waiting('f1', { owner: 'worker-a', status: 'running' }) },
      ]);
      assert.equal((await store.getExecution('f1'))!.status, 'running');
      // taken over: the old owner's next write is refused whole
      assert.equal(await store.workQueue.takeOver('worker-a', heartbeat('worker-a'), 'worker-b', NOW), 1);
      await assert.rejects(
        store.commit([
          { op: 'assertOwner', executionId: 'f1', node: 'worker-a' },
          { op: 'putExecution', value: waiting('f1', { owner: 'worker-a', status: 'succeeded' }) },
          { op: 'putExecution', value: waiting('f2-new', { owner: 'worker-a' }) },
        ]),
        (e: unknown) => (e as { code?: string }).code === 'NRX_ERR_NOT_OWNER' && /f1/.test((e as Error).message),
      );
      const f1 = (await store.getExecution('f1'))!;
      assert.deepEqual([f1.owner, f1.status], ['worker-b', 'running']);
      assert.equal(await store.getExecution('f2-new'), null);
      // a batch of another write in the same turn is not refused with it
      const [refused, kept] = await Promise.allSettled([
        store.commit([{ op: 'assertOwner', executionId: 'f1', node: 'worker-a' }]),
        store.commit([{ op: 'putExecution', value: waiting('f3') }]),
      ]);
      assert.equal(refused.status, 'rejected');
      assert.equal(kept.status, 'fulfilled');
      assert.ok(await store.getExecution('f3'));
    });

    test('root executions waiting for a worker are claimed oldest first, each by one of two handles claiming at once', async () => {
      const { store, openAnother } = await fresh();
      const other = await openAnother();
      const roots = ['e1', 'e2', 'e3', 'e4', 'e5'];
      await store.commit([
        ...roots.map((id) => ({ op: 'putExecution' as const, value: waiting(id) })),
        // not claimable: a workflow task, one already owned, one already running
        { op: 'putExecution', value: waiting('e6-child', { parentId: 'e1', rootId: 'e1' }) },
        { op: 'putExecution', value: waiting('e7-owned', { owner: 'worker-x' }) },
        { op: 'putExecution', value: waiting('e8-running', { status: 'running' }) },
      ]);
      const [a, b] = await Promise.all([store.workQueue.claim('worker-a', 3), other.workQueue.claim('worker-b', 3)]);
      const ids = (l: typeof a) => l.map((c) => c.record.id);
      assert.deepEqual([...ids(a), ...ids(b)].sort(), roots, 'every waiting root once, nothing else');
      assert.ok(a.length <= 3 && b.length <= 3);
      assert.deepEqual(ids(a), [...ids(a)].sort(), 'oldest first');
      for (const c of a) assert.equal(c.record.owner, 'worker-a');
      assert.deepEqual(await store.workQueue.claim('worker-c', 10), []);
      assert.equal((await store.getExecution('e1'))!.owner ?? null, a.some((c) => c.record.id === 'e1') ? 'worker-a' : 'worker-b');
      assert.equal((await store.getExecution('e6-child'))!.owner, undefined, 'a record nobody owns has no owner');
    });

    test('one waiting execution is claimed by id once (a cancel before any worker took it)', async () => {
      const { store } = await fresh();
      await store.commit([{ op: 'putExecution', value: waiting('c1') }]);
      assert.equal((await store.workQueue.claimOne('api-1', 'c1'))?.record.owner, 'api-1');
      assert.equal(await store.workQueue.claimOne('worker-a', 'c1'), null);
      assert.deepEqual(await store.workQueue.claim('worker-a', 5), []);
    });

    test('sealed parameters come with the claim and stay when the execution is written again', async () => {
      const { store } = await fresh();
      await store.commit([
        { op: 'putExecution', value: waiting('s1', { parameters: { device: 'leaf1', password: '********' } }) },
        { op: 'sealExecutionParameters', id: 's1', sealed: 'nrxs1:sealed-token' },
      ]);
      const [c] = await store.workQueue.claim('worker-a', 1);
      assert.equal(c!.sealedParameters, 'nrxs1:sealed-token');
      assert.deepEqual(c!.record.parameters, { device: 'leaf1', password: '********' });
      await store.commit([{ op: 'putExecution', value: { ...c!.record, status: 'running' } }]);
      const [again] = await store.workQueue.unfinishedOf('worker-a', heartbeat('worker-a'));
      assert.equal(again!.sealedParameters, 'nrxs1:sealed-token');
      assert.equal(again!.record.status, 'running');
    });

    test("a dead node's unfinished work and device locks move to one taker, only once its heartbeat has expired", async () => {
      const { store, openAnother } = await fresh();
      const other = await openAnother();
      await store.commit([
        { op: 'putExecution', value: waiting('w1', { status: 'running', owner: 'worker-dead', runner: 'orquesta' }) },
        { op: 'putExecution', value: waiting('w1-task', { status: 'running', owner: 'worker-dead', parentId: 'w1', rootId: 'w1' }) },
        { op: 'putExecution', value: execution('w0', { owner: 'worker-dead' }) },
        { op: 'putExecution', value: waiting('x1', { status: 'running', owner: 'worker-alive' }) },
        { op: 'kvPut', value: keyValue('cluster', 'node/worker-dead', { value: '{}', expiresAt: '2030-01-01T00:00:05.000Z' }) },
        { op: 'kvPut', value: keyValue('cluster', 'node/worker-alive', { value: '{}', expiresAt: '2030-01-01T00:00:20.000Z' }) },
      ]);
      assert.equal(await store.workQueue.lockDevices(['device:r1'], 'w1', 'worker-dead', NOW), null);
      assert.deepEqual(await store.workQueue.ownersOtherThan('worker-a'), ['worker-alive', 'worker-dead']);
      // before the heartbeat expired nothing moves
      assert.equal(await store.workQueue.takeOver('worker-dead', heartbeat('worker-dead'), 'worker-a', new Date('2030-01-01T00:00:04.000Z')), 0);
      assert.equal(await store.workQueue.takeOver('worker-alive', heartbeat('worker-alive'), 'worker-a', NOW), 0);
      const [a, b] = await Promise.all([
        store.workQueue.takeOver('worker-dead', heartbeat('worker-dead'), 'worker-a', NOW),
        other.workQueue.takeOver('worker-dead', heartbeat('worker-dead'), 'worker-b', NOW),
      ]);
      assert.deepEqual([a, b].sort(), [0, 2], 'the whole tree to one taker');
      const taker = a ? 'worker-a' : 'worker-b';
      assert.deepEqual(
        (await store.workQueue.unfinishedOf(taker, heartbeat(taker))).map((c) => c.record.id),
        ['w1', 'w1-task'],
      );
      assert.equal((await store.getExecution('w0'))!.owner, 'worker-dead', 'what ended keeps the node that ran it');
      assert.deepEqual(await store.workQueue.listDeviceLocks(), [{ key: 'device:r1', rootId: 'w1', node: taker }]);
      assert.deepEqual(await store.workQueue.ownersOtherThan(taker), ['worker-alive']);
    });

    test('unfinished work nobody owns (written before owners were recorded) goes to one node, roots waiting for a worker stay', async () => {
      const { store } = await fresh();
      await store.commit([
        { op: 'putExecution', value: waiting('o1', { status: 'running', runner: 'orquesta' }) },
        { op: 'putExecution', value: waiting('o1-task', { status: 'running', parentId: 'o1', rootId: 'o1' }) },
        { op: 'putExecution', value: execution('o0') },
        { op: 'putExecution', value: waiting('o2') },
      ]);
      assert.equal(await store.workQueue.adoptOrphans('worker-a'), 2);
      assert.equal(await store.workQueue.adoptOrphans('worker-b'), 0);
      assert.deepEqual(
        (await store.workQueue.unfinishedOf('worker-a', heartbeat('worker-a'))).map((c) => c.record.id),
        ['o1', 'o1-task'],
      );
      assert.equal((await store.getExecution('o0'))!.owner, undefined);
      assert.deepEqual(
        (await store.workQueue.claim('worker-b', 5)).map((c) => c.record.id),
        ['o2'],
      );
    });

    test('device locks: all or none per workflow, kept by the same workflow, taken from a workflow that has ended, freed by key', async () => {
      const { store, openAnother } = await fresh();
      const other = await openAnother();
      await store.commit([
        { op: 'putExecution', value: waiting('wa', { status: 'running' }) },
        { op: 'putExecution', value: waiting('wb', { status: 'running' }) },
        { op: 'putExecution', value: waiting('wc', { status: 'running' }) },
      ]);
      assert.equal(await store.workQueue.lockDevices(['device:r1', 'device:r2'], 'wa', 'worker-a', NOW), null);
      assert.deepEqual(await other.workQueue.lockDevices(['device:r3', 'device:r2'], 'wb', 'worker-b', NOW), {
        key: 'device:r2',
        rootId: 'wa',
        node: 'worker-a',
      });
      assert.deepEqual(
        (await store.workQueue.listDeviceLocks()).map((l) => l.key),
        ['device:r1', 'device:r2'],
        'the refused workflow holds none of them',
      );
      assert.equal(await store.workQueue.lockDevices(['device:r2'], 'wa', 'worker-a', NOW), null, 'held again by the same workflow');
      await store.workQueue.unlockDevices(['device:r2'], 'wb'); // not its lock: nothing freed
      assert.equal((await store.workQueue.listDeviceLocks()).length, 2);
      await store.workQueue.unlockDevices(['device:r2'], 'wa');
      assert.equal(await other.workQueue.lockDevices(['device:r3', 'device:r2'], 'wb', 'worker-b', NOW), null);
      // wa ends without freeing r1 (its node died between the two writes): r1 is free for the others
      await store.commit([{ op: 'putExecution', value: execution('wa') }]);
      assert.equal(await other.workQueue.lockDevices(['device:r1'], 'wc', 'worker-b', NOW), null);
      await other.workQueue.releaseLocksExcept('worker-b', [{ key: 'device:r2', rootId: 'wb' }]);
      assert.deepEqual(await store.workQueue.listDeviceLocks(), [{ key: 'device:r2', rootId: 'wb', node: 'worker-b' }]);
    });

    test('concurrency slots: at most threshold holders per key, all or none, kept by the same execution, an ended holder counts for nothing', async () => {
      const { store, openAnother } = await fresh();
      const other = await openAnother();
      const ids = ['s1', 's2', 's3', 's4'];
      await store.commit(ids.map((id) => ({ op: 'putExecution' as const, value: waiting(id, { status: 'delayed' }) })));
      const a = { key: 'lab.change|2|', threshold: 2 };
      const b = { key: 'lab.change|1|site="par"', threshold: 1 };
      assert.equal(await store.workQueue.takeSlots([a], 's1', 'worker-a', NOW), null);
      assert.equal(await other.workQueue.takeSlots([a, b], 's2', 'worker-b', NOW), null);
      assert.deepEqual(await store.workQueue.takeSlots([a], 's3', 'worker-a', NOW), { key: a.key, holders: 2 });
      const c = { key: 'lab.change|1|site="ams"', threshold: 1 };
      assert.deepEqual(await store.workQueue.takeSlots([b, c], 's3', 'worker-a', NOW), { key: b.key, holders: 1 });
      assert.deepEqual(
        (await store.workQueue.listSlots()).map((h) => `${h.key} ${h.executionId} ${h.node}`),
        [`${b.key} s2 worker-b`, `${a.key} s1 worker-a`, `${a.key} s2 worker-b`],
        'the refused execution holds none of them',
      );
      assert.equal(await other.workQueue.takeSlots([a, b], 's2', 'worker-b', NOW), null, 'held again by the same execution');
      assert.equal((await store.workQueue.listSlots()).length, 3);
      // s1 ends without freeing its slot (its node died between the two writes): it counts for nothing
      await store.commit([{ op: 'putExecution', value: execution('s1') }]);
      assert.equal(await store.workQueue.takeSlots([a], 's3', 'worker-a', NOW), null);
      assert.deepEqual(await other.workQueue.takeSlots([a], 's4', 'worker-b', NOW), { key: a.key, holders: 2 });
      await other.workQueue.freeSlots('s2');
      assert.equal(await other.workQueue.takeSlots([b, a], 's4', 'worker-b', NOW), null);
      assert.deepEqual(
        (await store.workQueue.listSlots()).map((h) => `${h.key} ${h.executionId}`),
        [`${b.key} s4`, `${a.key} s3`, `${a.key} s4`],
      );
    });

    test('two handles taking the last slot of a key at once: one gets it', async () => {
      const { store, openAnother } = await fresh();
      const other = await openAnother();
      const ids = Array.from({ length: 8 }, (_, i) => `race${i}`);
      await store.commit(ids.map((id) => ({ op: 'putExecution' as const, value: waiting(id, { status: 'delayed' }) })));
      const slot = { key: 'lab.change|1|', threshold: 1 };
      const got = await Promise.all(ids.map((id, i) => (i % 2 ? other : store).workQueue.takeSlots([slot], id, i % 2 ? 'worker-b' : 'worker-a', NOW)));
      assert.equal(got.filter((g) => g === null).length, 1);
      assert.equal((await store.workQueue.listSlots()).length, 1);
    });

    test("a dead node's concurrency slots move with its executions to the taker", async () => {
      const { store } = await fresh();
      await store.commit([
        { op: 'putExecution', value: waiting('d1', { status: 'running', owner: 'worker-dead' }) },
        { op: 'kvPut', value: keyValue('cluster', 'node/worker-dead', { value: '{}', expiresAt: '2030-01-01T00:00:05.000Z' }) },
      ]);
      assert.equal(await store.workQueue.takeSlots([{ key: 'lab.change|1|', threshold: 1 }], 'd1', 'worker-dead', NOW), null);
      assert.equal(await store.workQueue.takeOver('worker-dead', heartbeat('worker-dead'), 'worker-a', NOW), 1);
      assert.deepEqual(await store.workQueue.listSlots(), [{ key: 'lab.change|1|', executionId: 'd1', node: 'worker-a' }]);
    });

    test('other processes hear at once of work waiting, of a device lock freed and of a concurrency slot freed', async (t) => {
      const { store, openAnother } = await fresh();
      if (store.kind === 'sqlite') return t.skip('one process owns a SQLite file: nobody else to tell');
      const other = await openAnother();
      const heard: string[] = [];
      other.workQueue.watch((what) => heard.push(what));
      await store.commit([{ op: 'putExecution', value: waiting('n1') }]);
      await store.commit([{ op: 'putExecution', value: waiting('n1-task', { parentId: 'n1', rootId: 'n1' }) }]);
      await store.workQueue.lockDevices(['device:r9'], 'n1', 'worker-a', NOW);
      await store.workQueue.unlockDevices(['device:r9'], 'n1');
      await store.workQueue.takeSlots([{ key: 'lab.change|1|', threshold: 1 }], 'n1', 'worker-a', NOW);
      await store.workQueue.freeSlots('n1');
      const end = Date.now() + 5_000;
      while (heard.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(heard, ['work', 'locks', 'slots'], 'a task of a workflow is not work for another worker');
    });
  });
}
