import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileCriteria, evaluateCriteria } from '../../src/criteria/criteria.js';
import { OPERATOR_NAMES } from '../../src/criteria/operators.js';
import { lookupPath, parseKeyPath } from '../../src/criteria/values.js';
import { NrxError } from '../../src/core/errors.js';

const bgp = { device: 'core1', peer: '10.0.0.1', state: 'idle', asn: 65001, neighbors: [{ ip: '10.0.0.1' }] };

describe('criteria maps', () => {
  test('all criteria must hold', () => {
    const crit = { 'trigger.device': { type: 'equals', pattern: 'core1' }, 'trigger.state': { type: 'ninside', pattern: ['established'] } };
    assert.equal(evaluateCriteria(crit, { trigger: bgp }).matched, true);
    const r = evaluateCriteria(crit, { trigger: { ...bgp, state: 'established' } });
    assert.equal(r.matched, false);
    assert.deepEqual(
      r.failures.map((f) => f.key),
      ['trigger.state'],
    );
  });

  test('empty or missing criteria match everything', () => {
    assert.equal(evaluateCriteria({}, { trigger: bgp }).matched, true);
    assert.equal(evaluateCriteria(undefined, { trigger: bgp }).matched, true);
  });

  test('#suffix keys test the same field twice', () => {
    const crit = { 'trigger.asn#1': { type: 'gt', pattern: 65000 }, 'trigger.asn#2': { type: 'lt', pattern: 65100 } };
    assert.equal(evaluateCriteria(crit, { trigger: bgp }).matched, true);
    const r = evaluateCriteria(crit, { trigger: { asn: 65200 } });
    assert.deepEqual(
      r.failures.map((f) => f.key),
      ['trigger.asn#2'],
    );
  });

  test('dotted and indexed paths; a missing key is null', () => {
    assert.deepEqual(parseKeyPath('trigger.neighbors[0].ip#x'), ['trigger', 'neighbors', 0, 'ip']);
    assert.equal(lookupPath({ trigger: bgp }, parseKeyPath('trigger.neighbors[0].ip')), '10.0.0.1');
    assert.equal(lookupPath({ trigger: bgp }, parseKeyPath('trigger.neighbors.0.ip')), '10.0.0.1');
    assert.equal(lookupPath({ trigger: bgp }, parseKeyPath('trigger.nope.deeper')), null);
    assert.equal(lookupPath({ trigger: {} }, parseKeyPath('trigger.constructor')), null);
    assert.equal(evaluateCriteria({ 'trigger.nope': { type: 'nexists' } }, { trigger: bgp }).matched, true);
    assert.equal(evaluateCriteria({ 'trigger.nope': { type: 'equals', pattern: 'x' } }, { trigger: bgp }).matched, false);
  });

  test('event envelope fields are reachable too', () => {
    assert.equal(evaluateCriteria({ 'event.device': { type: 'equals', pattern: 'core1' } }, { trigger: {}, event: { device: 'core1' } }).matched, true);
  });

  test('Jinja patterns are rendered against the context first', () => {
    const ctx = { trigger: { ...bgp, expected: 'idle' } };
    assert.equal(evaluateCriteria({ 'trigger.state': { type: 'equals', pattern: '{{ trigger.expected }}' } }, ctx).matched, true);
    assert.equal(evaluateCriteria({ 'trigger.state': { type: 'equals', pattern: 'x{{ trigger.expected }}' } }, ctx).matched, false);
    // An expression-only pattern keeps its type (a number compares as a number).
    assert.equal(evaluateCriteria({ 'trigger.asn': { type: 'equals', pattern: '{{ trigger.asn }}' } }, ctx).matched, true);
    // Event data is never a template: a payload holding '{{' is just text.
    assert.equal(evaluateCriteria({ 'trigger.msg': { type: 'equals', pattern: '{{ x }}' } }, { trigger: { msg: '{{ x }}' } }).matched, false);
  });

  test('a pattern that fails to render is a non-match with the error kept', () => {
    const r = evaluateCriteria({ 'trigger.state': { type: 'equals', pattern: '{{ trigger.state | no_such_filter }}' } }, { trigger: bgp });
    assert.equal(r.matched, false);
    assert.ok(r.error instanceof NrxError);
    assert.equal(r.error.code, 'NRX_ERR_TEMPLATE');
    assert.match(r.failures[0]!.reason, /did not render/);
  });

  test('operator errors do not match and say why', () => {
    const r = evaluateCriteria({ 'trigger.state': { type: 'lessthan', pattern: 5 } }, { trigger: bgp });
    assert.equal(r.matched, false);
    assert.equal(r.error?.code, 'NRX_ERR_CRITERIA');
    assert.match(r.failures[0]!.reason, /not supported between instances of 'str' and 'int'/);
  });

  test('explain reports every failure; test() stops at the first', () => {
    const crit = compileCriteria({ 'trigger.a': { type: 'equals', pattern: 1 }, 'trigger.b': { type: 'equals', pattern: 2 } });
    const quick = crit.test({ trigger: {} });
    assert.equal(quick.failures.length, 1);
    assert.equal(quick.evaluated, 1);
    assert.equal(crit.test({ trigger: {} }, { explain: true }).failures.length, 2);
  });
});

describe('compileCriteria validation', () => {
  const lineOf = (p: ReadonlyArray<string | number>) => (p.length >= 3 ? 7 : 5);
  test('unknown operator names the file, line and field', () => {
    assert.throws(
      () => compileCriteria({ 'trigger.state': { type: 'equalz', pattern: 'x' } }, { file: 'rules/a.yaml', path: ['criteria'], lineOf }),
      (e: unknown) =>
        e instanceof NrxError &&
        e.code === 'NRX_ERR_RULE_INVALID' &&
        /rules\/a\.yaml, line 7, field 'criteria\.trigger\.state\.type'/.test(e.message) &&
        /equalz/.test(e.message),
    );
  });
  test('missing type and non-map criteria are refused', () => {
    assert.throws(() => compileCriteria({ 'trigger.state': { pattern: 'x' } }), /no operator 'type'/);
    assert.throws(() => compileCriteria({ 'trigger.state': 'idle' }), /must be a map/);
    assert.throws(() => compileCriteria(['x']), /criteria must be a map/);
  });
  test('invalid static glob is refused', () => {
    assert.throws(
      () => compileCriteria({ 'trigger.x': { type: 'matchwildcard', pattern: '[z-a]' } }),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_RULE_INVALID',
    );
  });
  test('templated regex patterns are checked at evaluation, not compile time', () => {
    const c = compileCriteria({ 'trigger.x': { type: 'regex', pattern: '{{ trigger.re }}' } });
    assert.equal(c.test({ trigger: { x: 'abc', re: 'b+' } }).matched, true);
    const bad = c.test({ trigger: { x: 'abc', re: '(' } });
    assert.equal(bad.matched, false);
    assert.equal(bad.error?.code, 'NRX_ERR_CRITERIA');
  });
});

describe('hostile payloads', () => {
  const patternFor = (op: string): unknown => {
    if (op === 'search') return { 'item.a': { type: 'equals', pattern: 1 }, 'item.b': { type: 'regex', pattern: 'x' } };
    if (op.startsWith('t')) return 60;
    if (op === 'inside' || op === 'in' || op === 'ninside' || op === 'nin') return ['a', 1, null];
    return 'a*';
  };
  const criteria: Record<string, unknown> = {};
  for (const op of OPERATOR_NAMES) criteria[`trigger.v#${op}`] = { type: op, pattern: patternFor(op), condition: 'any' };
  const single = OPERATOR_NAMES.map((op) => ({ [`trigger.v`]: { type: op, pattern: patternFor(op), condition: 'any2any' } }));

  test('no operator throws out of evaluateCriteria on arbitrary JSON payloads', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (v, other) => {
        const ctx = { trigger: { v, other } };
        const all = evaluateCriteria(criteria, ctx);
        assert.equal(typeof all.matched, 'boolean');
        for (const c of single) {
          const r = evaluateCriteria(c, ctx);
          assert.equal(typeof r.matched, 'boolean');
          if (r.error) assert.ok(r.error instanceof NrxError);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary payload objects (odd keys included) never throw', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'v', 'toString')), fc.jsonValue()), (payload) => {
        const r = evaluateCriteria(criteria, { trigger: payload });
        assert.equal(typeof r.matched, 'boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('error locations', () => {
  test('an operator error names the rule file, line and criterion', () => {
    const c = compileCriteria({ 'trigger.count': { type: 'lt', pattern: 5 } }, { file: 'rules/r.yaml', path: ['criteria'], lineOf: () => 9 });
    const r = c.test({ trigger: { count: 'many' } });
    assert.equal(r.error?.code, 'NRX_ERR_CRITERIA');
    assert.deepEqual(r.error?.location, { file: 'rules/r.yaml', line: 9, field: 'criteria.trigger.count' });
    assert.match(r.error!.message, /^rules\/r\.yaml, line 9, field 'criteria\.trigger\.count': '<' not supported/);
    assert.match(r.failures[0]!.reason, /^lessthan: '<' not supported/);
  });
});
