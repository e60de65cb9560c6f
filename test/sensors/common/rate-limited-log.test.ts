import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SensorCounters } from '../../../src/sensors/common/counters.js';
import { RateLimitedLog } from '../../../src/sensors/common/rate-limited-log.js';

test('at most `burst` lines per interval; the next line that gets through reports how many were held back', () => {
  let now = 0;
  const lines: Array<[Record<string, unknown>, string]> = [];
  const log = new RateLimitedLog(
    { warn: ((f: Record<string, unknown>, m: string) => void lines.push([f, m])) as never },
    { burst: 3, intervalMs: 1000, now: () => now },
  );
  for (let i = 0; i < 10; i++) log.warn({ i }, 'bad');
  assert.equal(lines.length, 3);
  assert.equal(log.pendingSuppressed, 7);
  now = 1000;
  assert.equal(log.warn({ i: 10 }, 'bad'), true);
  assert.deepEqual(lines[3]![0], { i: 10, suppressed: 7 });
  assert.equal(log.pendingSuppressed, 0);
});

test('sensor counters snapshot and reset', () => {
  const c = new SensorCounters('syslog');
  c.received += 3;
  c.malformed++;
  assert.deepEqual(c.snapshot(), { received: 3, decoded: 0, normalised: 0, unknown: 0, malformed: 1, dropped: 0 });
  c.reset();
  assert.equal(c.received, 0);
  assert.equal(c.sensor, 'syslog');
});
