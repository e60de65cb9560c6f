import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPERATOR_NAMES, getOperator } from '../../src/criteria/operators.js';
import { evaluateCriteria } from '../../src/criteria/criteria.js';

/** Evaluate one criterion on `trigger.v`; returns matched plus the error code if any. */
function check(type: string, value: unknown, pattern: unknown, extra: Record<string, unknown> = {}, now?: number) {
  const payload: Record<string, unknown> = value === undefined ? {} : { v: value };
  const r = evaluateCriteria({ 'trigger.v': { type, pattern, ...extra } }, { trigger: payload }, now !== undefined ? { now } : {});
  return { matched: r.matched, code: r.error?.code ?? null, reason: r.failures[0]?.reason ?? null };
}

const yes = (type: string, value: unknown, pattern: unknown, extra?: Record<string, unknown>, now?: number) =>
  assert.equal(check(type, value, pattern, extra, now).matched, true, `${type}(${JSON.stringify(value)}, ${JSON.stringify(pattern)}) should match`);
const no = (type: string, value: unknown, pattern: unknown, extra?: Record<string, unknown>, now?: number) => {
  const r = check(type, value, pattern, extra, now);
  assert.equal(r.matched, false, `${type}(${JSON.stringify(value)}, ${JSON.stringify(pattern)}) should not match`);
  assert.equal(r.code, null, `${type}: a plain non-match, not an error (${r.reason})`);
};
const opError = (type: string, value: unknown, pattern: unknown, extra?: Record<string, unknown>) => {
  const r = check(type, value, pattern, extra);
  assert.equal(r.matched, false);
  assert.equal(r.code, 'NRX_ERR_CRITERIA', `${type}(${JSON.stringify(value)}, ${JSON.stringify(pattern)}) should be an operator error, got ${r.code}`);
};

describe('operator names', () => {
  test('every name in the StackStorm operator list is known, case-insensitively', () => {
    const text = readFileSync('test/criteria/fixtures/criteria_operators.txt', 'utf8');
    const names = text
      .split('\n')
      .filter((l) => !l.startsWith('#') && /^\w+\s*\|/.test(l))
      .map((l) => l.split('|')[0]!.trim());
    assert.equal(names.length, 33);
    for (const n of names) {
      assert.ok(getOperator(n), n);
      assert.ok(getOperator(n.toUpperCase()), n.toUpperCase());
    }
    assert.deepEqual([...OPERATOR_NAMES].sort(), [...names].sort());
  });

  test('aliases share their operator', () => {
    const pairs = [
      ['eq', 'equals'],
      ['neq', 'nequals'],
      ['ieq', 'iequals'],
      ['lt', 'lessthan'],
      ['gt', 'greaterthan'],
      ['td_lt', 'timediff_lt'],
      ['td_gt', 'timediff_gt'],
      ['in', 'inside'],
      ['nin', 'ninside'],
    ];
    for (const [alias, name] of pairs) assert.equal(getOperator(alias!), getOperator(name!));
  });
});

describe('equality', () => {
  test('equals / eq', () => {
    for (const t of ['equals', 'eq', 'EQUALS']) {
      yes(t, 'Idle', 'Idle');
      no(t, 'idle', 'Idle');
      yes(t, 5, 5);
      yes(t, 1, true); // Python: True == 1
      no(t, '5', 5);
      yes(t, { a: [1, 2] }, { a: [1, 2] });
      no(t, { a: [1, 2] }, { a: [2, 1] });
      no(t, undefined, 'x');
    }
    no('equals', null, null); // a null pattern never matches
  });
  test('nequals / neq (pattern may be null)', () => {
    for (const t of ['nequals', 'neq']) {
      yes(t, 'Active', 'Established');
      no(t, 'Established', 'Established');
      yes(t, 'x', null);
      no(t, undefined, null);
    }
  });
  test('iequals / ieq', () => {
    for (const t of ['iequals', 'ieq']) {
      yes(t, 'GigabitEthernet0/1', 'gigabitethernet0/1');
      no(t, 'Gi0/1', 'Gi0/2');
      opError(t, 5, '5');
      opError(t, undefined, 'x');
    }
  });
});

describe('containment', () => {
  test('contains: substring, list member, dict key', () => {
    yes('contains', 'BGP neighbor 10.0.0.1 Down', 'Down');
    no('contains', 'BGP neighbor 10.0.0.1 Up', 'Down');
    yes('contains', ['ge-0/0/1', 'ge-0/0/2'], 'ge-0/0/2');
    no('contains', ['ge-0/0/1'], 'ge-0/0/2');
    yes('contains', { state: 'up' }, 'state');
    opError('contains', 'abc', 1);
    opError('contains', null, 'a');
  });
  test('icontains', () => {
    yes('icontains', 'LINK DOWN', 'down');
    no('icontains', 'link up', 'down');
    opError('icontains', ['a'], 'a');
  });
  test('ncontains', () => {
    yes('ncontains', 'link up', 'down');
    no('ncontains', 'link down', 'down');
    yes('ncontains', ['a'], 'b');
    opError('ncontains', 7, 'x');
  });
  test('incontains', () => {
    yes('incontains', 'link up', 'DOWN');
    no('incontains', 'link DOWN', 'down');
    opError('incontains', 3, 'x');
  });
  test('inside / in', () => {
    for (const t of ['inside', 'in']) {
      yes(t, 'established', ['idle', 'established']);
      no(t, 'active', ['idle', 'established']);
      yes(t, 'ab', 'xaby');
      yes(t, 2, [1, 2, 3]);
      opError(t, 2, 'abc');
    }
  });
  test('ninside / nin', () => {
    for (const t of ['ninside', 'nin']) {
      yes(t, 'idle', ['established']);
      no(t, 'established', ['established']);
      opError(t, 'x', 5);
    }
  });
});

describe('prefix and suffix', () => {
  test('startswith / istartswith', () => {
    yes('startswith', 'Ethernet1/1', 'Ethernet');
    no('startswith', 'ethernet1/1', 'Ethernet');
    yes('istartswith', 'ethernet1/1', 'ETHERNET');
    no('istartswith', 'Vlan10', 'eth');
    opError('startswith', 10, '1');
    opError('istartswith', 'x', 1);
  });
  test('endswith / iendswith', () => {
    yes('endswith', 'core1.dc1', '.dc1');
    no('endswith', 'core1.DC1', '.dc1');
    yes('iendswith', 'core1.DC1', '.dc1');
    no('iendswith', 'core1.dc2', '.dc1');
    opError('endswith', null, 'x');
  });
});

describe('ordering', () => {
  test('lessthan / lt and greaterthan / gt', () => {
    for (const t of ['lessthan', 'lt']) {
      yes(t, 3, 5);
      no(t, 5, 5);
      yes(t, 'a', 'b');
      yes(t, [1, 2], [1, 3]);
      opError(t, '3', 5); // no type coercion, as in Python
      opError(t, null, 5);
    }
    for (const t of ['greaterthan', 'gt']) {
      yes(t, 90.5, 80);
      no(t, 70, 80);
      opError(t, 'high', 80);
    }
  });
});

describe('patterns', () => {
  test('matchwildcard is a shell glob over the whole value', () => {
    yes('matchwildcard', 'core1.dc1', 'core*');
    yes('matchwildcard', 'eth0', 'eth?');
    no('matchwildcard', 'eth10', 'eth?');
    yes('matchwildcard', 'leaf3', 'leaf[1-4]');
    no('matchwildcard', 'leaf5', 'leaf[1-4]');
    yes('matchwildcard', 'leaf5', 'leaf[!1-4]');
    yes('matchwildcard', 'a/b/c', 'a*c');
    yes('matchwildcard', 'x.y', 'x.y');
    no('matchwildcard', 'xzy', 'x.y');
    yes('matchwildcard', 'a[b', 'a[b');
    no('matchwildcard', 'xcore1', 'core*');
    opError('matchwildcard', 1, '*');
  });
  test('matchregex is anchored at the start and dot matches newline', () => {
    yes('matchregex', 'BGP-5-ADJCHANGE: neighbor', 'BGP-\\d');
    no('matchregex', '%BGP-5-ADJCHANGE', 'BGP-\\d');
    yes('matchregex', 'line1\nline2', 'line1.line2');
    yes('matchregex', 'abc', 'a|zzz');
    no('matchregex', 'xabc', 'a|b');
  });
  test('regex searches anywhere, iregex ignores case', () => {
    yes('regex', '%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down', 'neighbor (\\S+) Down');
    no('regex', 'neighbor 10.0.0.1 Up', 'neighbor (\\S+) Down');
    no('regex', 'DOWN', 'down');
    yes('iregex', 'DOWN', 'down');
    yes('regex', 'x', '(?i)X'); // Python inline flag
    yes('regex', 'peer 1', '(?P<kind>peer) 1');
    yes('regex', 'a-b', '\\u0061-b'); // Python \uXXXX
    yes('regex', 'aa', '^a{,2}$'); // Python {,n} is {0,n}
    no('regex', 'aaa', '^a{,2}$');
    yes('regex', 'ab', 'a(?#comment)b');
    yes('regex', 'end\n', 'end$'); // Python $ also matches before a final newline
    no('regex', 'end\nx', 'end$');
    yes('regex', 'abc', '\\Aabc\\Z');
    opError('regex', 5, 'x');
  });
  test('backreferences and lookaround are refused by name: regexes run on a linear-time engine', () => {
    for (const [pattern, construct] of [
      ['(?P<kind>peer) (?P=kind)', 'backreference (?P=name)'],
      ['(a)\\1', 'backreference \\N'],
      ['Down(?! admin)', 'negative lookahead'],
      ['(?<=peer )1', 'lookbehind'],
    ]) {
      const r = evaluateCriteria({ 'trigger.v': { type: 'regex', pattern } }, { trigger: { v: 'x' } });
      assert.equal(r.error?.code, 'NRX_ERR_RULE_INVALID', pattern);
      assert.ok(r.error?.message.includes(construct), `${pattern}: ${r.error?.message}`);
      assert.match(r.error!.message, /linear-time/);
    }
  });
  test('an invalid static regex is refused when the criteria compile', () => {
    const r = evaluateCriteria({ 'trigger.v': { type: 'regex', pattern: '(unclosed' } }, { trigger: { v: 'x' } });
    assert.equal(r.matched, false);
    assert.equal(r.error?.code, 'NRX_ERR_RULE_INVALID');
  });
});

describe('time', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  test('timediff_lt / td_lt', () => {
    for (const t of ['timediff_lt', 'td_lt']) {
      yes(t, '2024-05-01T11:59:30Z', 60, {}, now);
      no(t, '2024-05-01T11:58:00Z', 60, {}, now);
      yes(t, '2024-05-01 11:59:30', 60, {}, now); // no zone: UTC
      yes(t, '2024-05-01T13:59:30+02:00', 60, {}, now);
    }
  });
  test('timediff_gt / td_gt', () => {
    for (const t of ['timediff_gt', 'td_gt']) {
      yes(t, '2024-05-01T11:00:00Z', 600, {}, now);
      no(t, '2024-05-01T11:59:00Z', 600, {}, now);
    }
  });
  test('timediff errors: unparsable time, non-numeric period', () => {
    opError('timediff_lt', 'yesterday-ish', 60);
    opError('timediff_lt', 12345, 60);
    opError('timediff_gt', '2024-05-01T11:00:00Z', 'soon');
  });
});

describe('existence', () => {
  test('exists / nexists ignore the pattern; a null value counts as missing', () => {
    yes('exists', 'x', undefined);
    yes('exists', 0, undefined);
    yes('exists', false, undefined);
    no('exists', null, undefined);
    no('exists', undefined, undefined);
    yes('nexists', undefined, undefined);
    yes('nexists', null, undefined);
    no('nexists', '', undefined);
  });
});

describe('search', () => {
  const neighbors = [
    { peer: '10.0.0.1', state: 'established', prefixes: 100 },
    { peer: '10.0.0.2', state: 'idle', prefixes: 0 },
  ];
  const nested = {
    'item.state': { type: 'equals', pattern: 'idle' },
    'item.prefixes': { type: 'lessthan', pattern: 1 },
  };
  test('any: one item matches all nested criteria', () => {
    yes('search', neighbors, nested, { condition: 'any' });
    no('search', [neighbors[0]], nested, { condition: 'any' });
    yes('search', neighbors[1], nested, { condition: 'any' }); // a single dict is a one-item list
  });
  test('all: every item matches all nested criteria', () => {
    no('search', neighbors, nested, { condition: 'all' });
    yes('search', [neighbors[1], neighbors[1]], nested, { condition: 'all' });
    yes('search', [], nested, { condition: 'all' });
  });
  test('all2any: every item matches at least one nested criterion', () => {
    const either = { 'item.state': { type: 'equals', pattern: 'idle' }, 'item.prefixes': { type: 'gt', pattern: 50 } };
    yes('search', neighbors, either, { condition: 'all2any' });
    no('search', [...neighbors, { peer: 'x', state: 'active', prefixes: 3 }], either, { condition: 'all2any' });
  });
  test('any2any: at least one item matches at least one nested criterion', () => {
    const odd = { 'item.state': { type: 'equals', pattern: 'connect' }, 'item.prefixes': { type: 'gt', pattern: 50 } };
    yes('search', neighbors, odd, { condition: 'any2any' });
    no('search', [neighbors[1]], odd, { condition: 'any2any' });
  });
  test('an unknown condition or a non-list value is an operator error', () => {
    opError('search', neighbors, nested, { condition: 'most' });
    opError('search', neighbors, nested, {});
    opError('search', 'text', nested, { condition: 'any' });
  });
  test('a nested criterion that errors counts as not matched for that item', () => {
    const items = [{ n: 'a' }, { n: 5 }];
    yes('search', items, { 'item.n': { type: 'lt', pattern: 10 } }, { condition: 'any' });
    no('search', items, { 'item.n': { type: 'lt', pattern: 10 } }, { condition: 'all' });
  });
  test('nested criteria with an unknown operator are refused at compile time', () => {
    const r = check('search', neighbors, { 'item.state': { type: 'bogus', pattern: 'x' } }, { condition: 'any' });
    assert.equal(r.code, 'NRX_ERR_RULE_INVALID');
  });
});
