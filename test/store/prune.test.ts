import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newId } from '../../src/core/ids.js';
import type { ExecutionStatus } from '../../src/store/records.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { WriteOp } from '../../src/store/store.js';
import { enforcement, execution, keyValue, task, triggerInstance, workflowState } from './make-records.js';

const NOW = new Date('2024-06-01T00:00:00.000Z');
const OLD = '2024-04-01T00:00:00.000Z'; // 61 days before NOW
const RECENT = '2024-05-31T00:00:00.000Z';
const NO_LIMIT = { maxAgeDays: Infinity, maxExecutions: Infinity, maxEvents: Infinity };

function open(): SqliteStore {
  return openSqliteStore(mkdtempSync(path.join(tmpdir(), 'nrx-prune-')));
}

/** A workflow with two child executions, a task per child, its state and a control request. */
function workflowTree(root: string, rootStatus: ExecutionStatus, childStatus: ExecutionStatus, time: string): WriteOp[] {
  const at = { createdAt: time, startedAt: time, endedAt: time };
  const ops: WriteOp[] = [{ op: 'putExecution', value: execution(root, { ...at, status: rootStatus, runner: 'orquesta' }) }];
  for (const n of [1, 2]) {
    const child = `${root}.c${n}`;
    ops.push({ op: 'putExecution', value: execution(child, { ...at, status: childStatus, parentId: root, rootId: root }) });
    ops.push({ op: 'putTask', value: task(`${root}.t${n}`, root, n, { executionId: child }) });
  }
  ops.push({ op: 'putWorkflowState', value: workflowState(root) });
  ops.push({ op: 'addControlRequest', executionId: root, control: 'cancel' });
  return ops;
}

describe('prune', () => {
  test('by age: terminal trees and their tasks, states and control requests go; anything in flight stays', async () => {
    const s = open();
    try {
      await s.commit([
        ...workflowTree('a-old-done', 'succeeded', 'succeeded', OLD),
        ...workflowTree('b-old-running', 'running', 'succeeded', OLD),
        ...workflowTree('c-old-child-running', 'failed', 'running', OLD),
        ...workflowTree('d-recent-done', 'failed', 'failed', RECENT),
        { op: 'putExecution', value: execution('e-old-paused', { status: 'paused', createdAt: OLD, endedAt: null }) },
      ]);
      const report = await s.prune({ ...NO_LIMIT, maxAgeDays: 30 }, NOW);
      assert.deepEqual(report, { executions: 3, tasks: 2, events: 0, enforcements: 0, keys: 0 });
      const left = (await s.listExecutions({ parentId: null })).map((e) => e.id);
      assert.deepEqual(left, ['e-old-paused', 'd-recent-done', 'c-old-child-running', 'b-old-running']);
      assert.equal(await s.getWorkflowState('a-old-done'), null);
      assert.deepEqual(await s.listTasks('a-old-done'), []);
      assert.equal((await s.listTasks('b-old-running')).length, 2);
      assert.ok(await s.getWorkflowState('b-old-running'));
      assert.deepEqual(
        (await s.listControlRequests()).map((c) => c.executionId),
        ['b-old-running', 'c-old-child-running', 'd-recent-done'],
      );
      // A second run finds nothing more to do.
      assert.deepEqual(await s.prune({ ...NO_LIMIT, maxAgeDays: 30 }, NOW), { executions: 0, tasks: 0, events: 0, enforcements: 0, keys: 0 });
    } finally {
      await s.close();
    }
  });

  test('by count: keeps the newest top-level executions; non-terminal ones count but never go', async () => {
    const s = open();
    try {
      const ops: WriteOp[] = [];
      for (let i = 0; i < 10; i++) ops.push(...workflowTree(`w${i}`, i === 1 ? 'running' : 'succeeded', 'succeeded', RECENT));
      await s.commit(ops);
      const report = await s.prune({ ...NO_LIMIT, maxExecutions: 4 }, NOW);
      assert.deepEqual(
        (await s.listExecutions({ parentId: null })).map((e) => e.id),
        ['w9', 'w8', 'w7', 'w6', 'w1'],
      );
      assert.deepEqual(report, { executions: 5 * 3, tasks: 5 * 2, events: 0, enforcements: 0, keys: 0 });
      assert.equal((await s.listExecutions({ rootId: 'w1' })).length, 3);
    } finally {
      await s.close();
    }
  });

  test('events and enforcements: processed ones by age and count; pending ones and live audit trails stay', async () => {
    const s = open();
    try {
      await s.commit([
        { op: 'putTriggerInstance', value: triggerInstance('t1', { status: 'processed', time: OLD }) },
        { op: 'putTriggerInstance', value: triggerInstance('t2', { status: 'pending', time: OLD }) },
        { op: 'putTriggerInstance', value: triggerInstance('t3', { status: 'processing', time: OLD }) },
        { op: 'putTriggerInstance', value: triggerInstance('t4', { status: 'processed', time: RECENT }) },
        { op: 'putTriggerInstance', value: triggerInstance('t5', { status: 'processed', time: RECENT }) },
        { op: 'putTriggerInstance', value: triggerInstance('t6', { status: 'processed', time: RECENT }) },
        { op: 'putExecution', value: execution('x-running', { status: 'running', createdAt: OLD, endedAt: null }) },
        { op: 'putEnforcement', value: enforcement('n1', { triggerInstanceId: 't1', time: OLD }) },
        { op: 'putEnforcement', value: enforcement('n2', { triggerInstanceId: 't2', time: OLD }) },
        { op: 'putEnforcement', value: enforcement('n3', { triggerInstanceId: 't1', executionId: 'x-running', time: OLD }) },
        { op: 'putEnforcement', value: enforcement('n4', { triggerInstanceId: 't4', time: RECENT }) },
        { op: 'putEnforcement', value: enforcement('n5', { triggerInstanceId: 't5', time: RECENT }) },
        { op: 'putEnforcement', value: enforcement('n6', { triggerInstanceId: 't6', time: RECENT }) },
        { op: 'kvPut', value: keyValue('system', 'expired', { expiresAt: '2024-05-31T23:59:59.000Z' }) },
        { op: 'kvPut', value: keyValue('system', 'later', { expiresAt: '2024-06-02T00:00:00.000Z' }) },
        { op: 'kvPut', value: keyValue('system', 'forever') },
      ]);
      const report = await s.prune({ maxAgeDays: 30, maxExecutions: Infinity, maxEvents: 2 }, NOW);
      // Events: t1 (old), t4 (beyond the newest two) go; t2, t3 are not processed yet.
      assert.deepEqual(
        (await s.listTriggerInstances()).map((t) => t.id),
        ['t6', 't5', 't3', 't2'],
      );
      // Enforcements: n1 (old) goes, n4 is beyond the newest two; n2's event is pending, n3's execution runs.
      assert.deepEqual(
        (await s.listEnforcements()).map((n) => n.id),
        ['n6', 'n5', 'n3', 'n2'],
      );
      assert.deepEqual(
        s.kvListSync('system', '', new Date('2024-01-01T00:00:00Z')).map((k) => k.key),
        ['forever', 'later'],
      );
      assert.deepEqual(report, { executions: 0, tasks: 0, events: 2, enforcements: 2, keys: 1 });
    } finally {
      await s.close();
    }
  });

  test('retention over thousands of rows', async () => {
    const s = open();
    try {
      const ops: WriteOp[] = [];
      for (let i = 0; i < 2000; i++) {
        const time = i < 1000 ? OLD : RECENT;
        const status: ExecutionStatus = i % 100 === 0 ? 'running' : 'succeeded';
        const root = newId();
        ops.push({ op: 'putExecution', value: execution(root, { status, createdAt: time, endedAt: status === 'running' ? null : time }) });
        ops.push({ op: 'putExecution', value: execution(newId(), { parentId: root, rootId: root, createdAt: time, endedAt: time }) });
        ops.push({ op: 'putTask', value: task(newId(), root, 0) });
        const ti = newId();
        ops.push({ op: 'putTriggerInstance', value: triggerInstance(ti, { status: i % 50 === 0 ? 'pending' : 'processed', time }) });
        ops.push({ op: 'putEnforcement', value: enforcement(newId(), { triggerInstanceId: ti, time }) });
      }
      await s.commit(ops);
      const started = performance.now();
      const report = await s.prune({ maxAgeDays: 30, maxExecutions: 500, maxEvents: 800 }, NOW);
      const ms = performance.now() - started;
      // Trees: 2000; the newest 500 stay; of the other 1500, the 15 running ones stay.
      const roots = await s.listExecutions({ parentId: null });
      assert.equal(roots.length, 500 + 15);
      assert.equal(roots.filter((r) => r.status === 'running').length, 20);
      assert.equal(report.executions, 1485 * 2);
      assert.equal(report.tasks, 1485);
      // Events: the newest 800 stay, plus the pending ones among the 1200 older (every 50th).
      const events = await s.listTriggerInstances();
      assert.equal(events.length, 800 + 24);
      assert.equal(report.events, 1200 - 24);
      assert.equal((await s.listTriggerInstances({ status: ['pending'] })).length, 40);
      assert.equal((await s.listEnforcements()).length, 800 + 24);
      assert.ok(ms < 5000, `prune took ${ms} ms`);
    } finally {
      await s.close();
    }
  });
});
