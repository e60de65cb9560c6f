import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleIndex } from '../../src/rules/matcher.js';
import { bgpEvent, rule } from './helpers.js';

const T = 'network.bgp_peer_state_changed';

describe('RuleIndex', () => {
  test('matches by trigger type and criteria, in the order rules were added', () => {
    const idx = new RuleIndex();
    idx.add(rule({ name: 'down', trigger: { type: T }, criteria: { 'trigger.state': { type: 'ninside', pattern: ['established'] } } }));
    idx.add(rule({ name: 'any', trigger: { type: T } }));
    idx.add(rule({ name: 'other', trigger: { type: 'network.lag_member_down' } }));
    assert.deepEqual(
      idx.match(bgpEvent({ state: 'idle' })).matched.map((r) => r.name),
      ['down', 'any'],
    );
    assert.deepEqual(
      idx.match(bgpEvent({ state: 'established' })).matched.map((r) => r.name),
      ['any'],
    );
    assert.deepEqual(idx.match(bgpEvent({}, 'nothing.listens')).matched, []);
    assert.equal(idx.size, 3);
  });

  test('disabled rules never match; add replaces by ref; remove takes a rule out', () => {
    const idx = new RuleIndex();
    idx.add(rule({ name: 'r', enabled: false, trigger: { type: T } }));
    assert.equal(idx.match(bgpEvent({})).matched.length, 0);
    idx.add(rule({ name: 'r', trigger: { type: T } }));
    assert.equal(idx.size, 1);
    assert.equal(idx.match(bgpEvent({})).matched.length, 1);
    assert.equal(idx.remove('test.r'), true);
    assert.equal(idx.match(bgpEvent({})).matched.length, 0);
    assert.equal(idx.remove('test.r'), false);
  });

  test('10,000 per-device rules: an event evaluates only its candidates', () => {
    const idx = new RuleIndex();
    for (let i = 0; i < 10_000; i++) {
      idx.add(
        rule({
          name: `peer_down_dev${i}`,
          trigger: { type: T },
          criteria: { 'trigger.device': { type: 'equals', pattern: `dev${i}` }, 'trigger.state': { type: 'equals', pattern: 'idle' } },
        }),
      );
    }
    // Rules without an indexable criterion are always candidates.
    idx.add(rule({ name: 'regex_rule', trigger: { type: T }, criteria: { 'trigger.device': { type: 'regex', pattern: '^dev42$' } } }));
    // iequals and inside are indexable too.
    idx.add(rule({ name: 'ieq_rule', trigger: { type: T }, criteria: { 'trigger.device': { type: 'iequals', pattern: 'DEV42' } } }));
    idx.add(rule({ name: 'in_rule', trigger: { type: T }, criteria: { 'trigger.device': { type: 'in', pattern: ['dev42', 'dev43'] } } }));
    // A templated pattern cannot be indexed.
    idx.add(rule({ name: 'tmpl_rule', trigger: { type: T }, criteria: { 'trigger.device': { type: 'equals', pattern: '{{ trigger.expected }}' } } }));
    assert.equal(idx.size, 10_004);

    // the candidate and criteria counts prove the index is used; its speed is in npm run bench -- rules
    const m = idx.match(bgpEvent({ device: 'dev42', state: 'idle', expected: 'dev42' }));
    assert.deepEqual(m.matched.map((r) => r.name).sort(), ['ieq_rule', 'in_rule', 'peer_down_dev42', 'regex_rule', 'tmpl_rule']);
    assert.equal(m.candidates, 5);
    assert.ok(m.criteriaEvaluated <= 6, `evaluated ${m.criteriaEvaluated} criteria`);

    const none = idx.match(bgpEvent({ device: 'unknown', state: 'idle' }));
    assert.equal(none.candidates, 2); // regex_rule and tmpl_rule only
    assert.equal(none.matched.length, 0);
  });

  test('numbers and booleans index the way Python compares them', () => {
    const idx = new RuleIndex();
    idx.add(rule({ name: 'as', trigger: { type: T }, criteria: { 'trigger.asn': { type: 'eq', pattern: 65001 } } }));
    idx.add(rule({ name: 'flag', trigger: { type: T }, criteria: { 'trigger.up': { type: 'eq', pattern: 1 } } }));
    assert.deepEqual(
      idx.match(bgpEvent({ asn: 65001 })).matched.map((r) => r.name),
      ['as'],
    );
    assert.deepEqual(
      idx.match(bgpEvent({ asn: '65001' })).matched.map((r) => r.name),
      [],
    );
    assert.deepEqual(
      idx.match(bgpEvent({ up: true })).matched.map((r) => r.name),
      ['flag'],
    );
  });

  test('criteria errors are reported, not matched', () => {
    const idx = new RuleIndex();
    idx.add(rule({ name: 'lt', trigger: { type: T }, criteria: { 'trigger.count': { type: 'lt', pattern: 5 } } }));
    const m = idx.match(bgpEvent({ count: 'many' }));
    assert.equal(m.matched.length, 0);
    assert.equal(m.errors.length, 1);
    assert.equal(m.errors[0]!.error.code, 'NRX_ERR_CRITERIA');
  });

  test('backstop rules fire only when no standard rule matched', () => {
    const idx = new RuleIndex();
    idx.add(rule({ name: 'backstop', type: { ref: 'backstop' }, trigger: { type: T } }));
    idx.add(rule({ name: 'idle', trigger: { type: T }, criteria: { 'trigger.state': { type: 'eq', pattern: 'idle' } } }));
    assert.deepEqual(
      idx.match(bgpEvent({ state: 'idle' })).matched.map((r) => r.name),
      ['idle'],
    );
    assert.deepEqual(
      idx.match(bgpEvent({ state: 'active' })).matched.map((r) => r.name),
      ['backstop'],
    );
  });
});
