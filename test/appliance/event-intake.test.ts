import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventIntake } from '../../src/appliance/event-intake.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { MemoryBus } from '../../src/events/memory-bus.js';
import type { WriteOp } from '../../src/store/store.js';

function harness(limits: ConstructorParameters<typeof EventIntake>[1] = {}) {
  const written: WriteOp[] = [];
  const published: EventEnvelope[] = [];
  const waits: EventEnvelope[] = [];
  let hold: Promise<void> = Promise.resolve();
  const bus = new MemoryBus();
  void bus.subscribe('rules', (d) => void published.push(d.event));
  const intake = new EventIntake(
    {
      commit: async (ops) => {
        await hold;
        written.push(...ops);
      },
      bus,
      inFlight: new Set(),
      deliverToWaits: (e) => void waits.push(e),
      validate: (e) => {
        if (e.payload.bad) throw new Error('refused');
      },
      log: silentLogger,
    },
    limits,
  );
  return {
    intake,
    written,
    published,
    waits,
    holdWrites(): () => void {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return release;
    },
  };
}

const syslog = (severity: number) => makeEvent('network.syslog', { message: 'x', severity }, { device: 'leaf1', source: 'sensor:syslog' });
const ifDown = (n: number) => makeEvent('network.interface_down', { interface: `Ethernet${n}` }, { device: 'leaf1', source: 'sensor:syslog' });

test('events are written in batches, then published in order; repeats are folded and still reach the waits', async () => {
  const h = harness({ batchSize: 100 });
  for (let i = 0; i < 250; i++) h.intake.offer(ifDown(i));
  for (let i = 0; i < 30; i++) h.intake.offer(ifDown(1)); // a flapping port
  await h.intake.flush();
  await new Promise((r) => setImmediate(r));
  const puts = h.written.filter((w) => w.op === 'putTriggerInstance');
  assert.equal(puts.length, 250);
  assert.deepEqual(
    h.published.map((e) => e.payload.interface),
    Array.from({ length: 250 }, (_, i) => `Ethernet${i}`),
  );
  assert.equal(h.waits.length, 30);
  const occ = h.written.filter((w) => w.op === 'addTriggerInstanceOccurrences');
  assert.deepEqual(
    occ.map((o) => (o as { count: number }).count),
    [30],
  );
  assert.equal(h.intake.counts.stored + h.intake.counts.coalesced, h.intake.counts.offered);
  await h.intake.close();
});

test('under load: low-severity syslog is shed first, then all generic syslog, then anything at the bound; state changes survive until then', async () => {
  const h = harness({ maxQueued: 1_000, shedAt: 200, batchSize: 50, coalesceWindowMs: 0 });
  const release = h.holdWrites(); // the store is slow: the queue fills
  h.intake.offer(ifDown(-1)); // the write in progress (held)
  await new Promise((r) => setTimeout(r, 10));
  const c = h.intake.counts;
  for (let i = 0; i < 200; i++) h.intake.offer(syslog(i % 2 ? 6 : 3)); // below shedAt: all queued
  assert.equal(c.queued, 200);
  for (let i = 0; i < 100; i++) h.intake.offer(syslog(6));
  assert.equal(c.shed_low_severity_syslog, 100);
  h.intake.offer(syslog(2));
  assert.equal(c.queued, 201, 'an error-level syslog line is still taken');
  for (let i = 0; i < 549; i++) h.intake.offer(ifDown(i));
  assert.equal(c.queued, 750);
  h.intake.offer(syslog(0));
  assert.equal(c.shed_syslog, 1, 'past three quarters, any generic syslog is shed');
  for (let i = 0; i < 250; i++) h.intake.offer(ifDown(1000 + i));
  assert.equal(c.queued, 1_000);
  assert.equal(c.overflow, 0);
  h.intake.offer(ifDown(5000));
  assert.equal(c.overflow, 1, 'only a full queue drops a state change');
  release();
  await h.intake.flush();
  assert.equal(c.stored + c.shed_low_severity_syslog + c.shed_syslog + c.overflow + c.invalid + c.coalesced, c.offered);
  assert.equal(c.stored, 1_001);
  assert.equal(c.queued_high_water, 1_000);
  await h.intake.close();
});

test('a refused payload and a refused batch are counted, never thrown', async () => {
  const h = harness();
  h.intake.offer(makeEvent('network.interface_down', { bad: true }, { device: 'leaf1' }));
  assert.equal(h.intake.counts.invalid, 1);
  const broken = new EventIntake({
    commit: () => Promise.reject(new Error('disk full')),
    bus: new MemoryBus(),
    inFlight: new Set(),
    deliverToWaits: () => {},
    validate: () => {},
    log: silentLogger,
  });
  broken.offer(ifDown(1));
  broken.offer(ifDown(2));
  await broken.flush();
  assert.equal(broken.counts.store_failed, 2);
  await broken.close();
  broken.offer(ifDown(3));
  assert.equal(broken.counts.overflow, 1, 'after close an event is counted as lost');
  await h.intake.close();
});

test('three sensors see one member failure: one event reaches the rules, the other two are stored as its duplicates', async () => {
  const h = harness();
  const lagOf = (device: string, port: string) => (device === 'labsw1' && port === 'lagx1-a' ? { name: 'bondA', minLinks: 1 } : null);
  const bus = new MemoryBus();
  const published: EventEnvelope[] = [];
  void bus.subscribe('rules', (d) => void published.push(d.event));
  const intake = new EventIntake({
    commit: async (ops) => void h.written.push(...ops),
    bus,
    inFlight: new Set(),
    deliverToWaits: (e) => void h.waits.push(e),
    validate: () => {},
    log: silentLogger,
    lagOf,
  });
  const syslog = makeEvent('network.lag_member_down', { lag: null, member: 'lagx1-a' }, { device: 'labsw1', source: 'sensor:syslog' });
  const syslogLink = makeEvent('network.interface_down', { interface: 'lagx1-a' }, { device: 'labsw1', source: 'sensor:syslog' });
  const trap = makeEvent('network.interface_down', { interface: 'lagx1-a', ifIndex: 7 }, { device: 'labsw1', source: 'sensor:snmptrap' });
  const sflow = makeEvent('network.interface_down', { interface: 'lagx1-a', ifIndex: 7 }, { device: 'labsw1', source: 'sensor:sflow' });
  for (const e of [syslog, syslogLink, trap, sflow]) intake.offer(e);
  await intake.flush();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    published.map((e) => [e.id, e.type, e.payload.lag]),
    [[syslog.id, 'network.lag_member_down', 'bondA']],
  );
  const puts = h.written.filter((w) => w.op === 'putTriggerInstance').map((w) => (w as Extract<typeof w, { op: 'putTriggerInstance' }>).value);
  assert.deepEqual(
    puts.map((v) => [v.id, v.type, v.status, v.duplicateOf ?? null, v.traceId]),
    [
      [syslog.id, 'network.lag_member_down', 'pending', null, syslog.traceId],
      [trap.id, 'network.lag_member_down', 'processed', syslog.id, syslog.traceId],
      [sflow.id, 'network.lag_member_down', 'processed', syslog.id, syslog.traceId],
    ],
  );
  assert.deepEqual([intake.counts.duplicates, intake.counts.coalesced, intake.counts.stored], [2, 1, 1]);
  assert.equal(h.waits.length, 3, 'a repeat and the duplicates still reach the waits');
  await intake.close();
});

test('an event lost to a full queue opens no window: its repeats are not counted on a row that was never written', async () => {
  const h = harness({ maxQueued: 10, shedAt: 10, batchSize: 5 });
  const bgp = () =>
    makeEvent(
      'network.bgp_peer_state_changed',
      { peer: '10.0.0.9', vrf: 'default', previous_state: 'established', state: 'idle' },
      { device: 'leaf1', source: 'sensor:syslog' },
    );
  const release = h.holdWrites();
  h.intake.offer(ifDown(-1)); // the write in progress (held)
  await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 10; i++) h.intake.offer(ifDown(i));
  const lostLink = ifDown(77);
  const lostBgp = bgp();
  h.intake.offer(lostLink);
  h.intake.offer(lostBgp);
  assert.equal(h.intake.counts.overflow, 2);
  release();
  await h.intake.flush();
  // the same faults again, the queue drained: new events, stored, not repeats of the lost ones
  const link = ifDown(77);
  const again = bgp();
  h.intake.offer(link);
  h.intake.offer(again);
  h.intake.offer(ifDown(77));
  h.intake.offer(bgp());
  await h.intake.flush();
  const stored = new Set(h.written.flatMap((w) => (w.op === 'putTriggerInstance' ? [w.value.id] : [])));
  assert.ok(stored.has(link.id) && stored.has(again.id), 'the first event after the loss is stored');
  const counted = h.written.flatMap((w) => (w.op === 'addTriggerInstanceOccurrences' ? [w.id] : []));
  assert.deepEqual(counted.sort(), [link.id, again.id].sort(), 'repeats are counted on stored rows only');
  await h.intake.close();
});
