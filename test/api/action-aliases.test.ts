import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { harness, type Harness } from './harness.js';

describe("StackStorm's alias routes: /api/v1/actionalias, /match, /api/v1/aliasexecution", () => {
  let h: Harness;
  const announced: EventEnvelope[] = [];
  before(async () => {
    h = await harness();
    h.stream.subscribe((m) => {
      if (m.kind === 'event' && m.event.type === 'core.announcement') announced.push(m.event);
    });
  });
  after(async () => h.close());

  const call = (who: 'observer' | 'operator' | 'admin' | string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: who in h.keys ? h.as(who as 'observer') : { 'x-api-key': who }, ...(payload ? { payload } : {}) });
  const executions = async (): Promise<number> => (await h.appliance.store.listExecutions({ limit: 1000 })).length;
  const until = async <T>(fn: () => T | undefined, ms = 10_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('not reached');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('GET lists the loaded aliases with name, pack, action_ref and formats', async () => {
    const res = await call('observer', 'GET', '/api/v1/actionalias');
    assert.equal(res.statusCode, 200);
    const bgp = (res.json() as Array<Record<string, unknown>>).find((a) => a.ref === 'chatdemo.bgp_summary')!;
    assert.equal(bgp.name, 'bgp_summary');
    assert.equal(bgp.pack, 'chatdemo');
    assert.equal(bgp.action_ref, 'chatdemo.bgp_summary');
    assert.deepEqual((bgp.formats as unknown[])[1], 'bgp peers of {{ device }}');
    assert.deepEqual((bgp.formats as Array<{ display: string }>)[0]!.display, 'bgp table <device> [vrf <vrf>]');
  });

  test('match returns the alias and the parameters, and runs nothing', async () => {
    const before = await executions();
    const res = await call('observer', 'POST', '/api/v1/actionalias/match', { command: 'bgp table leaf1 vrf blue' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.actionalias.ref, 'chatdemo.bgp_summary');
    assert.equal(body.representation, 'bgp table {{ device }} vrf {{ vrf=default }}');
    assert.deepEqual(body.parameters, { device: 'leaf1', vrf: 'blue' });
    assert.equal(await executions(), before);
    const none = await call('observer', 'POST', '/api/v1/actionalias/match', { command: 'reload leaf1' });
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().code, 'NRX_ERR_ALIAS_NO_MATCH');
  });

  test('aliasexecution runs the action, answers with the ack, and posts the result to the source channel', async () => {
    const res = await call('operator', 'POST', '/api/v1/aliasexecution', { command: 'bgp table leaf1', user: 'alice', source_channel: '#noc' });
    assert.equal(res.statusCode, 201, res.body);
    const [run] = res.json().results;
    assert.equal(run.message, 'Reading the BGP neighbors of leaf1 (chatdemo.bgp_summary)...');
    assert.equal(run.execution.action, 'chatdemo.bgp_summary');
    assert.equal(run.execution.context.user, 'operator', 'the credential runs it, not the chat name');
    const done = await h.appliance.engine.wait(run.execution.id);
    assert.equal(done.status, 'succeeded');
    const posted = await until(() => announced.find((e) => (e.payload.payload as { execution?: string }).execution === run.execution.id));
    assert.equal(posted.payload.route, 'chatops');
    const p = posted.payload.payload as Record<string, string>;
    assert.equal(p.channel, '#noc');
    assert.equal(p.user, 'alice');
    assert.match(
      p.message!,
      /^BGP summary of leaf1:\n10\.0\.1\.1 {2}AS65000 {2}established {2}12 prefixes {2}00:20:06\n10\.0\.2\.1 {2}AS65000 {2}active {2}never\n/,
    );
  });

  test('the default ack names the action and links the execution', async () => {
    const res = await call('admin', 'POST', '/api/v1/aliasexecution', { command: 'say hello' });
    assert.equal(res.statusCode, 201, res.body);
    const [run] = res.json().results;
    assert.match(
      run.message,
      new RegExp(`^Running core\\.echo \\(execution ${run.execution.id}\\) http://localhost(:\\d+)?/api/v1/executions/${run.execution.id}$`),
    );
  });

  test("the caller's role and grants are checked like any run; nothing is recorded when refused", async () => {
    const before = await executions();
    const observer = await call('observer', 'POST', '/api/v1/aliasexecution', { command: 'bgp table leaf1' });
    assert.equal(observer.statusCode, 403);
    const corePacksOnly = await h.grantedKey('chat_core_only', 'operator', { packs: ['core'] });
    const packRefused = await call(corePacksOnly, 'POST', '/api/v1/aliasexecution', { command: 'bgp table leaf1' });
    assert.equal(packRefused.statusCode, 403);
    assert.match(packRefused.json().message, /pack 'chatdemo'/);
    const dc1 = await h.grantedKey('chat_dc1', 'operator', { inventory: 'site=dc1' });
    const deviceRefused = await call(dc1, 'POST', '/api/v1/aliasexecution', { command: 'bgp table r2' });
    assert.equal(deviceRefused.statusCode, 403);
    assert.match(deviceRefused.json().message, /r2/);
    assert.equal(await executions(), before);
    const allowed = await call(dc1, 'POST', '/api/v1/aliasexecution', { command: 'bgp table r1' });
    assert.equal(allowed.statusCode, 201, allowed.body);
  });

  test('chat text reaches the templates as data: {{ 7*7 }} is echoed, never evaluated', async () => {
    const res = await call('operator', 'POST', '/api/v1/aliasexecution', { command: 'bgp table {{ 7*7 }}' });
    assert.equal(res.statusCode, 201, res.body);
    const [run] = res.json().results;
    assert.equal(run.message, 'Reading the BGP neighbors of {{ 7*7 }} (chatdemo.bgp_summary)...');
    assert.equal(run.execution.parameters.device, '{{ 7*7 }}');
  });
});
