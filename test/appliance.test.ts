import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { Appliance } from '../src/appliance.js';
import { loadConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/log.js';
import { swallowedErrorCounts } from '../src/core/swallowed-errors.js';
import { makeEvent } from '../src/events/envelope.js';
import { NrxError } from '../src/core/errors.js';
import type { ExecutionRecord } from '../src/store/records.js';

const PACKS = path.resolve('test/fixtures/packs');
const dirs: string[] = [];
const open: Appliance[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
  (globalThis as { __nrxFail?: Set<string> }).__nrxFail = new Set();
});

async function appliance(inboxPollMs = 50): Promise<Appliance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-app-'));
  dirs.push(dataDir);
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [PACKS] }, {}), log: silentLogger, inboxPollMs });
  open.push(a);
  await a.start();
  return a;
}

/** An appliance (not started) whose log keeps the warning messages. */
function warningAppliance(): { a: Appliance; warned: string[] } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-app-'));
  dirs.push(dataDir);
  const warned: string[] = [];
  const log = Object.assign(Object.create(silentLogger) as typeof silentLogger, { warn: (_f: unknown, msg: string) => void warned.push(msg) });
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [PACKS] }, {}), log, inboxPollMs: 50 });
  open.push(a);
  return { a, warned };
}

/** Wait until a top-level execution of `action` exists and reaches a final status. */
async function executionOf(a: Appliance, action: string, timeoutMs = 10_000): Promise<ExecutionRecord> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [rec] = await a.store.listExecutions({ action, limit: 1 });
    if (rec) return a.engine.wait(rec.id);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no execution of ${action} within ${timeoutMs} ms`);
}

async function path_(a: Appliance, id: string): Promise<string[]> {
  return (await a.store.listTasks(id)).sort((x, y) => x.seq - y.seq).map((t) => `${t.taskName}:${t.status}`);
}

describe('appliance: event -> rule -> ActionChain', () => {
  test('a StackStorm rule runs the seed deck chain; the audit trail links event, rule and execution', async () => {
    const a = await appliance();
    assert.deepEqual(
      a.content.errors.map((e) => e.message),
      [],
    );
    const ev = makeEvent('core.event', { kind: 'vm_request', name: 'web01' }, { source: 'test' });
    await a.emit(ev);
    const rec = await executionOf(a, 'cloud.vm_provision');
    assert.equal(rec.status, 'succeeded');
    assert.deepEqual(await path_(a, rec.id), ['create_vm:succeeded', 'provision_vm:succeeded', 'register_dns:succeeded', 'register_lb:succeeded']);
    const [enf] = await a.store.listEnforcements({ triggerInstanceId: ev.id });
    assert.equal(enf?.ruleRef, 'demo.vm_request');
    assert.equal(enf?.outcome, 'executed');
    assert.equal(enf?.executionId, rec.id);
    assert.equal(rec.context.triggerInstanceId, ev.id);
    assert.equal((await a.store.getTriggerInstance(ev.id))?.status, 'processed');
    const dns = (await a.store.listExecutions({ parentId: rec.id, action: 'dns.register' }))[0];
    assert.deepEqual((dns?.result as { params: unknown }).params, { fqdn: 'web01.example.net', vm_id: 'vm-42' });
  });

  test('a failing step runs the rollback path and the chain ends failed', async () => {
    const a = await appliance();
    (globalThis as { __nrxFail?: Set<string> }).__nrxFail = new Set(['lb.register']);
    await a.emit(makeEvent('core.event', { kind: 'vm_request', name: 'web02' }));
    const rec = await executionOf(a, 'cloud.vm_provision');
    assert.equal(rec.status, 'failed');
    assert.deepEqual(await path_(a, rec.id), [
      'create_vm:succeeded',
      'provision_vm:succeeded',
      'register_dns:succeeded',
      'register_lb:failed',
      'unregister_dns:succeeded',
      'clear_vm:succeeded',
      'notify_failure:succeeded',
    ]);
  });

  test('an event written to the inbox by another process (netreflex event emit) is picked up', async () => {
    const a = await appliance(20);
    const ev = makeEvent('core.event', { kind: 'vm_request', name: 'web03' }, { source: 'cli' });
    await a.store.commit([{ op: 'putTriggerInstance', value: { ...ev, status: 'pending' } }]);
    const rec = await executionOf(a, 'cloud.vm_provision');
    assert.equal(rec.status, 'succeeded');
    assert.equal(rec.context.triggerInstanceId, ev.id);
  });
});

describe('appliance: datastore in templates', () => {
  test('rules read st2kv values; secrets need decrypt_kv and never land in the store in clear', async () => {
    const a = await appliance();
    await a.kv.set('system', 'site_name', 'dc1');
    await a.kv.set('system', 'token', 's3cr3t-value', { encrypt: true });
    await a.emit(makeEvent('core.event', { kind: 'kv' }));
    const rec = await executionOf(a, 'core.echo');
    assert.equal(rec.status, 'succeeded');
    // the command printed the decrypted value; what is kept and shown is masked
    assert.equal((rec.result as { stdout: string }).stdout.trim(), 'site dc1; secret ********');
    assert.equal((await a.kv.get('system', 'token'))?.value, '********');
  });
});

describe('appliance: wait-for-event', () => {
  test('the workflow waits until the BGP peer is established again', async () => {
    const a = await appliance();
    await a.emit(makeEvent('network.bgp_peer_state_changed', { device: 'r1', peer: '10.0.12.2', state: 'idle' }));
    let wf: ExecutionRecord | undefined;
    for (let i = 0; i < 200 && !(wf && (await path_(a, wf.id)).includes('wait_established:running')); i++) {
      [wf] = await a.store.listExecutions({ action: 'demo.bgp_watch', limit: 1 });
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(wf, 'the rule started demo.bgp_watch');
    // another peer coming up does not satisfy the wait
    await a.emit(makeEvent('network.bgp_peer_state_changed', { device: 'r1', peer: '10.0.12.9', state: 'established' }));
    const up = makeEvent('network.bgp_peer_state_changed', { device: 'r1', peer: '10.0.12.2', state: 'established' });
    await a.emit(up);
    const done = await a.engine.wait(wf.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(await path_(a, wf.id), ['note:succeeded', 'wait_established:succeeded', 'recovered:succeeded']);
    assert.deepEqual((done.result as { output: unknown }).output, { recovered_by: up.id });
  });

  test('no matching event before the timeout takes the failure path', async () => {
    const a = await appliance();
    const rec = await a.engine.run('demo.bgp_watch', { device: 'r2', peer: '10.0.23.3', wait: '300ms' });
    assert.equal(rec.status, 'succeeded');
    assert.deepEqual(await path_(a, rec.id), ['note:succeeded', 'wait_established:timeout', 'escalate:succeeded']);
  });
});

describe('appliance: control requests from the CLI', () => {
  test('cancel written to the store cancels a running workflow and its running task', async () => {
    const a = await appliance(20);
    const rec = await a.engine.request('demo.crash_plain', { seconds: 30 });
    for (let i = 0; i < 300 && !(await path_(a, rec.id)).includes('long:running'); i++) await new Promise((r) => setTimeout(r, 10));
    await a.store.commit([{ op: 'addControlRequest', executionId: rec.id, control: 'cancel' }]);
    const done = await a.engine.wait(rec.id);
    assert.equal(done.status, 'canceled');
    const tasks = await path_(a, rec.id);
    assert.deepEqual(tasks, ['first:succeeded', 'long:canceled']);
    assert.deepEqual(await a.store.listControlRequests(), []);
  });
});

describe('appliance: the hourly prune', () => {
  test('a failed prune is counted (store_prune) and logged, and the appliance runs on', async () => {
    const { a, warned } = warningAppliance();
    // catch the hourly timer as start() sets it, to fire it now
    const realSetInterval = globalThis.setInterval;
    let hourly: (() => void) | undefined;
    globalThis.setInterval = ((fn: () => void, ms?: number) => {
      if (ms === 3_600_000) hourly = fn;
      return realSetInterval(fn, ms);
    }) as typeof setInterval;
    try {
      await a.start();
    } finally {
      globalThis.setInterval = realSetInterval;
    }
    assert.ok(hourly, 'start() schedules the hourly prune');
    a.store.prune = async () => {
      throw new Error('database disk image is malformed');
    };
    const before = swallowedErrorCounts().get('store_prune') ?? 0;
    hourly();
    for (let i = 0; i < 100 && (swallowedErrorCounts().get('store_prune') ?? 0) === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(swallowedErrorCounts().get('store_prune'), before + 1);
    assert.ok(
      warned.some((m) => /hourly prune/.test(m)),
      'logged on the appliance log',
    );
    assert.equal((await a.engine.run('core.noop', {})).status, 'succeeded');
  });
});

describe('appliance: the decisions the API streams', () => {
  test('a rule decision is announced once recorded with its execution, never while its write fails', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-app-'));
    dirs.push(dataDir);
    const seen: string[] = [];
    const a = new Appliance({
      config: loadConfig({ dataDir, packsPaths: [PACKS] }, {}),
      log: silentLogger,
      inboxPollMs: 50,
      onEnforcement: (r) => seen.push(`${r.ruleRef} ${r.triggerInstanceId} ${r.outcome}`),
    });
    open.push(a);
    await a.start();
    const store = a.store as { commit: typeof a.store.commit };
    const commit = store.commit.bind(a.store);
    let refused = 0;
    let refusing = true;
    store.commit = async (ops) => {
      if (refusing && ops.some((o) => o.op === 'putEnforcement')) {
        refused++;
        throw new Error('disk full');
      }
      return commit(ops);
    };
    const ev = makeEvent('core.event', { kind: 'vm_request', name: 'web01' }, { source: 'test' });
    await a.emit(ev);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(refused > 0, 'the decision write was tried');
    assert.deepEqual(seen, [], 'a decision whose write failed is not announced');
    assert.deepEqual(await a.store.listEnforcements({ triggerInstanceId: ev.id }), []);
    // the store is back: the next event's decision is recorded with its execution, then announced
    refusing = false;
    const next = makeEvent('core.event', { kind: 'vm_request', name: 'web02' }, { source: 'test' });
    await a.emit(next);
    const rec = await executionOf(a, 'cloud.vm_provision');
    const recorded = await a.store.listEnforcements({ triggerInstanceId: next.id });
    assert.equal(recorded[0]?.executionId, rec.id);
    assert.deepEqual(seen, [`demo.vm_request ${next.id} executed`]);
  });
});

describe('appliance: an execution whose end the store could not write at once', () => {
  test('its end is written again until the store takes it: recorded succeeded, its waiters told', { timeout: 20_000 }, async () => {
    const a = await appliance();
    const store = a.store as { commit: typeof a.store.commit };
    const commit = store.commit.bind(a.store);
    let refused = 0;
    store.commit = async (ops) => {
      const ends = ops.some((o) => o.op === 'putExecution' && o.value.action === 'core.echo' && o.value.status === 'succeeded');
      if (ends && refused < 3) {
        refused++;
        throw new NrxError('NRX_ERR_STORE', 'database x: Client has encountered a connection error and is not queryable');
      }
      return commit(ops);
    };
    const rec = await a.engine.request('core.echo', { message: 'written in the end' });
    const ended = await a.engine.wait(rec.id);
    assert.equal(ended.status, 'succeeded');
    assert.equal(refused, 3, 'three writes of its end refused, the fourth taken');
    assert.equal((await a.store.getExecution(rec.id))?.status, 'succeeded');
  });
});

describe('appliance: a decision whose write fails for a moment (locked database, lost connection)', () => {
  type Ops = Parameters<Appliance['store']['commit']>[0];
  /** The appliance's store, refusing with `error` every commit `refuses` picks; returns how many it refused. */
  function refuseWhen(a: Appliance, error: Error, refuses: (ops: Ops) => boolean): { refused: number } {
    const seen = { refused: 0 };
    const store = a.store as { commit: typeof a.store.commit };
    const commit = store.commit.bind(a.store);
    store.commit = async (ops) => {
      if (!refuses(ops)) return commit(ops);
      seen.refused++;
      throw error;
    };
    return seen;
  }
  /** Refusing with an error that may pass for `ms` (a database locked by another process that long). */
  const refuseFor = (a: Appliance, ms: number, matches: (ops: Ops) => boolean): { refused: number } => {
    const until = Date.now() + ms;
    return refuseWhen(a, new NrxError('NRX_ERR_STORE', 'database x: commit failed: database is locked'), (ops) => Date.now() < until && matches(ops));
  };

  test('an event that starts an execution is decided again after a pause: one execution, its decision recorded', { timeout: 20_000 }, async () => {
    const a = await appliance();
    const seen = refuseFor(a, 2_000, (ops) => ops.some((o) => o.op === 'putEnforcement'));
    const ev = makeEvent('core.event', { kind: 'vm_request', name: 'web01' }, { source: 'test' });
    await a.emit(ev);
    const rec = await executionOf(a, 'cloud.vm_provision', 15_000);
    assert.equal(rec.status, 'succeeded');
    assert.ok(seen.refused >= 2, `the write was refused ${seen.refused} times before it was taken`);
    const enforcements = await a.store.listEnforcements({ triggerInstanceId: ev.id });
    assert.deepEqual(
      enforcements.map((e) => `${e.ruleRef} ${e.outcome} ${e.executionId}`),
      [`demo.vm_request executed ${rec.id}`],
    );
    assert.equal((await a.store.listExecutions({ action: 'cloud.vm_provision' })).length, 1, 'one execution for the event');
    assert.equal((await a.store.getTriggerInstance(ev.id))?.status, 'processed');
  });

  test('an event no rule acts on is marked processed once the store takes the write', { timeout: 20_000 }, async () => {
    const a = await appliance();
    const ev = makeEvent('core.event', { kind: 'nothing_matches_this' }, { source: 'test' });
    const seen = refuseFor(a, 2_000, (ops) => ops.some((o) => o.op === 'setTriggerInstanceStatus' && o.id === ev.id));
    await a.emit(ev);
    const deadline = Date.now() + 10_000;
    while ((await a.store.getTriggerInstance(ev.id))?.status !== 'processed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(seen.refused >= 2, `the write was refused ${seen.refused} times before it was taken`);
    assert.equal((await a.store.getTriggerInstance(ev.id))?.status, 'processed');
  });

  test('an error that will not pass is not tried again after a pause: the event stays pending for the next start', async () => {
    const { a, warned } = warningAppliance();
    await a.start();
    const ev = makeEvent('core.event', { kind: 'nothing_matches_this' }, { source: 'test' });
    const seen = refuseWhen(a, new NrxError('NRX_ERR_PARAM_INVALID', 'not a store failure'), (ops) =>
      ops.some((o) => o.op === 'setTriggerInstanceStatus' && o.id === ev.id),
    );
    await a.emit(ev);
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(seen.refused >= 1, 'the write was tried');
    assert.deepEqual(
      warned.filter((m) => /trying again/.test(m)),
      [],
    );
    assert.equal((await a.store.getTriggerInstance(ev.id))?.status, 'pending');
  });
});
