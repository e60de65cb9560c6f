import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { harness, type Harness } from '../api/harness.js';

// Issue #8 follow-up: a caller limited to some packs must not read another pack's rule through the rule tester.
describe('security: pack grants on the rule tester', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => h.close());

  test('a caller granted only pack core cannot test the loaded rule demo.bgp_down', async () => {
    const key = await h.grantedKey('coreonly', 'operator', { packs: ['core'] });
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/rules/test', headers: { 'x-api-key': key }, payload: { rule: 'demo.bgp_down', event: {} } });
    assert.deepEqual([r.statusCode, r.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    assert.match(r.json().message, /demo\.bgp_down/);
  });

  test('the same request within the grant is answered', async () => {
    const key = await h.grantedKey('demoonly', 'operator', { packs: ['demo'] });
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/rules/test', headers: { 'x-api-key': key }, payload: { rule: 'demo.bgp_down', event: {} } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().rule, 'demo.bgp_down');
  });
});
