import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PartitionOwner } from '../../src/appliance/partition-owner.js';
import { polledBy } from '../../src/appliance/partitioned-rules.js';
import type { PartitionLocks } from '../../src/store/store.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { eventSubject } from '../../src/events/nats-event-bus.js';
import type { RawReading } from '../../src/sensors/poller/items.js';
import { Poller, type PolledDevice } from '../../src/sensors/poller/poller.js';
import type { DeviceReader } from '../../src/sensors/poller/reader.js';
import { definition, fastDefinition } from '../sensors/poller/helpers.js';

const SYS = 'name: sys\nevery: 1s\nsnmp: {get: [sysName.0]}\n';
const P = 16;

/** The partition number in the subject the bus publishes a device's event under. */
const busPartitionOf = (device: string): number => Number(eventSubject(makeEvent('network.poll_changed', {}, { device }), P).split('.')[2]);

/** One rules node: the partitions it owns (changed by the test) and a poller on them. */
function node(devices: () => PolledDevice[], value: (device: string) => string, duringRead: (device: string) => void = () => {}) {
  const owned = new Set<number>();
  const read: string[] = [];
  const events: EventEnvelope[] = [];
  const reader: DeviceReader = async (device) => {
    read.push(device);
    duringRead(device);
    return { kind: 'snmp-get', values: [{ oid: '1.3.6.1.2.1.1.5.0', type: 'OctetString', value: value(device) }] } as RawReading;
  };
  const poller = new Poller(definition(SYS), {
    listDevices: async () => devices(),
    read: reader,
    emit: async (e) => void events.push(e),
    log: silentLogger,
    polledHere: polledBy({ owns: (p) => owned.has(p) }, P),
  });
  return { owned, read, events, poller };
}

describe('pollers spread over the rules nodes by partition', () => {
  test("each device is read by exactly one node: the owner of the partition the bus gives the device's events", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: P, maxLength: P }),
        async (names, toA) => {
          const devices = names.map((name) => ({ name, platform: null }));
          const a = node(
            () => devices,
            () => 'x',
          );
          const b = node(
            () => devices,
            () => 'x',
          );
          toA.forEach((mine, p) => (mine ? a.owned : b.owned).add(p));
          await Promise.all([a.poller.pollOnce(), b.poller.pollOnce()]);
          assert.deepEqual([...a.read, ...b.read].sort(), [...names].sort(), 'every device once');
          for (const d of a.read) assert.ok(a.owned.has(busPartitionOf(d)));
          for (const d of b.read) assert.ok(b.owned.has(busPartitionOf(d)));
        },
      ),
      { numRuns: 100 },
    );
  });

  test('a partition that moves: the new owner reads its devices from its next round, its first reading a baseline; the old one stops', async () => {
    const devices = Array.from({ length: 40 }, (_, i) => ({ name: `leaf${i}`, platform: null }));
    const values = new Map<string, string>();
    const a = node(
      () => devices,
      (d) => values.get(d) ?? 'v1',
    );
    const b = node(
      () => devices,
      (d) => values.get(d) ?? 'v1',
    );
    for (let p = 0; p < P; p++) (p < P / 2 ? a.owned : b.owned).add(p);
    await a.poller.pollOnce();
    await b.poller.pollOnce();
    // b dies: a takes its partitions
    const moved = devices.map((d) => d.name).filter((d) => b.owned.has(busPartitionOf(d)));
    assert.ok(moved.length > 0 && moved.length < devices.length, 'both nodes had devices');
    for (const p of b.owned) a.owned.add(p);
    b.owned.clear();
    a.read.length = 0;
    b.read.length = 0;
    await a.poller.pollOnce();
    await b.poller.pollOnce();
    assert.deepEqual([...a.read].sort(), devices.map((d) => d.name).sort(), 'a polls every device');
    assert.deepEqual(b.read, []);
    assert.deepEqual(a.events, [], "the moved devices' first reading on a is their baseline: no event");
    // a change after the handover is reported once, by the new owner
    values.set(moved[0]!, 'v2');
    await a.poller.pollOnce();
    assert.deepEqual(
      (a.events as EventEnvelope[]).map((e) => [e.device, e.payload.value, e.payload.previous]),
      [[moved[0], 'v2', 'v1']],
    );
  });

  test('a reading in flight when its partition moves away is dropped, and the device starts from a new baseline if it comes back', async () => {
    const devices = [{ name: 'r1', platform: null }];
    let value = 'v1';
    let moveAway = false;
    const p = busPartitionOf('r1');
    const a = node(
      () => devices,
      () => value,
      () => void (moveAway && a.owned.delete(p)),
    );
    a.owned.add(p);
    await a.poller.pollOnce();
    assert.equal(a.poller.lastReading('r1')?.size, 1);
    // the partition goes while the device is being read
    value = 'v2';
    moveAway = true;
    await a.poller.pollOnce();
    assert.deepEqual(a.read, ['r1', 'r1'], 'read in the second round');
    moveAway = false;
    assert.deepEqual(a.events, [], 'nothing emitted for a device this node no longer polls');
    assert.equal(a.poller.lastReading('r1'), undefined);
    a.owned.add(p);
    value = 'v3';
    await a.poller.pollOnce();
    assert.deepEqual(a.events, [], 'back here: a new baseline, not a change against an old reading');
  });

  test('a node that takes partitions over says so once per look, after their take, and its pollers read the devices at once, not at the next round', async () => {
    // locks in memory: this node alone, every partition free
    const held = new Set<number>();
    const locks: PartitionLocks = {
      view: async () => ({ self: 'a', members: ['a'], owners: new Map([...held].map((p) => [p, 'a'])), names: new Map() }),
      tryTake: async (p) => (held.has(p) ? false : (held.add(p), true)),
      release: async (p) => void held.delete(p),
      onLost: () => {},
      close: async () => {},
    };
    const order: string[] = [];
    const devices = Array.from({ length: 20 }, (_, i) => ({ name: `leaf${i}`, platform: null }));
    const a = node(
      () => devices,
      () => 'v1',
    );
    let poller: Poller | null = null;
    const owner = new PartitionOwner(
      locks,
      P,
      {
        take: async (p) => void order.push(`take ${p}`),
        give: async () => {},
        drop: () => {},
        tookOver: (ps) => {
          order.push(`took ${ps.length}`);
          poller?.pollAgain();
        },
      },
      silentLogger,
    );
    // a poller with an hour between rounds: only a poll on takeover reads the devices soon
    poller = new Poller(
      { ...fastDefinition(SYS, 3_600_000), ref: 'lab.sys' },
      {
        listDevices: async () => devices,
        read: async (device) => {
          a.read.push(device);
          return { kind: 'snmp-get', values: [{ oid: '1.3.6.1.2.1.1.5.0', type: 'OctetString', value: 'v1' }] } as RawReading;
        },
        emit: async () => {},
        log: silentLogger,
        polledHere: polledBy({ owns: (p) => owner.owns(p) }, P),
      },
    );
    try {
      poller.start();
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(a.read, [], 'no partition yet: no device read');
      assert.equal(poller.counters.rounds, 1, 'the first round ran, on no device');
      await owner.rebalance();
      assert.equal(order.length, P + 1);
      assert.equal(order.at(-1), `took ${P}`, 'once, after every take');
      const deadline = Date.now() + 2_000;
      while (a.read.length < devices.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual([...a.read].sort(), devices.map((d) => d.name).sort(), 'every device read at once');
      await owner.rebalance();
      assert.equal(order.length, P + 1, 'a look that takes nothing says nothing');
    } finally {
      await poller.stop();
    }
  });
});
