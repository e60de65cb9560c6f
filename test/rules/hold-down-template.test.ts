import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RuleEnforcer } from '../../src/rules/enforcer.js';
import { RuleIndex } from '../../src/rules/matcher.js';
import { bgpEvent, rule } from './helpers.js';

/**
 * hold_down.for as a template: a shipped rule reads its hold-down from the datastore
 * (`{{ st2kv.system.remediation.bgp.hold_down | default('15s', true) }}`), so an operator tunes
 * it without editing the rule. Here a plain name stands in for st2kv.
 */
const T = 'network.bgp_peer_state_changed';
const T0 = Date.parse('2024-05-01T12:00:00Z');
const S = 1000;

function enforcer(hold: unknown) {
  const index = new RuleIndex();
  index.add(
    rule({
      name: 'tuned',
      trigger: { type: T },
      criteria: { 'trigger.state': { type: 'ninside', pattern: ['established'] } },
      hold_down: { for: "{{ tuning.hold_down | default('15s', true) }}", key: '{{ trigger.device }}/{{ trigger.peer }}' },
      action: { ref: 'net.fix', parameters: { peer: '{{ trigger.peer }}' } },
    }),
  );
  return new RuleEnforcer({ index, names: { tuning: { hold_down: hold } } });
}
const down = () => bgpEvent({ device: 'leaf1', peer: '10.0.1.1', state: 'idle' });

describe('hold_down.for from a template', () => {
  test('the rendered duration is the hold, and the decision says it', () => {
    const [d] = enforcer('2s').onEvent(down(), T0);
    assert.equal(d!.outcome, 'held');
    assert.equal(d!.releaseAt, T0 + 2 * S);
    assert.match(d!.reason!, /^hold_down 2s for key 'leaf1\/10\.0\.1\.1'/);
  });

  test('nothing set: the default in the template', () => {
    const [d] = enforcer(null).onEvent(down(), T0);
    assert.equal(d!.releaseAt, T0 + 15 * S);
  });

  test('0 fires at once (no hold)', () => {
    const e = enforcer('0');
    const [d, ...rest] = e.onEvent(down(), T0);
    assert.equal(rest.length, 0);
    assert.equal(d!.outcome, 'execute');
    assert.equal(e.pendingHolds, 0);
  });

  test('a value that is no duration fails the decision, naming the field and the value', () => {
    const [d] = enforcer('soon').onEvent(down(), T0);
    assert.equal(d!.outcome, 'failed');
    assert.match(d!.reason!, /^hold_down for: .*invalid duration "soon"/);
  });

  test('a fixed duration still loads as before', () => {
    const r = rule({ name: 'fixed', trigger: { type: T }, hold_down: { for: '30s' }, action: { ref: 'net.fix' } });
    assert.deepEqual([r.holdDown!.forMs, r.holdDown!.for, r.holdDown!.forTemplate], [30 * S, '30s', undefined]);
  });
});
