import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NrxError } from '../../src/core/errors.js';
import { DATABASE_FILE, openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { enforcement, execution, keyValue, task, triggerInstance, workflowState } from './make-records.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'nrx-store-'));
}

async function withStore(fn: (s: SqliteStore, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  const s = openSqliteStore(path.join(dir, 'data'));
  try {
    await fn(s, path.join(dir, 'data'));
  } finally {
    await s.close();
  }
}

function isStoreError(e: unknown): boolean {
  return e instanceof NrxError && e.code === 'NRX_ERR_STORE';
}

describe('opening the store', () => {
  test('creates a private data directory and a WAL database with NORMAL sync and a busy timeout', async () => {
    await withStore(async (s, dir) => {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.ok(statSync(path.join(dir, DATABASE_FILE)).isFile());
      assert.deepEqual(s.settings(), { journalMode: 'wal', synchronous: 'NORMAL', busyTimeoutMs: 5000 });
      // WAL is a property of the file: a fresh, unrelated connection sees it too.
      const raw = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    });
  });

  test('synchronous FULL on request', async () => {
    const s = openSqliteStore(tempDir(), { synchronous: 'FULL' });
    assert.equal(s.settings().synchronous, 'FULL');
    await s.close();
  });

  test('a read-only handle on a directory without a database fails naming the file', () => {
    const dir = tempDir();
    assert.throws(
      () => openSqliteStore(dir, { readonly: true }),
      (e) => isStoreError(e) && (e as Error).message.includes(path.join(dir, DATABASE_FILE)),
    );
  });

  test('a closed store refuses work with NRX_ERR_STORE', async () => {
    const s = openSqliteStore(tempDir());
    await s.close();
    await s.close(); // twice is harmless
    await assert.rejects(s.getExecution('x'), isStoreError);
    await assert.rejects(s.commit([{ op: 'kvDelete', scope: 'a', key: 'b' }]), isStoreError);
  });
});

describe('writes', () => {
  test('every kind of write round-trips and puts are upserts', async () => {
    await withStore(async (s) => {
      const ti = triggerInstance('ti1');
      const ex = execution('ex1', { result: undefined, error: { code: 'NRX_ERR_TIMEOUT', message: 'took too long' }, status: 'failed' });
      await s.commit([
        { op: 'putTriggerInstance', value: ti },
        { op: 'setTriggerInstanceStatus', id: 'ti1', status: 'processed' },
        { op: 'putEnforcement', value: enforcement('en1', { executionId: 'ex1' }) },
        { op: 'putExecution', value: ex },
        { op: 'putWorkflowState', value: workflowState('ex1') },
        { op: 'putTask', value: task('tk1', 'ex1', 0) },
        { op: 'kvPut', value: keyValue('system', 'vni.next', { value: '10001', secret: true }) },
        { op: 'addControlRequest', executionId: 'ex1', control: 'pause' },
        { op: 'addControlRequest', executionId: 'ex1', control: 'cancel' },
      ]);
      assert.deepEqual(await s.getTriggerInstance('ti1'), { ...ti, status: 'processed' });
      assert.deepEqual(await s.listEnforcements(), [enforcement('en1', { executionId: 'ex1' })]);
      // An undefined result is stored as SQL NULL and read back as null.
      assert.deepEqual(await s.getExecution('ex1'), { ...ex, result: null });
      assert.deepEqual(await s.getWorkflowState('ex1'), workflowState('ex1'));
      assert.deepEqual(await s.listTasks('ex1'), [task('tk1', 'ex1', 0)]);
      assert.deepEqual(await s.kvGet('system', 'vni.next'), keyValue('system', 'vni.next', { value: '10001', secret: true }));
      const controls = await s.listControlRequests();
      assert.deepEqual(
        controls.map((c) => [c.executionId, c.op]),
        [
          ['ex1', 'pause'],
          ['ex1', 'cancel'],
        ],
      );
      assert.ok(controls[0]!.id < controls[1]!.id);
      assert.ok(!Number.isNaN(Date.parse(controls[0]!.createdAt)));

      // Upserts replace the whole record.
      const ex2 = execution('ex1', { status: 'succeeded', result: { ok: 1 }, log: ['a', 'b'] });
      await s.commit([
        { op: 'putExecution', value: ex2 },
        { op: 'putTask', value: task('tk1', 'ex1', 0, { status: 'failed', result: null }) },
        { op: 'putWorkflowState', value: workflowState('ex1', { state: { done: ['diagnose', 'repair'] } }) },
        { op: 'kvPut', value: keyValue('system', 'vni.next', { value: '10002' }) },
        { op: 'putTriggerInstance', value: { ...ti, payload: { peer: '10.0.0.3', state: 'active' } } },
        { op: 'deleteControlRequest', id: controls[0]!.id },
      ]);
      assert.deepEqual(await s.getExecution('ex1'), ex2);
      assert.equal((await s.listTasks('ex1'))[0]!.status, 'failed');
      assert.deepEqual((await s.getWorkflowState('ex1'))!.state, { done: ['diagnose', 'repair'] });
      assert.equal((await s.kvGet('system', 'vni.next'))!.value, '10002');
      assert.equal((await s.kvGet('system', 'vni.next'))!.secret, false);
      assert.deepEqual((await s.getTriggerInstance('ti1'))!.payload, { peer: '10.0.0.3', state: 'active' });
      assert.deepEqual(
        (await s.listControlRequests()).map((c) => c.op),
        ['cancel'],
      );

      await s.commit([
        { op: 'deleteWorkflowState', executionId: 'ex1' },
        { op: 'kvDelete', scope: 'system', key: 'vni.next' },
        { op: 'deleteWorkflowState', executionId: 'never-existed' },
      ]);
      assert.equal(await s.getWorkflowState('ex1'), null);
      assert.equal(await s.kvGet('system', 'vni.next'), null);
      assert.equal(await s.getExecution('nope'), null);
      assert.equal(await s.getTriggerInstance('nope'), null);
    });
  });

  test('a batch with a failing write writes nothing, and the error names the write', async () => {
    await withStore(async (s) => {
      await s.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await assert.rejects(
        s.commit([
          { op: 'putExecution', value: execution('ex1', { status: 'succeeded' }) },
          { op: 'putTriggerInstance', value: triggerInstance('ti1') },
          { op: 'putTask', value: task('tk1', 'ex1', 0, { result: circular }) },
        ]),
        (e) => isStoreError(e) && /write 3 of 3 \(putTask\)/.test((e as Error).message),
      );
      assert.equal((await s.getExecution('ex1'))!.status, 'running');
      assert.equal(await s.getTriggerInstance('ti1'), null);

      await assert.rejects(
        s.commit([
          { op: 'putTriggerInstance', value: triggerInstance('ti2') },
          { op: 'setTriggerInstanceStatus', id: 'missing', status: 'processed' },
        ]),
        (e) => isStoreError(e) && (e as Error).message.includes('missing'),
      );
      assert.equal(await s.getTriggerInstance('ti2'), null);

      // The store keeps working after a failed batch.
      await s.commit([{ op: 'putTriggerInstance', value: triggerInstance('ti3') }]);
      assert.ok(await s.getTriggerInstance('ti3'));
    });
  });

  test('an empty batch is a no-op', async () => {
    await withStore(async (s) => {
      await s.commit([]);
      assert.deepEqual(await s.listExecutions(), []);
    });
  });
});

describe('reads', () => {
  test('executions: filters, newest first, limit and before paging', async () => {
    await withStore(async (s) => {
      const wf = execution('e00', { action: 'remediation.bgp_peer_down', runner: 'orquesta', status: 'running' });
      const children = Array.from({ length: 9 }, (_, i) =>
        execution(`e0${i + 1}`, { parentId: 'e00', rootId: 'e00', taskName: 'diagnose', status: i % 3 === 0 ? 'failed' : 'succeeded' }),
      );
      const other = execution('e10', { action: 'core.local', status: 'failed' });
      await s.commit([wf, ...children, other].map((value) => ({ op: 'putExecution' as const, value })));

      const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
      assert.deepEqual(ids(await s.listExecutions()), ['e10', 'e09', 'e08', 'e07', 'e06', 'e05', 'e04', 'e03', 'e02', 'e01', 'e00']);
      assert.deepEqual(ids(await s.listExecutions({ parentId: null })), ['e10', 'e00']);
      assert.deepEqual(ids(await s.listExecutions({ parentId: 'e00', status: ['failed'] })), ['e07', 'e04', 'e01']);
      assert.deepEqual(ids(await s.listExecutions({ status: ['failed', 'running'], action: 'network.get_bgp_neighbors' })), ['e07', 'e04', 'e01']);
      assert.deepEqual(ids(await s.listExecutions({ status: ['running'] })), ['e00']);
      assert.deepEqual(ids(await s.listExecutions({ status: [] })), []);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3 })), ['e09', 'e08', 'e07']);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3, before: 'e07' })), ['e06', 'e05', 'e04']);
      assert.deepEqual(ids(await s.listExecutions({ rootId: 'e00', limit: 3, before: 'e01' })), ['e00']);
      assert.deepEqual(ids(await s.listExecutions({ limit: 0 })), []);

      // Paging through everything visits every row exactly once.
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await s.listExecutions({ limit: 4, ...(before ? { before } : {}) });
        if (!page.length) break;
        seen.push(...ids(page));
        before = page[page.length - 1]!.id;
      }
      assert.deepEqual(seen, ids(await s.listExecutions()));
    });
  });

  test('trigger instances and enforcements: filters and paging', async () => {
    await withStore(async (s) => {
      await s.commit([
        { op: 'putTriggerInstance', value: triggerInstance('t1', { status: 'processed' }) },
        { op: 'putTriggerInstance', value: triggerInstance('t2', { type: 'network.interface_down', payload: { interface: 'Ethernet1' } }) },
        { op: 'putTriggerInstance', value: triggerInstance('t3', { status: 'processing' }) },
        { op: 'putTriggerInstance', value: triggerInstance('t4') },
        { op: 'putEnforcement', value: enforcement('n1', { triggerInstanceId: 't1', executionId: 'x1' }) },
        { op: 'putEnforcement', value: enforcement('n2', { triggerInstanceId: 't1', ruleRef: 'ops.log', outcome: 'throttled', executionId: null }) },
        { op: 'putEnforcement', value: enforcement('n3', { triggerInstanceId: 't3', executionId: 'x2' }) },
      ]);
      const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
      assert.deepEqual(ids(await s.listTriggerInstances()), ['t4', 't3', 't2', 't1']);
      assert.deepEqual(ids(await s.listTriggerInstances({ type: 'network.bgp_peer_state_changed' })), ['t4', 't3', 't1']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: ['pending', 'processing'] })), ['t4', 't3', 't2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: ['pending'], type: 'network.interface_down' })), ['t2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ limit: 2, before: 't4' })), ['t3', 't2']);
      assert.deepEqual(ids(await s.listTriggerInstances({ status: [] })), []);

      assert.deepEqual(ids(await s.listEnforcements()), ['n3', 'n2', 'n1']);
      assert.deepEqual(ids(await s.listEnforcements({ triggerInstanceId: 't1' })), ['n2', 'n1']);
      assert.deepEqual(ids(await s.listEnforcements({ ruleRef: 'ops.log' })), ['n2']);
      assert.deepEqual(ids(await s.listEnforcements({ executionId: 'x2' })), ['n3']);
      assert.deepEqual(ids(await s.listEnforcements({ outcome: 'executed', limit: 1 })), ['n3']);
    });
  });

  test('tasks in seq order, workflow states, kv by prefix with expiry', async () => {
    await withStore(async (s) => {
      await s.commit([
        { op: 'putTask', value: task('k3', 'wf1', 2) },
        { op: 'putTask', value: task('k1', 'wf1', 0) },
        { op: 'putTask', value: task('k2', 'wf1', 1, { itemIndex: 4, dueAt: 1714557600000 }) },
        { op: 'putTask', value: task('k9', 'wf2', 0) },
        { op: 'putWorkflowState', value: workflowState('wf2', { kind: 'action-chain' }) },
        { op: 'putWorkflowState', value: workflowState('wf1') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/100') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/101') },
        { op: 'kvPut', value: keyValue('system', 'vxlan%/x') },
        { op: 'kvPut', value: keyValue('system', 'vxlan/vni/old', { expiresAt: '2000-01-01T00:00:00.000Z' }) },
        { op: 'kvPut', value: keyValue('user:alice', 'vxlan/vni/102') },
      ]);
      const tasks = await s.listTasks('wf1');
      assert.deepEqual(
        tasks.map((t) => t.id),
        ['k1', 'k2', 'k3'],
      );
      assert.equal(tasks[1]!.itemIndex, 4);
      assert.equal(tasks[1]!.dueAt, 1714557600000);
      assert.deepEqual(await s.listTasks('nope'), []);
      assert.deepEqual(
        (await s.listWorkflowStates()).map((w) => [w.executionId, w.kind]),
        [
          ['wf1', 'orquesta'],
          ['wf2', 'action-chain'],
        ],
      );
      assert.deepEqual(
        (await s.kvList('system', 'vxlan/')).map((k) => k.key),
        ['vxlan/vni/100', 'vxlan/vni/101'],
      );
      // The prefix is literal text, not a LIKE pattern.
      assert.deepEqual(
        (await s.kvList('system', 'vxlan%')).map((k) => k.key),
        ['vxlan%/x'],
      );
      assert.deepEqual(
        (await s.kvList('system')).map((k) => k.key),
        ['vxlan%/x', 'vxlan/vni/100', 'vxlan/vni/101'],
      );
      // An expired key is invisible even before prune removes it.
      assert.equal(await s.kvGet('system', 'vxlan/vni/old'), null);
      assert.ok(s.kvGetSync('system', 'vxlan/vni/old', new Date('1999-01-01T00:00:00Z')));
    });
  });
});

describe('sharing the file', () => {
  test("a second (read-only) handle sees the writer's commits; writes through it are refused", async () => {
    const dir = tempDir();
    const writer = openSqliteStore(dir);
    const reader = openSqliteStore(dir, { readonly: true });
    try {
      assert.equal(await reader.getExecution('ex1'), null);
      await writer.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      assert.equal((await reader.getExecution('ex1'))!.status, 'running');
      await writer.commit([{ op: 'putExecution', value: execution('ex1', { status: 'succeeded' }) }]);
      assert.equal((await reader.getExecution('ex1'))!.status, 'succeeded');
      await assert.rejects(reader.commit([{ op: 'addControlRequest', executionId: 'ex1', control: 'cancel' }]), isStoreError);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('two read-write handles (appliance and CLI) both write; each sees the other', async () => {
    const dir = tempDir();
    const appliance = openSqliteStore(dir);
    const cli = openSqliteStore(dir);
    try {
      await appliance.commit([{ op: 'putExecution', value: execution('ex1', { status: 'running' }) }]);
      await cli.commit([{ op: 'addControlRequest', executionId: 'ex1', control: 'cancel' }]);
      assert.deepEqual(
        (await appliance.listControlRequests()).map((c) => c.op),
        ['cancel'],
      );
      assert.equal((await cli.getExecution('ex1'))!.status, 'running');
    } finally {
      await cli.close();
      await appliance.close();
    }
  });
});
