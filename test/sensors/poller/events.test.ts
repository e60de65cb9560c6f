import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BgpNeighbors } from '../../../drivers/contract/getters.js';
import type { SnmpValue } from '../../../drivers/contract/snmp.js';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { detectChanges } from '../../../src/sensors/poller/change-detector.js';
import { eventsForChanges, registerPollerTriggers } from '../../../src/sensors/poller/events.js';
import { toItems, type RawReading } from '../../../src/sensors/poller/items.js';
import { definition } from './helpers.js';

const registry = new TriggerRegistry();
registerBuiltins(registry);
registerPollerTriggers(registry);

function assertValid(type: string, payload: Record<string, unknown>): void {
  assert.equal(registry.validate(type, payload), null, `${type} ${JSON.stringify(payload)}`);
}

const peer = (peerAddr: string, state: string, extra: Record<string, unknown> = {}) => ({
  peer: peerAddr,
  remoteAs: 65000,
  state,
  adminDown: false,
  vrf: 'default',
  ...extra,
});
/** A bgp_neighbors reading; the neighbors are loose records so tests can leave fields out. */
const bgpReading = (neighbors: Array<Record<string, unknown>>): RawReading => ({ kind: 'getter', model: { neighbors } as unknown as BgpNeighbors });
const sv = (oid: string, name: string, value: number | string, label?: string): SnmpValue => ({
  oid,
  name,
  type: typeof value === 'number' ? 'Integer' : 'OctetString',
  value,
  ...(label ? { label } : {}),
});

describe('poller readings and events', () => {
  const bgp = definition('name: bgp\nevery: 5s\ngetter: bgp_neighbors\nkey: peer\nemit: network.bgp_peer_state_changed\n');

  test('a BGP state change becomes network.bgp_peer_state_changed with peer, state, previous_state and peer_as', () => {
    const before = toItems(bgp.source, bgpReading([peer('10.0.1.1', 'established', { prefixesReceived: 3 })]), bgp.key).items;
    const after = toItems(bgp.source, bgpReading([peer('10.0.1.1', 'idle', { adminDown: true })]), bgp.key).items;
    const events = eventsForChanges(bgp, 'leaf1', 'frr', detectChanges(before, after, bgp.watch));
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.type, 'network.bgp_peer_state_changed');
    assert.deepEqual(
      {
        device: e.payload.device,
        platform: e.payload.platform,
        peer: e.payload.peer,
        state: e.payload.state,
        previous_state: e.payload.previous_state,
        peer_as: e.payload.peer_as,
        vrf: e.payload.vrf,
        admin_down: e.payload.admin_down,
        poller: e.payload.poller,
      },
      {
        device: 'leaf1',
        platform: 'frr',
        peer: '10.0.1.1',
        state: 'idle',
        previous_state: 'established',
        peer_as: 65000,
        vrf: 'default',
        admin_down: true,
        poller: 'lab.bgp',
      },
    );
    assertValid(e.type, e.payload);
  });

  test('a change of another watched field, an added and a removed item are generic network.poll_changed', () => {
    const d = definition('name: bgp\nevery: 5s\ngetter: bgp_neighbors\nkey: peer\nwatch: [state, remoteAs]\nemit: network.bgp_peer_state_changed\n');
    const before = toItems(d.source, bgpReading([peer('10.0.1.1', 'established'), peer('10.0.9.9', 'active')]), d.key).items;
    const after = toItems(d.source, bgpReading([peer('10.0.1.1', 'established', { remoteAs: 65100 }), peer('10.0.2.1', 'connect')]), d.key).items;
    const events = eventsForChanges(d, 'leaf1', null, detectChanges(before, after, d.watch));
    assert.deepEqual(
      events.map((e) => [e.type, e.payload.change ?? e.payload.state, e.payload.key ?? e.payload.peer]),
      [
        ['network.poll_changed', 'changed', '10.0.1.1'],
        // a new peer is a state change from nothing
        ['network.bgp_peer_state_changed', 'connect', '10.0.2.1'],
        ['network.poll_changed', 'removed', '10.0.9.9'],
      ],
    );
    assert.deepEqual([events[0]!.payload.field, events[0]!.payload.previous, events[0]!.payload.value], ['remoteAs', 65000, 65100]);
    assert.equal(events[1]!.payload.previous_state, null);
    for (const e of events) assertValid(e.type, e.payload);
  });

  test('an SNMP ifOperStatus walk names rows by ifName; down -> lowerLayerDown is no second interface_down', () => {
    const d = definition('name: ifs\nevery: 10s\nsnmp: {walk: ifOperStatus}\nemit: network.interface_down\n');
    assert.equal(d.source.kind, 'snmp-walk');
    if (d.source.kind !== 'snmp-walk') return;
    const [oper, ifName] = d.source.roots as [(typeof d.source.roots)[0], (typeof d.source.roots)[0]];
    const walk = (s2: [number, string], s3: [number, string]) => ({
      kind: 'snmp-walk' as const,
      walks: [
        { root: oper, values: [sv('1.3.6.1.2.1.2.2.1.8.2', 'ifOperStatus.2', s2[0], s2[1]), sv('1.3.6.1.2.1.2.2.1.8.3', 'ifOperStatus.3', s3[0], s3[1])] },
        { root: ifName, values: [sv('1.3.6.1.2.1.31.1.1.1.1.2', 'ifName.2', 'eth-spine1'), sv('1.3.6.1.2.1.31.1.1.1.1.3', 'ifName.3', 'eth-leaf2')] },
      ],
    });
    const r1 = toItems(d.source, walk([1, 'up'], [1, 'up']), d.key).items;
    assert.deepEqual(r1.get('2'), { index: '2', ifOperStatus: 'up', ifName: 'eth-spine1' });
    const r2 = toItems(d.source, walk([2, 'down'], [1, 'up']), d.key).items;
    const r3 = toItems(d.source, walk([7, 'lowerLayerDown'], [1, 'up']), d.key).items;
    const r4 = toItems(d.source, walk([1, 'up'], [1, 'up']), d.key).items;
    const down = eventsForChanges(d, 'leaf1', null, detectChanges(r1, r2, d.watch));
    assert.deepEqual(
      down.map((e) => [e.type, e.payload.interface, e.payload.ifIndex]),
      [['network.interface_down', 'eth-spine1', 2]],
    );
    assertValid(down[0]!.type, down[0]!.payload);
    const still = eventsForChanges(d, 'leaf1', null, detectChanges(r2, r3, d.watch));
    assert.deepEqual(
      still.map((e) => [e.type, e.payload.field, e.payload.value]),
      [['network.poll_changed', 'ifOperStatus', 'lowerLayerDown']],
    );
    const up = eventsForChanges(d, 'leaf1', null, detectChanges(r3, r4, d.watch));
    assert.deepEqual(
      up.map((e) => [e.type, e.payload.interface]),
      [['network.interface_up', 'eth-spine1']],
    );
  });

  test('getter interfaces: operUp flips map to interface_down / interface_up', () => {
    const d = definition('name: ifs\nevery: 10s\ngetter: interfaces\nemit: network.interface_up\n');
    const read = (operUp: boolean) => toItems(d.source, { kind: 'getter', model: { interfaces: [{ name: 'eth0', adminUp: true, operUp }] } }, d.key).items;
    const [e] = eventsForChanges(d, 'sw1', 'cisco_ios', detectChanges(read(true), read(false), d.watch));
    assert.equal(e?.type, 'network.interface_down');
    assert.equal(e?.payload.interface, 'eth0');
    assert.equal(e?.payload.admin_up, true);
    assertValid(e!.type, e!.payload);
  });

  test('a table walk gives one row per index with every column; SNMP get items are keyed by object name', () => {
    const d = definition('name: peers\nevery: 10s\nsnmp: {walk: bgpPeerTable}\n');
    if (d.source.kind !== 'snmp-walk') return assert.fail('walk expected');
    const root = d.source.roots[0]!;
    const base = '1.3.6.1.2.1.15.3.1';
    const r = toItems(
      d.source,
      {
        kind: 'snmp-walk',
        walks: [
          { root, values: [sv(`${base}.2.10.0.1.1`, 'bgpPeerState.10.0.1.1', 6, 'established'), sv(`${base}.9.10.0.1.1`, 'bgpPeerRemoteAs.10.0.1.1', 65000)] },
        ],
      },
      d.key,
    );
    assert.deepEqual([...r.items], [['10.0.1.1', { index: '10.0.1.1', bgpPeerState: 'established', bgpPeerRemoteAs: 65000 }]]);
    const g = definition('name: up\nevery: 1m\nsnmp: {get: [sysName.0, sysUpTime.0]}\n');
    const items = toItems(
      g.source,
      {
        kind: 'snmp-get',
        values: [sv('1.3.6.1.2.1.1.5.0', 'sysName.0', 'leaf1'), { oid: '1.3.6.1.2.1.1.3.0', name: 'sysUpTime.0', type: 'noSuchInstance', value: null }],
      },
      g.key,
    ).items;
    assert.deepEqual(
      [...items],
      [
        ['sysName.0', { value: 'leaf1' }],
        ['sysUpTime.0', { value: null }],
      ],
    );
  });

  test('items without a key value are left out and duplicate keys keep the first item', () => {
    const r = toItems(bgp.source, bgpReading([peer('10.0.1.1', 'idle'), peer('10.0.1.1', 'established'), { state: 'idle' }]), bgp.key);
    assert.equal(r.unkeyed, 1);
    assert.deepEqual(r.duplicates, ['10.0.1.1']);
    assert.equal(r.items.get('10.0.1.1')!.state, 'idle');
  });

  test('every event fits its trigger type schema and there is exactly one per change (random BGP readings)', () => {
    const states = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];
    const neighbors = fc.uniqueArray(
      fc.record({
        peer: fc.constantFrom('10.0.1.1', '10.0.2.1', '2001:db8::1'),
        state: fc.constantFrom(...states),
        remoteAs: fc.integer({ min: 1, max: 4_294_967_295 }),
        adminDown: fc.boolean(),
      }),
      { selector: (n) => n.peer, maxLength: 3 },
    );
    const generic = definition('name: g\nevery: 5s\ngetter: bgp_neighbors\nkey: peer\n');
    fc.assert(
      fc.property(neighbors, neighbors, fc.boolean(), (a, b, mapped) => {
        const d = mapped ? bgp : generic;
        const before = toItems(d.source, bgpReading(a.map((n) => ({ ...n, vrf: 'default' }))), d.key).items;
        const after = toItems(d.source, bgpReading(b.map((n) => ({ ...n, vrf: 'default' }))), d.key).items;
        const changes = detectChanges(before, after, d.watch);
        const events = eventsForChanges(d, 'leaf1', 'frr', changes);
        assert.equal(events.length, changes.length);
        for (const e of events) assertValid(e.type, e.payload);
      }),
      { numRuns: 500 },
    );
  });
});
