import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';

const dirs: string[] = [];
const open: Appliance[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
});

/** A pack with the given action / policy files, and an appliance over it. */
async function withPack(files: Record<string, string>): Promise<Appliance> {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-pol-'));
  dirs.push(root);
  const pack = path.join(root, 'packs', 'lab');
  writeFileSync(path.join(mkdirp(pack), 'pack.yaml'), 'ref: lab\nname: lab\nversion: 0.1.0\n');
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(mkdirp(path.dirname(path.join(pack, f))), path.basename(f)), text);
  const a = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
  open.push(a);
  assert.deepEqual(
    a.content.errors.map((e) => e.message),
    [],
  );
  await a.start();
  return a;
}

function mkdirp(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}

const SLEEP = (extra = ''): string => `name: change
runner_type: local-shell-cmd
${extra}
parameters:
  device: { type: string }
  ms: { type: integer, default: 200 }
  cmd:
    default: 'sleep $(awk "BEGIN{print $ST2_ACTION_MS/1000}")'
    immutable: true
`;

/** Intervals [start, end] of the executions, to check overlap. */
async function spans(a: Appliance, ids: string[]): Promise<Array<[number, number]>> {
  const out: Array<[number, number]> = [];
  for (const id of ids) {
    const r = await a.store.getExecution(id);
    out.push([Date.parse(r!.startedAt!), Date.parse(r!.endedAt!)]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

describe('device locks', () => {
  test('two executions on one device never overlap; on another device they run in parallel', async () => {
    const a = await withPack({ 'actions/change.yaml': SLEEP('device_lock: { parameter: device, on_conflict: wait }') });
    const r1 = await a.engine.request('lab.change', { device: 'r1' });
    const r2 = await a.engine.request('lab.change', { device: 'r1' });
    const r3 = await a.engine.request('lab.change', { device: 'r2' });
    assert.equal(r2.status, 'delayed', 'the second change on r1 waits for the lock');
    assert.equal(r3.status, 'running', 'r2 is free');
    for (const r of [r1, r2, r3]) assert.equal((await a.engine.wait(r.id)).status, 'succeeded');
    const [s1, s2] = await spans(a, [r1.id, r2.id]);
    assert.ok(s2![0] >= s1![1], `second change on r1 started ${s2![0] - s1![1]} ms before the first ended`);
  });

  test('on_conflict: fail refuses the second change with NRX_ERR_DEVICE_LOCKED', async () => {
    const a = await withPack({ 'actions/change.yaml': SLEEP('device_lock: { parameter: device, on_conflict: fail }') });
    const r1 = await a.engine.request('lab.change', { device: 'r1' });
    const r2 = await a.engine.run('lab.change', { device: 'r1' });
    assert.equal(r2.status, 'failed');
    assert.equal(r2.error?.code, 'NRX_ERR_DEVICE_LOCKED');
    assert.match(r2.error!.message, /device:r1/);
    assert.equal((await a.engine.wait(r1.id)).status, 'succeeded');
  });

  test('a workflow holding the lock lets its own tasks change the device (re-entrant), others wait', async () => {
    const a = await withPack({
      'actions/change.yaml': SLEEP('device_lock: true'),
      'actions/fix.yaml': 'name: fix\nrunner_type: orquesta\nentry_point: workflows/fix.yaml\ndevice_lock: true\nparameters:\n  device: { type: string }\n',
      'actions/workflows/fix.yaml':
        'version: 1.0\ninput: [device]\ntasks:\n  one:\n    action: lab.change\n    input: { device: "{{ ctx().device }}", ms: 150 }\n    next: [{ do: two }]\n  two:\n    action: lab.change\n    input: { device: "{{ ctx().device }}", ms: 150 }\n',
    });
    const wf = await a.engine.request('lab.fix', { device: 'r1' });
    const other = await a.engine.request('lab.change', { device: 'r1', ms: 10 });
    assert.equal(other.status, 'delayed');
    assert.equal((await a.engine.wait(wf.id)).status, 'succeeded');
    assert.equal((await a.engine.wait(other.id)).status, 'succeeded');
    const wfRec = await a.store.getExecution(wf.id);
    const otherRec = await a.store.getExecution(other.id);
    assert.ok(Date.parse(otherRec!.startedAt!) >= Date.parse(wfRec!.endedAt!) - 5, 'the other change waited for the whole workflow');
  });
});

describe('StackStorm policies', () => {
  test('action.concurrency with delay runs at most threshold at once', async () => {
    const a = await withPack({
      'actions/change.yaml': SLEEP(),
      'policies/conc.yaml':
        'name: change.concurrency\nresource_ref: lab.change\npolicy_type: action.concurrency\nenabled: true\nparameters:\n  threshold: 2\n  action: delay\n',
    });
    const recs = await Promise.all([1, 2, 3, 4, 5].map(() => a.engine.request('lab.change', { ms: 150 })));
    assert.deepEqual(
      recs.map((r) => r.status),
      ['running', 'running', 'delayed', 'delayed', 'delayed'],
    );
    for (const r of recs) assert.equal((await a.engine.wait(r.id)).status, 'succeeded');
    const s = await spans(
      a,
      recs.map((r) => r.id),
    );
    for (const [start] of s) {
      const overlapping = s.filter(([b, e]) => b <= start && e > start).length;
      assert.ok(overlapping <= 2, `${overlapping} ran at once`);
    }
  });

  test('action.concurrency with cancel cancels the execution over the limit', async () => {
    const a = await withPack({
      'actions/change.yaml': SLEEP(),
      'policies/conc.yaml': 'name: c\nresource_ref: lab.change\npolicy_type: action.concurrency\nparameters:\n  threshold: 1\n  action: cancel\n',
    });
    const first = await a.engine.request('lab.change', {});
    const second = await a.engine.run('lab.change', {});
    assert.equal(second.status, 'canceled');
    assert.equal(second.error?.code, 'NRX_ERR_CONCURRENCY');
    await a.engine.wait(first.id);
  });

  test('action.retry re-runs a failing action with backoff, then gives up', async () => {
    const a = await withPack({
      'actions/flaky.yaml': 'name: flaky\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "exit 3" }\n',
      'policies/retry.yaml':
        'name: r\nresource_ref: lab.flaky\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  max_retry_count: 2\n  delay: 0.1\n  backoff: { multiplier: 2 }\n',
    });
    const first = await a.engine.run('lab.flaky', {});
    assert.equal(first.status, 'failed');
    let attempts = [first];
    for (let i = 0; i < 100 && attempts.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      attempts = await a.store.listExecutions({ action: 'lab.flaky' });
    }
    const last = await a.engine.wait(attempts[0]!.id);
    const all = (await a.store.listExecutions({ action: 'lab.flaky' })).sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.equal(all.length, 3, 'one run and two retries');
    assert.equal(last.status, 'failed');
    assert.deepEqual(
      all.map((e) => e.context.attempt ?? 0),
      [0, 1, 2],
    );
    const gap1 = Date.parse(all[1]!.startedAt!) - Date.parse(all[0]!.endedAt!);
    const gap2 = Date.parse(all[2]!.startedAt!) - Date.parse(all[1]!.endedAt!);
    assert.ok(gap1 >= 90 && gap2 >= 190, `backoff gaps ${gap1} ms, ${gap2} ms`);
  });
});

describe('inquiry and workflow control', () => {
  test('an inquiry waits in pending until answered; the answer is checked against its schema', async () => {
    const a = await withPack({});
    const rec = await a.engine.request('core.ask', { schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] } });
    assert.equal(rec.status, 'pending');
    await assert.rejects(a.engine.respondInquiry(rec.id, {}), /approved/);
    await a.engine.respondInquiry(rec.id, { approved: true });
    const done = await a.engine.wait(rec.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.result, { response: { approved: true } });
  });

  test('pause holds the next task until resume; pausing a plain action is refused', async () => {
    const a = await withPack({
      'actions/change.yaml': SLEEP(),
      'actions/two.yaml': 'name: two\nrunner_type: orquesta\nentry_point: workflows/two.yaml\n',
      'actions/workflows/two.yaml':
        'version: 1.0\ntasks:\n  one:\n    action: lab.change\n    input: { ms: 150 }\n    next: [{ do: two }]\n  two:\n    action: core.noop\n',
    });
    const wf = await a.engine.request('lab.two', {});
    await a.engine.pause(wf.id);
    await new Promise((r) => setTimeout(r, 400));
    const mid = await a.store.getExecution(wf.id);
    assert.equal(mid?.status, 'paused');
    assert.deepEqual(
      (await a.store.listTasks(wf.id)).map((t) => t.taskName),
      ['one'],
      'task two did not start while paused',
    );
    await a.engine.resume(wf.id);
    assert.equal((await a.engine.wait(wf.id)).status, 'succeeded');
    assert.deepEqual(
      (await a.store.listTasks(wf.id)).sort((x, y) => x.seq - y.seq).map((t) => t.taskName),
      ['one', 'two'],
    );
    const plain = await a.engine.request('lab.change', { ms: 50 });
    await assert.rejects(a.engine.pause(plain.id), /NRX_ERR_INVALID_STATE|not a running workflow/);
  });

  test('secret parameters are redacted in the stored execution', async () => {
    const a = await withPack({
      'actions/login.yaml':
        'name: login\nrunner_type: local-shell-cmd\nparameters:\n  password: { type: string, secret: true }\n  cmd: { default: "test -n \\"$ST2_ACTION_PASSWORD\\"" }\n',
    });
    const rec = await a.engine.run('lab.login', { password: 'hunter2' });
    assert.equal(rec.status, 'succeeded', 'the action saw the real value');
    const stored = await a.store.getExecution(rec.id);
    assert.equal(stored?.parameters.password, '********');
    assert.ok(!JSON.stringify(stored).includes('hunter2'));
  });
});
