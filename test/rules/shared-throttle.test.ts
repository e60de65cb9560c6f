// The enforcer told that throttles are counted elsewhere (a rules node of a cluster): a throttled
// rule's firing waits for the shared counter's verdict, and settled against a counter that decides
// as the embedded ThrottleBook does, the decisions are exactly the embedded enforcer's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEnforcer, type Decision } from '../../src/rules/enforcer.js';
import { RuleIndex } from '../../src/rules/matcher.js';
import { settleSharedThrottles } from '../../src/rules/shared-throttle.js';
import { ThrottleBook } from '../../src/rules/throttle.js';
import type { ThrottleClaim, ThrottleCounterRepository } from '../../src/store/repositories/index.js';
import { bgpEvent, rule } from './helpers.js';

const T = 'network.bgp_peer_state_changed';
const T0 = Date.parse('2024-05-01T12:00:00Z');
const M = 60_000;

const docs = [
  {
    name: 'limited',
    trigger: { type: T },
    throttle: { max: 3, per: '1h', then: 'net.escalate' },
    action: { ref: 'net.fix', parameters: { d: '{{ trigger.device }}' } },
  },
  { name: 'per_peer', trigger: { type: T }, throttle: { key: '{{ trigger.device }}/{{ trigger.peer }}', max: 1, per: '20m' } },
  { name: 'free', trigger: { type: T } },
];

function enforcer(sharedThrottles: boolean): RuleEnforcer {
  const index = new RuleIndex();
  for (const d of docs) index.add(rule(d));
  return new RuleEnforcer({ index, sharedThrottles });
}

/** A shared counter that decides as the embedded book does, recording what it was asked. */
function bookCounter(): ThrottleCounterRepository & { asked: ThrottleClaim[][] } {
  const book = new ThrottleBook();
  const asked: ThrottleClaim[][] = [];
  return {
    asked,
    claim: async (claims) => {
      asked.push([...claims]);
      return claims.map((c) => book.decide(c.rule, c.key, { key: null, max: c.max, perMs: c.perMs, per: '', then: c.escalates ? 'x' : null }, c.now));
    },
  };
}

const fields = (ds: Decision[]) =>
  ds.map((d) => ({ rule: d.rule.ref, event: d.event.id, outcome: d.outcome, actionRef: d.actionRef, parameters: d.parameters, reason: d.reason }));

describe('RuleEnforcer with throttles counted elsewhere', () => {
  test("a throttled rule's firing is 'execute' with its key and time, for the shared counter; nothing is counted here", () => {
    const e = enforcer(true);
    for (let i = 0; i < 5; i++) {
      const ds = e.onEvent(bgpEvent({ device: 'core1', peer: '10.0.0.1', state: 'idle' }), T0 + i * M);
      assert.deepEqual(
        ds.map((d) => [d.rule.ref, d.outcome, d.throttle ?? null]),
        [
          ['test.limited', 'execute', { key: 'test.limited', at: T0 + i * M }],
          ['test.per_peer', 'execute', { key: 'core1/10.0.0.1', at: T0 + i * M }],
          ['test.free', 'execute', null],
        ],
      );
    }
    assert.deepEqual((e.snapshot() as { throttles: unknown[] }).throttles, []);
  });

  test('the embedded enforcer leaves no throttle on its decisions', () => {
    const ds = enforcer(false).onEvent(bgpEvent({ device: 'core1', peer: '10.0.0.1', state: 'idle' }), T0);
    assert.ok(ds.every((d) => !('throttle' in d)));
  });

  test("settled against a counter deciding as ThrottleBook: the embedded enforcer's decisions, one claim batch per call", async () => {
    const embedded = enforcer(false);
    const shared = enforcer(true);
    const counter = bookCounter();
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const ev = bgpEvent({ device: `core${i % 2}`, peer: '10.0.0.1', state: 'idle' });
      const now = T0 + i * 7 * M;
      const want = embedded.onEvent(ev, now);
      const got = await settleSharedThrottles(shared.onEvent(ev, now), counter);
      assert.deepEqual(fields(got), fields(want), `event ${i}`);
      assert.ok(got.every((d) => d.throttle === undefined));
      for (const d of got) seen.add(`${d.rule.ref} ${d.outcome}`);
    }
    assert.deepEqual([...seen].sort(), [
      'test.free execute',
      'test.limited escalate',
      'test.limited execute',
      'test.limited throttled',
      'test.per_peer execute',
      'test.per_peer throttled',
    ]);
    assert.equal(counter.asked.length, 12);
    assert.deepEqual(
      counter.asked[0]!.map((c) => [c.rule, c.key, c.max, c.perMs, c.escalates]),
      [
        ['test.limited', 'test.limited', 3, 3_600_000, true],
        ['test.per_peer', 'core0/10.0.0.1', 1, 1_200_000, false],
      ],
    );
  });

  test('decisions with no throttled firing are returned as they are, the counter not asked', async () => {
    const counter = bookCounter();
    const index = new RuleIndex();
    index.add(rule(docs[2]!));
    const ds = new RuleEnforcer({ index, sharedThrottles: true }).onEvent(bgpEvent({ device: 'core1', peer: '10.0.0.1' }), T0);
    assert.equal(await settleSharedThrottles(ds, counter), ds);
    assert.equal(counter.asked.length, 0);
  });
});
