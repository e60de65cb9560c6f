import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Correlator } from '../../src/events/correlator.js';
import { makeEvent } from '../../src/events/envelope.js';
import { promoteLagMember } from '../../src/events/lag-membership.js';

const SOURCES = ['sensor:syslog', 'sensor:snmptrap', 'sensor:sflow'] as const;
const memberEvent = (state: 'down' | 'up', source: string, member = 'lagx1-a', device = 'labsw1') =>
  makeEvent(`network.lag_member_${state}`, { lag: 'bondA', member }, { device, source });

test('one member failure seen by syslog, a trap and sFlow: the first is new, the others duplicates of it with its trace', () => {
  const c = new Correlator(5_000);
  const first = memberEvent('down', 'sensor:syslog');
  assert.deepEqual(c.offer(first, 0), { kind: 'new' });
  assert.deepEqual(c.offer(memberEvent('down', 'sensor:snmptrap'), 900), { kind: 'duplicate', of: first.id, traceId: first.traceId });
  assert.deepEqual(c.offer(memberEvent('down', 'sensor:sflow'), 1_900), { kind: 'duplicate', of: first.id, traceId: first.traceId });
  const again = memberEvent('down', 'sensor:syslog');
  assert.deepEqual(c.offer(again, 2_000), { kind: 'repeat', of: first.id }, 'the same sensor again is a repeat');
  assert.equal(c.duplicates, 2);
  assert.equal(c.repeats, 1);
  assert.deepEqual(c.sweep(2_500), [{ id: first.id, count: 1, lastTime: again.time }]);
});

test('another member, device or family is another fault; case does not matter', () => {
  const c = new Correlator(5_000);
  c.offer(memberEvent('down', 'sensor:syslog'), 0);
  assert.equal(c.offer(memberEvent('down', 'sensor:snmptrap', 'lagx2-a'), 10).kind, 'new');
  assert.equal(c.offer(memberEvent('down', 'sensor:snmptrap', 'lagx1-a', 'labsw2'), 10).kind, 'new');
  assert.equal(c.offer(makeEvent('network.interface_down', { interface: 'lagx1-a' }, { device: 'labsw1', source: 'sensor:sflow' }), 10).kind, 'new');
  assert.equal(c.offer(memberEvent('down', 'sensor:sflow', 'LAGX1-A', 'LabSw1'), 10).kind, 'duplicate');
  assert.equal(
    c.offer(makeEvent('network.lag_member_down', { member: 'x' }, { device: null, source: 'sensor:sflow' }), 10).kind,
    'new',
    'no device: never folded',
  );
});

test('past the window the same state is a new fault', () => {
  const c = new Correlator(5_000);
  c.offer(memberEvent('down', 'sensor:syslog'), 0);
  assert.equal(c.offer(memberEvent('down', 'sensor:snmptrap'), 5_000).kind, 'new');
});

test('property: every state change opens a new fault; within one state each sensor counts once (new or duplicate), the rest are repeats', () => {
  const step = fc.record({ state: fc.constantFrom('down' as const, 'up' as const), source: fc.constantFrom(...SOURCES), dt: fc.integer({ min: 0, max: 800 }) });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
      const c = new Correlator(60_000);
      let now = 0;
      let prev: string | undefined;
      let seen = new Set<string>();
      let firstId = '';
      for (const s of steps) {
        now += s.dt;
        const e = memberEvent(s.state, s.source);
        const v = c.offer(e, now);
        if (s.state !== prev) {
          assert.equal(v.kind, 'new', 'a change of state is news');
          seen = new Set([s.source]);
          firstId = e.id;
        } else if (!seen.has(s.source)) {
          assert.deepEqual(v, { kind: 'duplicate', of: firstId, traceId: firstId });
          seen.add(s.source);
        } else assert.deepEqual(v, { kind: 'repeat', of: firstId });
        prev = s.state;
      }
      const news = steps.filter((s, i) => i === 0 || s.state !== steps[i - 1]!.state).length;
      assert.equal(steps.length - c.duplicates - c.repeats, news);
    }),
    { numRuns: 500 },
  );
});

test('an interface event of a declared LAG member becomes the member event; other ports and devices pass unchanged', () => {
  const lagOf = (device: string, port: string) => (device === 'labsw1' && port === 'lagx1-a' ? { name: 'bondA', minLinks: 1 } : null);
  const trap = makeEvent('network.interface_down', { interface: 'lagx1-a', ifIndex: 7 }, { device: 'labsw1', source: 'sensor:snmptrap' });
  const p = promoteLagMember(trap, lagOf);
  assert.equal(p.type, 'network.lag_member_down');
  assert.deepEqual(
    [p.id, p.traceId, p.source, p.device, p.payload.lag, p.payload.member, p.payload.min_links, p.payload.ifIndex, p.payload.interface_event],
    [trap.id, trap.traceId, 'sensor:snmptrap', 'labsw1', 'bondA', 'lagx1-a', 1, 7, 'network.interface_down'],
  );
  const up = promoteLagMember(makeEvent('network.interface_up', { interface: 'lagx1-a' }, { device: 'labsw1' }), lagOf);
  assert.equal(up.type, 'network.lag_member_up');
  const syslog = makeEvent('network.lag_member_down', { lag: null, member: 'lagx1-a' }, { device: 'labsw1' });
  assert.equal(promoteLagMember(syslog, lagOf).payload.lag, 'bondA', 'the bond named from the inventory');
  const sflow = makeEvent('network.lag_member_down', { lag: '12', member: 'lagx1-a' }, { device: 'labsw1' });
  assert.deepEqual([promoteLagMember(sflow, lagOf).payload.lag, promoteLagMember(sflow, lagOf).payload.reported_lag], ['bondA', '12']);
  for (const e of [
    makeEvent('network.interface_down', { interface: 'lagx2-b' }, { device: 'labsw1' }),
    makeEvent('network.interface_down', { interface: 'lagx1-a' }, { device: null }),
    makeEvent('network.bgp_peer_state_changed', { peer: '10.0.0.1', state: 'idle' }, { device: 'labsw1' }),
  ])
    assert.equal(promoteLagMember(e, lagOf), e);
});
