import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NrxError } from '../../src/core/errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { loadYamlFile } from '../../src/core/yaml-file.js';
import { parseRule } from '../../src/rules/rule.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const load = (name: string, opts?: { pack?: string }) => parseRule(loadYamlFile(path.join(fixtures, name)), opts);

/** Assert a parse error with code and a message naming file, line and field. */
function refuses(yaml: string, code: string, where: RegExp, what?: RegExp) {
  assert.throws(
    () => parseRule(parseYaml(yaml, 'packs/remediation/rules/r.yaml')),
    (e: unknown) => {
      assert.ok(e instanceof NrxError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, where);
      if (what) assert.match(e.message, what);
      return true;
    },
  );
}

const BASE = `name: r
pack: remediation
enabled: true
trigger:
  type: network.bgp_peer_state_changed
action:
  ref: remediation.fix
`;

describe('StackStorm rules load unchanged', () => {
  test('chatops notify_errbot', () => {
    const r = load('notify_errbot.yaml');
    assert.equal(r.ref, 'chatops.notify-errbot');
    assert.equal(r.enabled, true);
    assert.equal(r.trigger.type, 'core.st2.generic.notifytrigger');
    assert.equal(r.action.ref, 'chatops.post_result');
    assert.equal(r.action.parameters.route, '{{ trigger.route }}');
    assert.equal(r.compiledCriteria.size, 1);
    assert.equal(r.throttle, null);
    assert.equal(r.holdDown, null);
    assert.equal(r.maintenance, 'respect');
  });
  test('webhook rule with nested criteria path and indented document', () => {
    const r = load('sample_rule_with_webhook.yaml');
    assert.equal(r.ref, 'examples.sample_rule_with_webhook');
    assert.deepEqual(r.trigger.parameters, { url: 'sample' });
    assert.deepEqual(r.compiledCriteria.criteria[0]!.path, ['trigger', 'body', 'name']);
  });
  test('actiontrigger rule with two criteria; disabled timer rule', () => {
    assert.equal(load('sample_rule_with_actiontrigger.yaml').compiledCriteria.size, 2);
    const timer = load('sample_rule_with_timer.yaml');
    assert.equal(timer.enabled, false);
    assert.equal(timer.compiledCriteria.size, 0);
  });
  test('pack comes from the loader when the file has none; a conflicting pack is refused', () => {
    const r = parseRule(parseYaml(BASE.replace('pack: remediation\n', ''), 'r.yaml'), { pack: 'lab' });
    assert.equal(r.ref, 'lab.r');
    assert.throws(() => load('notify_errbot.yaml', { pack: 'other' }), /field 'pack'/);
    assert.equal(parseRule(parseYaml(BASE.replace('pack: remediation\n', ''), 'r.yaml')).pack, 'default');
  });
  test('enabled defaults to false, as in StackStorm', () => {
    assert.equal(parseRule(parseYaml(BASE.replace('enabled: true\n', ''), 'r.yaml')).enabled, false);
  });
  test('backstop rule type', () => {
    assert.equal(parseRule(parseYaml(`${BASE}type:\n  ref: backstop\n`, 'r.yaml')).ruleType, 'backstop');
  });
});

describe('network extensions', () => {
  test('the design sketch rule: hold_down, throttle with escalation', () => {
    const r = load('bgp_peer_down.yaml');
    assert.deepEqual(r.holdDown, { forMs: 15_000, for: '15s', key: null, clear: null });
    assert.deepEqual(r.throttle, { key: '{{ trigger.device }}/{{ trigger.peer }}', max: 3, perMs: 3_600_000, per: '1h', then: 'remediation.escalate_bgp' });
  });
  test('throttle shorthand, window alias, hold_down map, maintenance ignore', () => {
    const r = parseRule(
      parseYaml(
        `${BASE}throttle: 10m\nhold_down:\n  for: 30s\n  key: "{{ trigger.peer }}"\n  clear:\n    trigger.state: {type: equals, pattern: established}\nmaintenance: ignore\n`,
        'r.yaml',
      ),
    );
    assert.deepEqual(r.throttle, { key: null, max: 1, perMs: 600_000, per: '10m', then: null });
    assert.equal(r.holdDown!.forMs, 30_000);
    assert.equal(r.holdDown!.key, '{{ trigger.peer }}');
    assert.equal(r.holdDown!.clear!.size, 1);
    assert.equal(r.maintenance, 'ignore');
    const w = parseRule(parseYaml(`${BASE}throttle:\n  window: 1h\n  max: 2\n`, 'r.yaml'));
    assert.equal(w.throttle!.perMs, 3_600_000);
  });
  test('bad extension values name their field', () => {
    refuses(`${BASE}throttle:\n  max: 0\n  per: 1h\n`, 'NRX_ERR_SPEC_INVALID', /line 9, field 'throttle\.max'/);
    refuses(`${BASE}throttle:\n  max: 2\n`, 'NRX_ERR_SPEC_INVALID', /field 'throttle'/, /per/);
    refuses(`${BASE}throttle:\n  per: soon\n`, 'NRX_ERR_SPEC_INVALID', /line 9, field 'throttle\.per'/, /invalid duration/);
    refuses(`${BASE}throttle:\n  per: 1h\n  then: escalate\n`, 'NRX_ERR_SPEC_INVALID', /field 'throttle\.then'/);
    refuses(`${BASE}hold_down: {forr: 10s}\n`, 'NRX_ERR_SPEC_INVALID', /field 'hold_down\.forr'/);
    refuses(`${BASE}maintenance: sometimes\n`, 'NRX_ERR_SPEC_INVALID', /line 8, field 'maintenance'/);
    refuses(
      `${BASE}hold_down:\n  for: 10s\n  clear:\n    trigger.state: {type: nope}\n`,
      'NRX_ERR_RULE_INVALID',
      /line 11, field 'hold_down\.clear\.trigger\.state\.type'/,
    );
  });
});

describe('invalid rules name file, line and field', () => {
  test('malformed YAML', () => {
    refuses('name: r\ntrigger:\n  type: [unclosed\n', 'NRX_ERR_YAML_SYNTAX', /packs\/remediation\/rules\/r\.yaml, line \d/);
  });
  test('missing trigger / trigger type / action ref', () => {
    refuses('name: r\naction:\n  ref: a.b\n', 'NRX_ERR_SPEC_INVALID', /r\.yaml.*field 'trigger'/);
    refuses('name: r\ntrigger:\n  parameters: {}\naction:\n  ref: a.b\n', 'NRX_ERR_SPEC_INVALID', /line 2, field 'trigger\.type'/);
    refuses('name: r\ntrigger:\n  type: x.y\n', 'NRX_ERR_SPEC_INVALID', /field 'action'/);
    refuses('name: r\ntrigger:\n  type: x.y\naction:\n  ref: nodot\n', 'NRX_ERR_SPEC_INVALID', /line 5, field 'action\.ref'/);
  });
  test('unknown operator', () => {
    refuses(
      `${BASE}criteria:\n  trigger.state:\n    type: equalz\n    pattern: idle\n`,
      'NRX_ERR_RULE_INVALID',
      /r\.yaml, line 10, field 'criteria\.trigger\.state\.type'/,
      /unknown criteria operator "equalz"/,
    );
  });
  test('unknown top-level field and action field', () => {
    refuses(`${BASE}throtle: 10m\n`, 'NRX_ERR_SPEC_INVALID', /line 8, field 'throtle'/);
    refuses(`${BASE}  params: {}\n`, 'NRX_ERR_SPEC_INVALID', /field 'action\.params'/);
  });
  test('not a map at all', () => {
    refuses('- a\n- b\n', 'NRX_ERR_SPEC_INVALID', /r\.yaml/);
  });
});
