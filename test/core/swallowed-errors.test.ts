import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogBudget } from '../../src/core/rate-limited-log.js';
import { reportSwallowed, swallowedErrorCounts } from '../../src/core/swallowed-errors.js';

test('every swallowed error is counted by where; the log gets five lines a minute per place, then the count held back', () => {
  const lines: Array<[Record<string, unknown>, string]> = [];
  const log = { warn: ((f: Record<string, unknown>, m: string) => void lines.push([f, m])) as never };
  const before = swallowedErrorCounts().get('test_place') ?? 0;
  for (let i = 0; i < 12; i++) reportSwallowed({ where: 'test_place', error: new TypeError(`bad ${i}`), msg: 'carried on', fields: { rule: 'r1' }, log });
  reportSwallowed({ where: 'other_place', error: 'text thrown', msg: 'other', log });
  assert.equal(swallowedErrorCounts().get('test_place'), before + 12);
  assert.equal(swallowedErrorCounts().get('other_place'), 1);
  const mine = lines.filter(([f]) => f.where === 'test_place');
  assert.equal(mine.length, 5, 'a repeated error does not flood the log');
  assert.deepEqual(mine[0], [{ where: 'test_place', err: { code: 'NRX_ERR_INTERNAL', message: 'bad 0', retryable: false }, rule: 'r1' }, 'carried on']);
  assert.equal(lines.filter(([f]) => f.where === 'other_place').length, 1, 'each place has a budget of its own');
});

test('a log budget: burst lines per interval; the first line of the next interval carries how many were held back', () => {
  let now = 0;
  const b = new LogBudget({ burst: 2, intervalMs: 1000, now: () => now });
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [{ suppressed: 0 }, { suppressed: 0 }, null, null]);
  assert.equal(b.pending, 2);
  now = 999;
  assert.equal(b.take(), null);
  now = 1000;
  assert.deepEqual(b.take(), { suppressed: 3 });
  assert.equal(b.pending, 0);
});
