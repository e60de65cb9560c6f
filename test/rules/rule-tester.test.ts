import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRule } from '../../src/rules/rule-tester.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrx-rule-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

const bgpRule = path.join(fixtures, 'bgp_peer_down.yaml');

describe('rule test (netreflex rule test --rule --event)', () => {
  test('exit 0: a bare payload matches and parameters are rendered', () => {
    const r = testRule(bgpRule, write('down.json', JSON.stringify({ device: 'core1', peer: '10.0.0.1', state: 'idle' })));
    assert.equal(r.exitCode, 0);
    assert.equal(r.matched, true);
    assert.equal(r.rule, 'remediation.bgp_peer_down');
    assert.equal(r.trigger, 'network.bgp_peer_state_changed');
    assert.equal(r.actionRef, 'remediation.bgp_peer_down');
    assert.deepEqual(r.parameters, { device: 'core1', peer: '10.0.0.1' });
    assert.ok(r.notes?.some((n) => /hold_down 15s/.test(n)));
  });

  test('exit 0: wrapped events {trigger|trigger_type|type, payload}', () => {
    for (const k of ['trigger', 'trigger_type', 'type']) {
      const f = write(`wrapped-${k}.json`, JSON.stringify({ [k]: 'network.bgp_peer_state_changed', payload: { device: 'core2', peer: 'p', state: 'active' } }));
      const r = testRule(bgpRule, f);
      assert.equal(r.exitCode, 0, k);
      assert.deepEqual(r.parameters, { device: 'core2', peer: 'p' });
    }
  });

  test('a StackStorm rule works too (the action need not exist)', () => {
    const r = testRule(
      path.join(fixtures, 'sample_rule_with_webhook.yaml'),
      write('hook.json', JSON.stringify({ trigger: 'core.st2.webhook', payload: { body: { name: 'st2' } } })),
    );
    assert.equal(r.exitCode, 0);
    assert.match(String(r.parameters!.cmd), /st2\.webhook_sample\.out/);
  });

  test('exit 1: no match, with the failing criterion', () => {
    const r = testRule(bgpRule, write('up.json', JSON.stringify({ device: 'core1', peer: '10.0.0.1', state: 'established' })));
    assert.equal(r.exitCode, 1);
    assert.equal(r.matched, false);
    assert.equal(r.failures[0]!.key, 'trigger.state');
    assert.equal(r.parameters, undefined);
  });

  test('exit 1: another trigger type', () => {
    const r = testRule(bgpRule, write('other.json', JSON.stringify({ trigger: 'network.lag_member_down', payload: {} })));
    assert.equal(r.exitCode, 1);
    assert.match(r.failures[0]!.reason, /rule listens for 'network\.bgp_peer_state_changed'/);
  });

  test('exit 2: invalid rule names file, line and field', () => {
    const bad = write('bad.yaml', 'name: r\ntrigger:\n  type: x.y\ncriteria:\n  trigger.a:\n    type: equalz\naction:\n  ref: a.b\n');
    const r = testRule(bad, write('e.json', '{}'));
    assert.equal(r.exitCode, 2);
    assert.equal(r.error!.code, 'NRX_ERR_RULE_INVALID');
    assert.match(r.error!.message, /bad\.yaml, line 6, field 'criteria\.trigger\.a\.type'/);
  });

  test('exit 2: unreadable or non-JSON event file, missing rule file', () => {
    const bad = testRule(bgpRule, write('broken.json', '{"device": "core1",\n "state": }'));
    assert.equal(bad.exitCode, 2);
    assert.match(bad.error!.message, /broken\.json.*not valid JSON/);
    assert.equal(testRule(bgpRule, path.join(dir, 'missing.json')).exitCode, 2);
    assert.equal(testRule(bgpRule, write('list.json', '[1,2]')).exitCode, 2);
    const missingRule = testRule(path.join(dir, 'nope.yaml'), write('e2.json', '{}'));
    assert.equal(missingRule.exitCode, 2);
    assert.match(missingRule.error!.message, /nope\.yaml/);
  });

  test('exit 2: parameters that fail to render', () => {
    const f = write(
      'render.yaml',
      'name: r\npack: p\nenabled: true\ntrigger:\n  type: x.y\naction:\n  ref: a.b\n  parameters:\n    x: "{{ trigger.a | no_such_filter }}"\n',
    );
    const r = testRule(f, write('a.json', '{"a": 1}'));
    assert.equal(r.exitCode, 2);
    assert.equal(r.matched, true);
    assert.equal(r.error!.code, 'NRX_ERR_TEMPLATE');
  });
});
