import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { swallowedErrorCounts } from '../../src/core/swallowed-errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { loadYamlFile } from '../../src/core/yaml-file.js';
import { RuleEnforcer, type Decision } from '../../src/rules/enforcer.js';
import { parseMaintenanceFile } from '../../src/rules/maintenance.js';
import { RuleIndex } from '../../src/rules/matcher.js';
import { parseRule } from '../../src/rules/rule.js';
import { bgpEvent, rule } from './helpers.js';

const T = 'network.bgp_peer_state_changed';
const S = 1000;
const H = 3600 * S;
const T0 = Date.parse('2024-05-01T12:00:00Z'); // a Wednesday
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

const downCriteria = { 'trigger.state': { type: 'ninside', pattern: ['established'] } };
const params = { device: '{{ trigger.device }}', peer: '{{ trigger.peer }}', asn: '{{ trigger.asn }}' };

function enforcerWith(...docs: Array<Record<string, unknown>>) {
  const index = new RuleIndex();
  for (const d of docs) index.add(rule(d));
  return new RuleEnforcer({ index });
}

const outcomes = (ds: Decision[]) => ds.map((d) => d.outcome);
const down = (peer = '10.0.0.1', device = 'core1') => bgpEvent({ device, peer, state: 'idle', asn: 65001 });
const up = (peer = '10.0.0.1', device = 'core1') => bgpEvent({ device, peer, state: 'established', asn: 65001 });

describe('RuleEnforcer: execute and render', () => {
  test('a match executes with parameters rendered from {trigger, event}', () => {
    const e = enforcerWith({
      name: 'r',
      trigger: { type: T },
      criteria: downCriteria,
      action: { ref: 'net.fix', parameters: { ...params, src: '{{ event.source }}' } },
    });
    const [d, ...rest] = e.onEvent(down(), T0);
    assert.equal(rest.length, 0);
    assert.equal(d!.outcome, 'execute');
    assert.equal(d!.actionRef, 'net.fix');
    assert.deepEqual(d!.parameters, { device: 'core1', peer: '10.0.0.1', asn: 65001, src: 'test' });
    assert.deepEqual(e.onEvent(up(), T0), []);
  });

  test('a parameter that fails to render is a failed decision with the reason', () => {
    const e = enforcerWith({ name: 'r', trigger: { type: T }, action: { ref: 'net.fix', parameters: { x: '{{ trigger.peer | no_such_filter }}' } } });
    const [d] = e.onEvent(down(), T0);
    assert.equal(d!.outcome, 'failed');
    assert.match(d!.reason!, /action parameters/);
    assert.match(d!.reason!, /rules\/r\.yaml/);
  });

  test('a criteria error is a failed decision', () => {
    const e = enforcerWith({ name: 'r', trigger: { type: T }, criteria: { 'trigger.asn': { type: 'lt', pattern: 'x' } } });
    const [d] = e.onEvent(down(), T0);
    assert.equal(d!.outcome, 'failed');
    assert.match(d!.reason!, /criteria could not be evaluated/);
  });
});

describe('RuleEnforcer: throttle and escalation', () => {
  test('shorthand throttle: 10m is once per 10 minutes per rule', () => {
    const e = enforcerWith({ name: 'r', trigger: { type: T }, throttle: '10m' });
    assert.deepEqual(outcomes(e.onEvent(down(), T0)), ['execute']);
    assert.deepEqual(outcomes(e.onEvent(down('10.0.0.9', 'edge2'), T0 + 60 * S)), ['throttled']);
    assert.deepEqual(outcomes(e.onEvent(down(), T0 + 10 * 60 * S)), ['execute']);
  });

  test('3 in an hour, then escalate once, then throttled; keys count separately', () => {
    const e = enforcerWith({
      name: 'bgp',
      trigger: { type: T },
      criteria: downCriteria,
      action: { ref: 'remediation.bgp_peer_down', parameters: params },
      throttle: { key: '{{ trigger.device }}/{{ trigger.peer }}', max: 3, per: '1h', then: 'remediation.escalate_bgp' },
    });
    const seen = [0, 1, 2, 3, 4, 5].map((i) => e.onEvent(down(), T0 + i * 60 * S)[0]!);
    assert.deepEqual(outcomes(seen), ['execute', 'execute', 'execute', 'escalate', 'throttled', 'throttled']);
    const esc = seen[3]!;
    assert.equal(esc.actionRef, 'remediation.escalate_bgp');
    assert.deepEqual(esc.parameters, {
      device: 'core1',
      peer: '10.0.0.1',
      asn: 65001,
      escalation: { rule: 'test.bgp', key: 'core1/10.0.0.1', count: 3, window: '1h' },
    });
    assert.equal(seen[4]!.actionRef, 'remediation.bgp_peer_down');
    assert.match(seen[4]!.reason!, /throttled: 3 executions for key 'core1\/10\.0\.0\.1' within 1h/);
    // Another peer has its own budget.
    assert.deepEqual(outcomes(e.onEvent(down('10.0.0.2'), T0 + 6 * 60 * S)), ['execute']);
    // An hour after the first attempt, the window slides and the rule may act again.
    assert.deepEqual(outcomes(e.onEvent(down(), T0 + H + 1)), ['execute']);
  });

  test('the design sketch rule end to end: hold, then 3 repairs, 1 escalation, then quiet', () => {
    const index = new RuleIndex();
    index.add(parseRule(loadYamlFile(path.join(fixtures, 'bgp_peer_down.yaml'))));
    const e = new RuleEnforcer({ index });
    const fired: Decision[] = [];
    for (let i = 0; i < 5; i++) {
      const t = T0 + i * 5 * 60 * S;
      assert.deepEqual(outcomes(e.onEvent(down(), t)), ['held']);
      fired.push(...e.tick(t + 15 * S));
    }
    assert.deepEqual(outcomes(fired), ['execute', 'execute', 'execute', 'escalate', 'throttled']);
    assert.equal(fired[3]!.actionRef, 'remediation.escalate_bgp');
  });
});

describe('RuleEnforcer: hold_down', () => {
  const held = { name: 'h', trigger: { type: T }, criteria: downCriteria, hold_down: '15s', action: { ref: 'net.fix', parameters: params } };

  test('a fault that stays fires when the hold runs out', () => {
    const e = enforcerWith(held);
    const [d] = e.onEvent(down(), T0);
    assert.equal(d!.outcome, 'held');
    assert.equal(d!.releaseAt, T0 + 15 * S);
    assert.equal(e.nextDeadline(), T0 + 15 * S);
    assert.deepEqual(e.tick(T0 + 14 * S), []);
    const fired = e.tick(T0 + 15 * S);
    assert.deepEqual(outcomes(fired), ['execute']);
    assert.deepEqual(fired[0]!.parameters, { device: 'core1', peer: '10.0.0.1', asn: 65001 });
    assert.equal(e.nextDeadline(), null);
  });

  test('a fault cleared within the hold never fires', () => {
    const e = enforcerWith(held);
    const first = down();
    e.onEvent(first, T0);
    const cleared = e.onEvent(up(), T0 + 5 * S);
    assert.deepEqual(outcomes(cleared), ['cleared']);
    assert.equal(cleared[0]!.event.id, first.id);
    assert.deepEqual(e.tick(T0 + 60 * S), []);
  });

  test('a second matching event for a held key does not start a second hold', () => {
    const e = enforcerWith(held);
    e.onEvent(down(), T0);
    const again = e.onEvent(down(), T0 + 5 * S);
    assert.deepEqual(outcomes(again), ['held']);
    assert.equal(again[0]!.releaseAt, T0 + 15 * S);
    assert.match(again[0]!.reason!, /already held/);
    assert.equal(e.pendingHolds, 1);
    assert.deepEqual(outcomes(e.tick(T0 + 20 * S)), ['execute']);
  });

  test('the default key is the device; another device does not clear', () => {
    const e = enforcerWith(held);
    e.onEvent(down('10.0.0.1', 'core1'), T0);
    assert.deepEqual(e.onEvent(up('10.0.0.1', 'core2'), T0 + S), []);
    assert.deepEqual(outcomes(e.tick(T0 + 15 * S)), ['execute']);
  });

  test('the hold key defaults to the throttle key', () => {
    const e = enforcerWith({ ...held, throttle: { key: '{{ trigger.device }}/{{ trigger.peer }}', max: 5, per: '1h' } });
    e.onEvent(down('10.0.0.1'), T0);
    assert.deepEqual(outcomes(e.onEvent(down('10.0.0.2'), T0 + S)), ['held']);
    assert.equal(e.pendingHolds, 2);
    assert.deepEqual(outcomes(e.onEvent(up('10.0.0.2'), T0 + 2 * S)), ['cleared']);
    assert.deepEqual(outcomes(e.tick(T0 + 16 * S)), ['execute']);
  });

  test('explicit clear criteria: only events matching them clear', () => {
    const e = enforcerWith({
      name: 'lag',
      trigger: { type: 'network.syslog' },
      criteria: { 'trigger.message': { type: 'contains', pattern: 'LINK DOWN' } },
      hold_down: { for: '30s', key: '{{ trigger.device }}:{{ trigger.interface }}', clear: { 'trigger.message': { type: 'contains', pattern: 'LINK UP' } } },
    });
    const log = (message: string) => bgpEvent({ device: 'leaf1', interface: 'et1', message }, 'network.syslog');
    assert.deepEqual(outcomes(e.onEvent(log('et1 LINK DOWN'), T0)), ['held']);
    assert.deepEqual(e.onEvent(log('et1 flapping'), T0 + S), []); // matches neither: not a clear
    assert.deepEqual(outcomes(e.onEvent(log('et1 LINK UP'), T0 + 2 * S)), ['cleared']);
  });

  test('a hold_down key that does not render for a clearing event: counted, logged, and the hold still fires', () => {
    const e = enforcerWith({
      name: 'lag',
      trigger: { type: 'network.syslog' },
      criteria: { 'trigger.message': { type: 'contains', pattern: 'LINK DOWN' } },
      hold_down: {
        for: '30s',
        key: '{{ trigger.device }}:{{ trigger.interface.replace("et", "Ethernet") }}',
        clear: { 'trigger.message': { type: 'contains', pattern: 'LINK UP' } },
      },
    });
    const before = swallowedErrorCounts().get('hold_down_key') ?? 0;
    assert.deepEqual(outcomes(e.onEvent(bgpEvent({ device: 'leaf1', interface: 'et1', message: 'et1 LINK DOWN' }, 'network.syslog'), T0)), ['held']);
    assert.deepEqual(e.onEvent(bgpEvent({ device: 'leaf1', message: 'LINK UP' }, 'network.syslog'), T0 + S), [], 'no interface: cannot be the clearing event');
    assert.equal(swallowedErrorCounts().get('hold_down_key'), before + 1);
    assert.deepEqual(outcomes(e.tick(T0 + 30 * S)), ['execute']);
  });

  test('an event after the hold ran out cannot clear it: the hold fires first', () => {
    const e = enforcerWith(held);
    e.onEvent(down(), T0);
    assert.deepEqual(outcomes(e.onEvent(up(), T0 + 20 * S)), ['execute']);
  });

  test('throttle applies when a hold fires', () => {
    const e = enforcerWith({ ...held, throttle: { max: 1, per: '1h', then: 'net.escalate' } });
    e.onEvent(down(), T0);
    assert.deepEqual(outcomes(e.tick(T0 + 15 * S)), ['execute']);
    e.onEvent(down(), T0 + 60 * S);
    assert.deepEqual(outcomes(e.tick(T0 + 75 * S)), ['escalate']);
  });
});

describe('RuleEnforcer: maintenance', () => {
  const windows = parseMaintenanceFile(
    parseYaml(
      `windows:
  - {name: core-work, devices: ["core*"], start: "2024-05-01T11:00:00Z", end: "2024-05-01T13:00:00Z"}
  - {name: leaf-nights, groups: [leafs], days: [wed], from: "00:00", to: "06:00"}
`,
      'maintenance.yaml',
    ),
  );
  const make = (extra: Record<string, unknown> = {}) => {
    const index = new RuleIndex();
    index.add(rule({ name: 'm', trigger: { type: T }, criteria: downCriteria, ...extra }));
    return new RuleEnforcer({ index, maintenance: () => windows, groupsOf: (d) => (d.startsWith('leaf') ? ['leafs'] : []) });
  };

  test('suppressed by device glob during the window, acts after it', () => {
    const e = make();
    const [d] = e.onEvent(down('p', 'core1'), T0);
    assert.equal(d!.outcome, 'maintenance');
    assert.match(d!.reason!, /device core1 is in maintenance window 'core-work'/);
    assert.deepEqual(outcomes(e.onEvent(down('p', 'core1'), T0 + 2 * H)), ['execute']);
    assert.deepEqual(outcomes(e.onEvent(down('p', 'edge1'), T0)), ['execute']);
  });

  test('suppressed by group and time of day', () => {
    const e = make();
    assert.deepEqual(outcomes(e.onEvent(down('p', 'leaf7'), Date.parse('2024-05-01T03:00:00Z'))), ['maintenance']);
    assert.deepEqual(outcomes(e.onEvent(down('p', 'leaf7'), Date.parse('2024-05-01T07:00:00Z'))), ['execute']);
    assert.deepEqual(outcomes(e.onEvent(down('p', 'leaf7'), Date.parse('2024-05-02T03:00:00Z'))), ['execute']); // Thursday
  });

  test('maintenance: ignore acts anyway; a hold released during maintenance is suppressed', () => {
    assert.deepEqual(outcomes(make({ maintenance: 'ignore' }).onEvent(down('p', 'core1'), T0)), ['execute']);
    const e = make({ hold_down: '1h' });
    assert.deepEqual(outcomes(e.onEvent(down('p', 'core1'), T0 - 2 * H)), ['held']);
    assert.deepEqual(outcomes(e.tick(T0 - H)), ['maintenance']);
  });
});

describe('RuleEnforcer: snapshot and restore', () => {
  test('holds and throttle counters survive a restart through JSON', () => {
    const docs = [
      { name: 'h', trigger: { type: T }, criteria: downCriteria, hold_down: '15s', action: { ref: 'net.fix', parameters: params } },
      { name: 't', trigger: { type: 'network.lag_member_down' }, throttle: { max: 2, per: '1h', then: 'net.escalate' } },
    ];
    const before = enforcerWith(...docs);
    before.onEvent(down(), T0);
    const lag = () => bgpEvent({ device: 'leaf1' }, 'network.lag_member_down');
    assert.deepEqual(outcomes([...before.onEvent(lag(), T0), ...before.onEvent(lag(), T0 + S)]), ['execute', 'execute']);
    const saved = JSON.parse(JSON.stringify(before.snapshot()));

    const after = enforcerWith(...docs);
    after.restore(saved);
    assert.equal(after.nextDeadline(), T0 + 15 * S);
    assert.deepEqual(outcomes(after.onEvent(lag(), T0 + 2 * S)), ['escalate']);
    const fired = after.tick(T0 + 15 * S);
    assert.deepEqual(outcomes(fired), ['execute']);
    assert.equal(fired[0]!.parameters!.peer, '10.0.0.1');
  });

  test('a malformed snapshot is refused', () => {
    const e = enforcerWith();
    assert.throws(() => e.restore({ version: 2 }), /snapshot/);
    assert.throws(() => e.restore({ version: 1, holds: [{ rule: 1 }], throttles: [] }), /malformed hold-down/);
  });
});
