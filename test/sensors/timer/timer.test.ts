import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../src/core/log.js';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import { nextFiring, parseSchedule } from '../../../src/sensors/timer/schedule.js';
import { TimerSensor } from '../../../src/sensors/timer/timer-sensor.js';

const T0 = Date.parse('2026-11-22T01:02:03Z');

test('interval timers fire every delta from their start', () => {
  const s = parseSchedule('core.st2.IntervalTimer', { unit: 'minutes', delta: 5 });
  assert.equal(nextFiring(s, T0, T0), T0 + 300_000);
  assert.equal(nextFiring(s, T0 + 300_000, T0), T0 + 600_000);
});

test('cron timers use APScheduler field defaults (lower fields to their minimum)', () => {
  const s = parseSchedule('core.st2.CronTimer', { hour: 3, timezone: 'UTC' });
  assert.deepEqual(s, { kind: 'cron', expression: '0 0 3 * * *', timezone: 'UTC' });
  assert.equal(new Date(nextFiring(s, T0, T0)!).toISOString(), '2026-11-22T03:00:00.000Z');
  const weekly = parseSchedule('core.st2.CronTimer', { day_of_week: 'sat', hour: 2, minute: 30 });
  assert.equal(new Date(nextFiring(weekly, T0, T0)!).toISOString(), '2026-11-28T02:30:00.000Z');
});

test('date timers fire once, and never when in the past', () => {
  const s = parseSchedule('core.st2.DateTimer', { date: '2026-12-01T02:00:00Z' });
  assert.equal(nextFiring(s, T0, T0), Date.parse('2026-12-01T02:00:00Z'));
  assert.equal(nextFiring(s, Date.parse('2027-01-01T00:00:00Z'), T0), null);
});

test('bad timer parameters name the rule file and field', () => {
  assert.throws(
    () => parseSchedule('core.st2.IntervalTimer', { unit: 'fortnights', delta: 1 }, { file: 'r.yaml' }),
    /r\.yaml, field 'trigger\.parameters\.unit'/,
  );
  assert.throws(() => parseSchedule('core.st2.CronTimer', { minute: 'soon' }), /invalid minute/);
  assert.throws(() => parseSchedule('core.st2.DateTimer', { date: 'tomorrow' }), /date must be/);
});

test('the sensor emits events of the timer trigger type for each enabled timer rule', async () => {
  const got: EventEnvelope[] = [];
  const sensor = new TimerSensor((e) => void got.push(e), silentLogger);
  const rule = (ref: string, enabled = true) => ({
    ref,
    enabled,
    file: `${ref}.yaml`,
    trigger: { type: 'core.st2.IntervalTimer', parameters: { unit: 'seconds', delta: 0.05 } },
  });
  sensor.sync([rule('a.fast'), rule('a.off', false), { ref: 'a.other', enabled: true, file: 'x', trigger: { type: 'core.event', parameters: {} } }]);
  assert.equal(sensor.size, 1);
  await new Promise((r) => setTimeout(r, 180));
  sensor.sync([]);
  const n = got.length;
  assert.ok(n >= 2 && n <= 4, `${n} firings in 180 ms at 50 ms`);
  assert.equal(got[0]!.type, 'core.st2.IntervalTimer');
  assert.equal(got[0]!.payload.rule, 'a.fast');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(got.length, n, 'disarmed timers stop firing');
});

test('in the appliance, a StackStorm interval-timer rule runs its action on schedule', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { Appliance } = await import('../../../src/appliance.js');
  const { loadConfig } = await import('../../../src/core/config.js');
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-timer-'));
  const rules = path.join(root, 'packs', 'ops', 'rules');
  mkdirSync(rules, { recursive: true });
  writeFileSync(path.join(root, 'packs', 'ops', 'pack.yaml'), 'ref: ops\nname: ops\nversion: 0.1.0\n');
  writeFileSync(
    path.join(rules, 'tick.yaml'),
    'name: tick\npack: ops\nenabled: true\ntrigger:\n  type: core.st2.IntervalTimer\n  parameters: { unit: seconds, delta: 0.1 }\naction:\n  ref: core.noop\n',
  );
  const a = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
  await a.start();
  try {
    await new Promise((r) => setTimeout(r, 450));
    const enf = await a.store.listEnforcements({ ruleRef: 'ops.tick' });
    assert.ok(enf.length >= 2, `${enf.length} timer firings reached the rule`);
    assert.ok(enf.every((e) => e.outcome === 'executed'));
  } finally {
    await a.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
