import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { NrxError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/log.js';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import type { RawReading } from '../../../src/sensors/poller/items.js';
import { Poller, type PolledDevice } from '../../../src/sensors/poller/poller.js';
import type { DeviceReader } from '../../../src/sensors/poller/reader.js';
import { startPollers } from '../../../src/sensors/poller/start.js';
import { definition, fastDefinition, sleep, until } from './helpers.js';

const BGP = 'name: bgp\nevery: 1s\ngetter: bgp_neighbors\nkey: peer\nemit: network.bgp_peer_state_changed\n';
const reading = (state: string, peer = '10.0.1.1'): RawReading => ({
  kind: 'getter',
  model: { neighbors: [{ peer, remoteAs: 65000, state: state as 'idle', adminDown: false, vrf: 'default' }] },
});
const unreachable = (device: string) => new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `device ${device}: connection refused`);

/** A fake network: what each device answers now (a reading, or an error). */
class FakeDevices {
  answers = new Map<string, RawReading | Error | 'hang'>();
  devices: PolledDevice[] = [];
  reads = 0;
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  read: DeviceReader = async (device, _source, signal) => {
    this.reads++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await sleep(this.delayMs);
      const a = this.answers.get(device);
      if (a === 'hang') return await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      if (a === undefined) throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no device '${device}'`);
      if (a instanceof Error) throw a;
      return a;
    } finally {
      this.inFlight--;
    }
  };
}

function harness(def = definition(BGP)) {
  const net = new FakeDevices();
  net.devices = [{ name: 'leaf1', platform: 'frr' }];
  const events: EventEnvelope[] = [];
  const poller = new Poller(def, { listDevices: async () => net.devices, read: net.read, emit: async (e) => void events.push(e), log: silentLogger });
  return { net, events, poller };
}

describe('poller scheduler', () => {
  test('the first reading is the baseline; one event per change after it, none while nothing changes', async () => {
    const { net, events, poller } = harness();
    net.answers.set('leaf1', reading('established'));
    await poller.pollOnce();
    await poller.pollOnce();
    assert.equal(events.length, 0);
    net.answers.set('leaf1', reading('idle'));
    await poller.pollOnce();
    await poller.pollOnce();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'network.bgp_peer_state_changed');
    assert.equal(events[0]!.device, 'leaf1');
    assert.equal(events[0]!.source, 'poller:lab.bgp');
    assert.deepEqual([events[0]!.payload.state, events[0]!.payload.previous_state, events[0]!.payload.platform], ['idle', 'established', 'frr']);
    assert.deepEqual(poller.counters.snapshot(), { rounds: 4, polled: 4, failed: 0, changes: 1, emitted: 1, dropped: 0, overruns: 0, devices: 1 });
  });

  test('a failing device is counted, keeps its previous values, and is compared with them when it answers again', async () => {
    const { net, events, poller } = harness();
    net.answers.set('leaf1', reading('established'));
    await poller.pollOnce();
    net.answers.set('leaf1', unreachable('leaf1'));
    await poller.pollOnce();
    await poller.pollOnce();
    assert.equal(events.length, 0, 'a failure is not a change');
    assert.equal(poller.lastReading('leaf1')?.get('10.0.1.1')?.state, 'established');
    net.answers.set('leaf1', reading('established'));
    await poller.pollOnce();
    assert.equal(events.length, 0, 'same values after the outage: nothing to say');
    net.answers.set('leaf1', unreachable('leaf1'));
    await poller.pollOnce();
    net.answers.set('leaf1', reading('active'));
    await poller.pollOnce();
    assert.deepEqual(
      events.map((e) => [e.payload.previous_state, e.payload.state]),
      [['established', 'active']],
    );
    assert.equal(poller.counters.failed, 3);
  });

  test('emit_initial reports the first reading; a device that leaves the filter starts again from a baseline', async () => {
    const { net, events, poller } = harness(definition(`${BGP}emit_initial: true\n`));
    net.answers.set('leaf1', reading('established'));
    await poller.pollOnce();
    assert.deepEqual(
      events.map((e) => [e.payload.state, e.payload.previous_state]),
      [['established', null]],
    );
    const plain = harness();
    plain.net.answers.set('leaf1', reading('established'));
    await plain.poller.pollOnce();
    plain.net.devices = [];
    await plain.poller.pollOnce();
    assert.equal(plain.poller.lastReading('leaf1'), undefined);
    plain.net.devices = [{ name: 'leaf1', platform: 'frr' }];
    plain.net.answers.set('leaf1', reading('idle'));
    await plain.poller.pollOnce();
    assert.equal(plain.events.length, 0, 'back in the filter: a new baseline, not a change');
  });

  test('a device that hangs fails after the timeout without holding up the others', async () => {
    const { net, events, poller } = harness(fastDefinition(BGP, 1000, 100));
    net.devices = [
      { name: 'leaf1', platform: 'frr' },
      { name: 'leaf2', platform: 'frr' },
    ];
    net.answers.set('leaf1', reading('established'));
    net.answers.set('leaf2', reading('established', '10.0.2.1'));
    await poller.pollOnce();
    net.answers.set('leaf1', 'hang');
    net.answers.set('leaf2', reading('idle', '10.0.2.1'));
    const started = Date.now();
    const summary = await poller.pollOnce();
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual(summary, { devices: 2, polled: 1, failed: 1, events: 1 });
    assert.equal(events[0]!.device, 'leaf2');
    assert.equal(poller.lastReading('leaf1')?.get('10.0.1.1')?.state, 'established');
  });

  test('at most `concurrency` devices are read at once', async () => {
    const { net, poller } = harness(definition(BGP.replace('every: 1s', 'every: 1s\nconcurrency: 3')));
    net.devices = Array.from({ length: 12 }, (_, i) => ({ name: `d${i}`, platform: 'frr' }));
    for (const d of net.devices) net.answers.set(d.name, reading('established'));
    net.delayMs = 10;
    const s = await poller.pollOnce();
    assert.equal(s.polled, 12);
    assert.equal(net.maxInFlight, 3);
  });

  test('events the appliance refuses are counted as dropped', async () => {
    const net = new FakeDevices();
    net.devices = [{ name: 'leaf1', platform: null }];
    const poller = new Poller(definition(`${BGP}emit_initial: true\n`), {
      listDevices: async () => net.devices,
      read: net.read,
      emit: async () => Promise.reject(new Error('store closed')),
      log: silentLogger,
    });
    net.answers.set('leaf1', reading('established'));
    await poller.pollOnce();
    assert.deepEqual([poller.counters.emitted, poller.counters.dropped], [0, 1]);
  });

  test('started, it polls every `every`; rounds never overlap; stop ends polling', async () => {
    const { net, events, poller } = harness(fastDefinition(BGP, 40));
    net.answers.set('leaf1', reading('established'));
    poller.start();
    await until('three rounds', () => poller.counters.rounds >= 3);
    net.answers.set('leaf1', reading('idle'));
    await until('the change', () => events.length === 1);
    // a device slower than the schedule: rounds run late (overruns), never two at once
    net.delayMs = 100;
    await until('an overrun', () => poller.counters.overruns >= 1);
    assert.equal(net.maxInFlight, 1);
    await poller.stop();
    const reads = net.reads;
    await sleep(150);
    assert.equal(net.reads, reads, 'no polls after stop');
    assert.equal(events.length, 1);
  });

  test('exactly one event per change over any sequence of readings and failures', async () => {
    const step = fc.oneof(fc.constantFrom('idle', 'active', 'established'), fc.constant<'fail'>('fail'));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const { net, events, poller } = harness();
        for (const s of steps) {
          net.answers.set('leaf1', s === 'fail' ? unreachable('leaf1') : reading(s));
          await poller.pollOnce();
        }
        const answered = steps.filter((s) => s !== 'fail');
        const transitions = answered.slice(1).filter((s, i) => s !== answered[i]).length;
        assert.equal(events.length, transitions);
        assert.deepEqual(
          events.map((e) => [e.payload.previous_state, e.payload.state]),
          answered.slice(1).flatMap((s, i) => (s !== answered[i] ? [[answered[i], s]] : [])),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('startPollers', () => {
  test('loads pollers from the packs, registers network.poll_changed, and the appliance records the events', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'nrx-pollers-'));
    const pack = path.join(root, 'packs', 'watch');
    mkdirSync(path.join(pack, 'pollers'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: watch\nname: watch\nversion: 0.1.0\n');
    writeFileSync(path.join(pack, 'pollers', 'peers.yaml'), 'name: peers\nevery: 1s\non: "role=leaf"\ngetter: bgp_neighbors\nkey: peer\nwatch: [remoteAs]\n');
    writeFileSync(path.join(pack, 'pollers', 'off.yaml'), 'name: off\nenabled: false\nevery: 1s\ngetter: facts\n');
    writeFileSync(path.join(pack, 'pollers', 'bad.yaml'), 'name: bad\nevery: 1s\ngetter: bgp\n');
    const inv = path.join(root, 'inventory');
    mkdirSync(inv);
    writeFileSync(
      path.join(inv, 'hosts.yaml'),
      'leaf1:\n  hostname: 127.0.0.1\n  platform: frr\n  data: {role: leaf}\nspine1:\n  hostname: 127.0.0.1\n  platform: frr\n  data: {role: spine}\n',
    );
    const appliance = new Appliance({
      config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}),
      log: silentLogger,
    });
    let as = 65000;
    const asked: string[] = [];
    const reader: DeviceReader = async (device) => {
      asked.push(device);
      return { kind: 'getter', model: { neighbors: [{ peer: '10.0.1.1', remoteAs: as, state: 'established', adminDown: false, vrf: 'default' }] } };
    };
    try {
      assert.deepEqual((await appliance.inventory.loadYaml(inv)).errors, []);
      await appliance.start();
      const running = startPollers(appliance, silentLogger, { reader });
      assert.deepEqual(
        running.pollers.map((p) => p.definition.ref),
        ['watch.peers'],
      );
      assert.deepEqual(
        running.errors.map((e) => [e.code, path.basename(e.location?.file ?? ''), e.location?.field]),
        [['NRX_ERR_SPEC_INVALID', 'bad.yaml', 'getter']],
      );
      assert.ok(appliance.triggers.has('network.poll_changed'));
      await until('the baseline', () => running.counters()['poller:watch.peers']!.rounds >= 1);
      assert.deepEqual([...new Set(asked)], ['leaf1'], 'only the devices the filter selects');
      as = 65100;
      await until('the change recorded', () => running.counters()['poller:watch.peers']!.emitted >= 1, 5_000);
      await running.stop();
      const recorded = await appliance.store.listTriggerInstances({ type: 'network.poll_changed' });
      assert.equal(recorded.length, 1);
      assert.deepEqual(
        [recorded[0]!.device, recorded[0]!.payload.field, recorded[0]!.payload.previous, recorded[0]!.payload.value],
        ['leaf1', 'remoteAs', 65000, 65100],
      );
    } finally {
      await appliance.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
