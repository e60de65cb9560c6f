import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Coalescer } from '../../src/events/coalescer.js';
import { makeEvent } from '../../src/events/envelope.js';

const down = (device: string, iface: string, time = '2026-12-02T05:00:00.000Z') =>
  makeEvent('network.interface_down', { interface: iface, severity: 3 }, { device, time, source: 'sensor:syslog' });
const bgp = (device: string, state: string) => makeEvent('network.bgp_peer_state_changed', { peer: '10.0.0.1', state }, { device, source: 'sensor:syslog' });

test('a repeat within the window folds into the first event; another interface, device, state or type does not', () => {
  const c = new Coalescer({ windowMs: 5_000 });
  const first = down('leaf1', 'Ethernet1');
  assert.equal(c.offer(first, 0), null);
  assert.equal(c.offer(down('leaf1', 'ethernet1', '2026-12-02T05:00:01.000Z'), 1_000), first.id, 'same interface, any case');
  assert.equal(c.offer(down('leaf1', 'Ethernet2'), 1_000), null);
  assert.equal(c.offer(down('leaf2', 'Ethernet1'), 1_000), null);
  assert.equal(c.offer(makeEvent('network.interface_up', { interface: 'Ethernet1' }, { device: 'leaf1' }), 1_000), null);
  const idle = bgp('leaf1', 'idle');
  assert.equal(c.offer(idle, 0), null);
  assert.equal(c.offer(bgp('leaf1', 'established'), 10), null, 'a new state is news');
  assert.equal(c.offer(bgp('leaf1', 'idle'), 20), idle.id);
  assert.equal(c.coalesced, 2);
});

test('after the window a repeat is stored again; sweep reports the repeats once and closes old windows', () => {
  const c = new Coalescer({ windowMs: 5_000 });
  const first = down('leaf1', 'Ethernet1');
  c.offer(first, 0);
  c.offer(down('leaf1', 'Ethernet1', '2026-12-02T05:00:02.000Z'), 2_000);
  c.offer(down('leaf1', 'Ethernet1', '2026-12-02T05:00:03.000Z'), 3_000);
  assert.deepEqual(c.sweep(3_500), [{ id: first.id, count: 2, lastTime: '2026-12-02T05:00:03.000Z' }]);
  assert.deepEqual(c.sweep(4_000), [], 'reported once');
  assert.equal(c.size, 1);
  c.sweep(5_000);
  assert.equal(c.size, 0, 'the window closed');
  assert.equal(c.offer(down('leaf1', 'Ethernet1'), 5_001), null, 'a new window');
});

test('off with a zero window; events of other types, or without a device, are never folded', () => {
  const off = new Coalescer({ windowMs: 0 });
  off.offer(down('leaf1', 'Ethernet1'), 0);
  assert.equal(off.offer(down('leaf1', 'Ethernet1'), 1), null);
  const c = new Coalescer({ windowMs: 5_000 });
  const syslog = () => makeEvent('network.syslog', { message: 'same line' }, { device: 'leaf1' });
  c.offer(syslog(), 0);
  assert.equal(c.offer(syslog(), 1), null);
  const anonymous = () => makeEvent('network.interface_down', { interface: 'Ethernet1' }, { device: null });
  c.offer(anonymous(), 0);
  assert.equal(c.offer(anonymous(), 1), null);
});

test('property: every event is either stored or counted as a repeat of a stored one', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ device: fc.constantFrom('a', 'b', 'c'), iface: fc.constantFrom('e1', 'e2'), dt: fc.integer({ min: 0, max: 3_000 }) }), {
        maxLength: 300,
      }),
      (steps) => {
        const c = new Coalescer({ windowMs: 5_000 });
        const stored = new Map<string, number>();
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          const e = down(s.device, s.iface, new Date(now).toISOString());
          const into = c.offer(e, now);
          if (into === null) stored.set(e.id, 1);
          if (now % 7 === 0) for (const o of c.sweep(now)) stored.set(o.id, stored.get(o.id)! + o.count);
        }
        for (const o of c.sweep(now + 10_000)) stored.set(o.id, stored.get(o.id)! + o.count);
        const total = [...stored.values()].reduce((a, b) => a + b, 0);
        assert.equal(total, steps.length);
        assert.equal(c.coalesced, steps.length - stored.size);
      },
    ),
  );
});
