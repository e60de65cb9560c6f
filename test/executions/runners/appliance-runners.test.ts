import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertCommandAllowed } from '../../../src/api/shell-access.js';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { NrxError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/log.js';
import { SECRET_MASK } from '../../../src/core/secrets.js';
import { AnnouncementRunner } from '../../../src/executions/runners/announcement.js';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { missingRunnerReason } from '../../../src/executions/runners/registry.js';
import { describeUnrunnable, unrunnableActions } from '../../../src/packs/runner-support.js';
import { testAction, testContext } from './helpers.js';

const PACKS = path.resolve('test/executions/fixtures/python-packs');

describe('announcement runner', () => {
  const action = testAction('announcement', { message: { type: 'string' }, api_key: { type: 'string', secret: true } });

  test('the parameters go out as a core.announcement event on the route; secrets masked', async () => {
    const sent: EventEnvelope[] = [];
    const runner = new AnnouncementRunner(async (e) => void sent.push(e));
    const ctx = { ...testContext(action), traceId: 'trace-1' };
    const r = await runner.run(action, { experimental: true, route: 'chatops', message: 'bgp down on leaf1', api_key: 'k' }, ctx);
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(r.result, { message: 'bgp down on leaf1', api_key: SECRET_MASK });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.type, 'core.announcement');
    assert.deepEqual(sent[0]!.payload, { route: 'chatops', payload: { message: 'bgp down on leaf1', api_key: SECRET_MASK } });
    assert.equal(sent[0]!.traceId, 'trace-1');
    assert.equal(sent[0]!.source, 'action:test.announcement');
  });

  test('without experimental: true it refuses, as StackStorm does', async () => {
    const sent: EventEnvelope[] = [];
    const r = await new AnnouncementRunner(async (e) => void sent.push(e)).run(action, { message: 'x' }, testContext(action));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
    assert.equal(sent.length, 0);
  });
});

describe('actions whose runner netreflex will never have', () => {
  test('counted per pack with the reason; available runners are not listed', () => {
    const actions = [
      testAction('mistral-v2', {}, { ref: 'p.wf', pack: 'p' }),
      testAction('winrm-ps-cmd', {}, { ref: 'p.win', pack: 'p' }),
      testAction('noop', {}, { ref: 'p.ok', pack: 'p' }),
      testAction('mistral-v2', {}, { ref: 'q.wf', pack: 'q' }),
    ];
    const by = unrunnableActions(actions, (t) => t === 'noop');
    assert.deepEqual([...by.keys()], ['p', 'q']);
    assert.deepEqual(
      by.get('p')!.map((u) => u.action),
      ['p.wf', 'p.win'],
    );
    assert.match(
      describeUnrunnable(by.get('p')!, 3),
      /^2 of 3 actions cannot run: 1 uses mistral-v2 \(Mistral workflows are not supported.*orquesta\); 1 uses winrm-ps-cmd \(Windows hosts over WinRM/,
    );
    assert.equal(missingRunnerReason('no-such-runner'), "netreflex has no runner 'no-such-runner'");
  });
});

describe('appliance: python-script, announcement and the load-time report', () => {
  let dataDir: string;
  let a: Appliance;
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-app-runners-'));
    a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [PACKS] }, {}), log: silentLogger, inboxPollMs: 50 });
    await a.start();
  });
  after(async () => {
    await a?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('only the mistral-v2 and winrm-cmd actions are reported as unable to run', () => {
    const u = a.unrunnable();
    assert.deepEqual([...u.keys()], ['pyacts']);
    assert.deepEqual(
      u.get('pyacts')!.map((x) => `${x.action}:${x.runnerType}`),
      ['pyacts.old_workflow:mistral-v2', 'pyacts.windows_cmd:winrm-cmd'],
    );
    assert.ok(a.runners.has('python-script') && a.runners.has('remote-shell-cmd') && a.runners.has('remote-shell-script') && a.runners.has('announcement'));
  });

  test('running one of them is refused with the reason', async () => {
    await assert.rejects(
      a.engine.run('pyacts.old_workflow', {}),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_RUNNER_NOT_FOUND' && /mistral-v2.*port the workflow to orquesta/.test(e.message),
    );
  });

  test('a python-script action through the engine uses the appliance datastore', async () => {
    const rec = await a.engine.run('pyacts.counter', {});
    assert.equal(rec.status, 'succeeded', JSON.stringify(rec.result));
    assert.equal((await a.kv.get('system', 'pyacts.Counter:count'))?.value, '1');
  });

  test('an announcement action becomes an event in the store', async () => {
    const rec = await a.engine.run('pyacts.announce', { message: 'maintenance at 22:00', api_key: 'secret-k' });
    assert.equal(rec.status, 'succeeded');
    const events = await a.store.listTriggerInstances({ limit: 50 });
    const ev = events.find((t) => t.type === 'core.announcement');
    assert.ok(ev, 'announcement recorded');
    assert.deepEqual(ev.payload, { route: 'noc', payload: { message: 'maintenance at 22:00', api_key: SECRET_MASK } });
  });
});

describe('python-script is in the arbitrary-code class', () => {
  test('only an admin (or a shell grant on the pack) may set the environment of a Python action', () => {
    const action = testAction('python-script', { name: { type: 'string' } }, { ref: 'pyacts.greet', pack: 'pyacts' });
    const operator = { user: 'op', role: 'operator' as const, grants: {}, via: 'api_key' as const };
    assert.throws(
      () => assertCommandAllowed(operator, action, { name: 'x', env: { LD_PRELOAD: '/tmp/evil.so' } }, 'execution'),
      /op \(operator\) may not choose what pyacts\.greet runs \(env\)/,
    );
    assert.doesNotThrow(() => assertCommandAllowed(operator, action, { name: 'x' }, 'execution'), 'ordinary parameters stay open to operators');
    assert.doesNotThrow(() => assertCommandAllowed({ ...operator, grants: { shell: ['pyacts'] } }, action, { env: { A: '1' } }, 'execution'));
  });
});
