import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYaml } from '../../../src/core/yaml.js';
import { parseRule } from '../../../src/rules/rule.js';
import { timerParameterProblems } from '../../../src/rules/timer-parameters.js';

const rule = (trigger: string): string => `name: tick\npack: ops\nenabled: true\ntrigger:\n${trigger}\naction:\n  ref: core.noop\n`;
const loadError = (trigger: string): Error => {
  try {
    parseRule(parseYaml(rule(trigger), 'rules/tick.yaml'));
  } catch (e) {
    return e as Error;
  }
  throw new Error('the rule loaded');
};

test('timer rules StackStorm accepts load', () => {
  for (const t of [
    '  type: core.st2.IntervalTimer\n  parameters: { unit: minutes, delta: 5 }',
    '  type: core.st2.CronTimer\n  parameters: { timezone: UTC, hour: 2, minute: "*/15", day_of_week: mon-fri }',
    '  type: core.st2.DateTimer\n  parameters: { timezone: UTC, date: "2026-12-01 02:00:00" }',
  ])
    assert.equal(parseRule(parseYaml(rule(t), 'rules/tick.yaml')).trigger.type.startsWith('core.st2.'), true);
});

test('an unknown field, a value out of range and a missing date fail at load naming the rule file, line and field', () => {
  const unknown = loadError('  type: core.st2.IntervalTimer\n  parameters:\n    unit: minutes\n    delta: 5\n    every: 3');
  assert.match(unknown.message, /rules\/tick\.yaml, line 9, field 'trigger\.parameters\.every'/);
  assert.match(unknown.message, /no parameter 'every' \(it takes unit, delta\)/);
  const hour = loadError('  type: core.st2.CronTimer\n  parameters:\n    hour: 25');
  assert.match(hour.message, /field 'trigger\.parameters\.hour'.*from 0 to 23, got 25/);
  const range = loadError('  type: core.st2.CronTimer\n  parameters:\n    minute: "10-75"');
  assert.match(range.message, /value 75 is out of range 0-59/);
  const date = loadError('  type: core.st2.DateTimer\n  parameters:\n    timezone: UTC');
  assert.match(date.message, /field 'trigger\.parameters\.date'.*needs 'date'/);
  const unit = loadError('  type: core.st2.IntervalTimer\n  parameters: { unit: fortnights, delta: 1 }');
  assert.match(unit.message, /unit must be one of weeks, days, hours, minutes, seconds/);
});

test('problems are listed together; other trigger types are not checked here', () => {
  const all = timerParameterProblems('core.st2.IntervalTimer', { delta: -1, units: 'days' });
  assert.deepEqual(
    all.map((p) => p.field),
    ['units', 'unit', 'delta'],
  );
  assert.deepEqual(timerParameterProblems('core.st2.CronTimer', { timezone: 'UTC' })[0]!.field, '');
  assert.deepEqual(timerParameterProblems('network.bgp_peer_state_changed', { anything: 1 }), []);
  assert.deepEqual(timerParameterProblems('core.st2.CronTimer', { minute: '*/90' }), [], 'a step may exceed the range');
});
