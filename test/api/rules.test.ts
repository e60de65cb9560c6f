import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiRuleStore } from '../../src/api/rule-store.js';
import { makeEvent } from '../../src/events/envelope.js';
import { harness, type Harness } from './harness.js';

const RULE_YAML = `
name: api_made
pack: demo
enabled: true
trigger: { type: core.event }
criteria:
  trigger.kind: { type: equals, pattern: api_rule }
action:
  ref: core.echo
  parameters: { message: "from the api: {{ trigger.kind }}" }
`;

describe('API: rules', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => h.close());
  const admin = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: h.as('admin'), ...(payload ? { payload } : {}) });
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: h.as('observer') });

  test('a rule made through the API is active at once and fires on a matching event', async () => {
    const r = await admin('POST', '/api/v1/rules', { rule: RULE_YAML });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual([r.json().ref, r.json().source, r.json().enabled], ['demo.api_made', 'api', true]);
    assert.equal((await admin('POST', '/api/v1/rules', { rule: RULE_YAML })).json().code, 'NRX_ERR_CONFLICT');
    const ev = makeEvent('core.event', { kind: 'api_rule' });
    await h.appliance.emit(ev);
    await h.appliance.bus.drain();
    const [enf] = await h.appliance.store.listEnforcements({ triggerInstanceId: ev.id });
    assert.deepEqual([enf?.ruleRef, enf?.outcome], ['demo.api_made', 'executed']);
    const rec = await h.appliance.engine.wait(enf!.executionId!);
    assert.equal((rec.result as { stdout: string }).stdout, 'from the api: api_rule');
    const byRule = (await get('/api/v1/executions?rule=demo.api_made')).json();
    assert.deepEqual(
      byRule.items.map((x: { id: string }) => x.id),
      [rec.id],
    );
  });

  test('a broken rule is refused with file, line and field', async () => {
    const r = await admin('POST', '/api/v1/rules', { rule: 'name: broken\npack: demo\ntrigger: {type: core.event}\naction: {ref: nodots}\n' });
    assert.equal(r.statusCode, 400);
    assert.deepEqual([r.json().code, r.json().file, r.json().line, r.json().field], ['NRX_ERR_SPEC_INVALID', 'api:rules/broken', 4, 'action.ref']);
  });

  test('pack rules can be disabled (kept across restarts) but not replaced or deleted here', async () => {
    const off = await admin('POST', '/api/v1/rules/demo.bgp_down/disable');
    assert.equal(off.json().enabled, false);
    assert.equal(h.appliance.rules.get('demo.bgp_down')!.enabled, false);
    assert.equal((await admin('DELETE', '/api/v1/rules/demo.bgp_down')).json().code, 'NRX_ERR_CONFLICT');
    // a restart: the index is rebuilt from the packs, then the stored rules and overrides apply
    h.appliance.rules.add({ ...h.appliance.rules.get('demo.bgp_down')!, enabled: true });
    h.appliance.rules.remove('demo.api_made');
    await new ApiRuleStore(h.appliance.store.ruleOverrides).applyTo(h.appliance.rules);
    assert.equal(h.appliance.rules.get('demo.bgp_down')!.enabled, false);
    assert.equal(h.appliance.rules.get('demo.api_made')?.action.ref, 'core.echo');
    assert.equal((await admin('POST', '/api/v1/rules/demo.bgp_down/enable')).json().enabled, true);
  });

  test('PUT replaces an API rule, DELETE removes it for good', async () => {
    const put = await admin('PUT', '/api/v1/rules/demo.api_made', { rule: RULE_YAML.replace('enabled: true', 'enabled: false') });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(h.appliance.rules.get('demo.api_made')!.enabled, false);
    const mismatch = await admin('PUT', '/api/v1/rules/demo.other', { rule: RULE_YAML });
    assert.deepEqual([mismatch.statusCode, mismatch.json().code], [400, 'NRX_ERR_VALIDATION']);
    assert.equal((await admin('DELETE', '/api/v1/rules/demo.api_made')).statusCode, 200);
    assert.equal((await get('/api/v1/rules/demo.api_made')).statusCode, 404);
    await new ApiRuleStore(h.appliance.store.ruleOverrides).applyTo(h.appliance.rules);
    assert.equal(h.appliance.rules.get('demo.api_made'), undefined);
  });

  test('the rule tester answers as the CLI does: 0 match with parameters, 1 no match, 2 invalid', async () => {
    const t = (rule: unknown, event: object) =>
      h.app.inject({ method: 'POST', url: '/api/v1/rules/test', headers: h.as('observer'), payload: { rule, event } });
    const match = (await t('demo.bgp_down', { device: 'r1', peer: '10.0.12.2', state: 'idle' })).json();
    assert.deepEqual([match.exitCode, match.actionRef, match.parameters], [0, 'demo.bgp_watch', { device: 'r1', peer: '10.0.12.2' }]);
    const miss = (await t(RULE_YAML, { trigger: 'core.event', payload: { kind: 'other' } })).json();
    assert.equal(miss.exitCode, 1);
    assert.equal(miss.failures[0].key, 'trigger.kind');
    const invalid = (await t('name: x\n', { a: 1 })).json();
    assert.deepEqual([invalid.exitCode, invalid.error.code], [2, 'NRX_ERR_SPEC_INVALID']);
  });
});
