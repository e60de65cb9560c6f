import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import { decodeSflowDatagram } from '../../../src/sensors/sflow/decoder.js';
import { SflowEventDetector } from '../../../src/sensors/sflow/events.js';
import { SequenceTracker } from '../../../src/sensors/sflow/sequence.js';
import { registerSflowTriggers } from '../../../src/sensors/sflow/triggers.js';
import { counterSample, datagram, genericCounters, lagCounters, portName, type IfCounters } from './encode.js';

const registry = new TriggerRegistry();
registerBuiltins(registry);
registerSflowTriggers(registry);

function counters(seq: number, uptimeMs: number, c: IfCounters, extra: Buffer[] = []): ReturnType<typeof decodeSflowDatagram> {
  return decodeSflowDatagram(datagram('10.0.0.1', seq, uptimeMs, [counterSample(seq, c.ifIndex, [genericCounters(c), ...extra])]));
}

describe('SflowEventDetector', () => {
  test('oper status change in counter samples: interface_down then interface_up, first sample only a baseline', () => {
    const det = new SflowEventDetector({ deviceOf: (a) => (a === '10.0.0.1' ? 'leaf1' : null) });
    assert.deepEqual(det.observe(counters(1, 1000, { ifIndex: 5, up: true }, [portName('eth5')])), []);
    const down = det.observe(counters(2, 6000, { ifIndex: 5, up: false }));
    assert.equal(down.length, 1);
    assert.equal(down[0]!.type, 'network.interface_down');
    assert.equal(down[0]!.device, 'leaf1');
    assert.equal(down[0]!.source, 'sensor:sflow');
    assert.deepEqual([down[0]!.payload.interface, down[0]!.payload.ifIndex, down[0]!.payload.host], ['eth5', 5, '10.0.0.1']);
    assert.equal(registry.validate(down[0]!.type, down[0]!.payload), null);
    assert.deepEqual(det.observe(counters(3, 11000, { ifIndex: 5, up: false })), []);
    assert.deepEqual(
      det.observe(counters(4, 16000, { ifIndex: 5, up: true })).map((e) => e.type),
      ['network.interface_up'],
    );
  });

  test('utilisation crossing fires once per crossing, with hysteresis, from octet deltas over agent uptime', () => {
    const det = new SflowEventDetector({ thresholds: { utilisationPercent: 80 } });
    // 1 Gb/s link, 10 s intervals: 1.25e9 octets = 100 %
    let octets = 0;
    const step = (pct: number, i: number): string[] => {
      octets += (1.25e9 * pct) / 100;
      return det
        .observe(counters(i, 1000 + i * 10_000, { ifIndex: 7, inOctets: octets, speed: 1e9 }))
        .map((e) => `${e.type}:${e.payload.direction}:${e.payload.utilisation}`);
    };
    assert.deepEqual(step(0, 0), []);
    assert.deepEqual(step(50, 1), []);
    assert.deepEqual(step(85, 2), ['network.interface_utilisation_high:in:85']);
    assert.deepEqual(step(90, 3), [], 'still high: no second event');
    assert.deepEqual(step(77, 4), [], 'inside the hysteresis band: not re-armed');
    assert.deepEqual(step(60, 5), []);
    assert.deepEqual(step(95, 6), ['network.interface_utilisation_high:in:95']);
  });

  test('error-rate crossing per direction', () => {
    const det = new SflowEventDetector({ thresholds: { errorRatePercent: 2 } });
    det.observe(counters(1, 0, { ifIndex: 9, inPkts: 0, inErrors: 0 }));
    assert.deepEqual(det.observe(counters(2, 5000, { ifIndex: 9, inPkts: 1000, inErrors: 5 })), []);
    const e = det.observe(counters(3, 10000, { ifIndex: 9, inPkts: 2000, inErrors: 55 }));
    assert.equal(e.length, 1);
    assert.equal(e[0]!.type, 'network.interface_errors_high');
    assert.deepEqual([e[0]!.payload.direction, e[0]!.payload.errors, e[0]!.payload.error_rate], ['in', 50, 4.76]);
    assert.equal(registry.validate(e[0]!.type, e[0]!.payload), null);
  });

  test('LAG member state from 802.3ad counters: down when it stops collecting/distributing, named by port names', () => {
    const det = new SflowEventDetector();
    det.observe(decodeSflowDatagram(datagram('10.0.0.1', 1, 0, [counterSample(1, 100, [genericCounters({ ifIndex: 100 }), portName('bond0')])])));
    const member = (seq: number, state: number): string[] =>
      det
        .observe(
          decodeSflowDatagram(
            datagram('10.0.0.1', seq, seq * 1000, [counterSample(seq, 3, [genericCounters({ ifIndex: 3 }), portName('eth3'), lagCounters(100, state)])]),
          ),
        )
        .map((e) => `${e.type} ${e.payload.lag} ${e.payload.member}`);
    assert.deepEqual(member(2, 0x3d), []);
    assert.deepEqual(member(3, 0x07), ['network.lag_member_down bond0 eth3']);
    assert.deepEqual(member(4, 0x3d), ['network.lag_member_up bond0 eth3']);
  });
});

describe('SequenceTracker', () => {
  test('counts lost datagrams per agent, survives the 32-bit wrap, tells restarts from reordering', () => {
    const t = new SequenceTracker();
    t.observe('a', 0, 10);
    assert.deepEqual(t.observe('a', 0, 11), { lost: 0, restarted: false, late: false });
    assert.deepEqual(t.observe('a', 0, 15), { lost: 3, restarted: false, late: false });
    assert.deepEqual(t.observe('b', 0, 500), { lost: 0, restarted: false, late: false }, 'a new agent has its own count');
    assert.deepEqual(t.observe('a', 0, 14), { lost: 0, restarted: false, late: true });
    assert.deepEqual(t.observe('a', 0, 1000), { lost: 984, restarted: false, late: false });
    assert.deepEqual(t.observe('a', 0, 1), { lost: 0, restarted: true, late: false }, 'a big step back is a restart');
    t.observe('c', 0, 0xfffffffe);
    assert.deepEqual(t.observe('c', 0, 1), { lost: 2, restarted: false, late: false });
    assert.equal(t.lostTotal, 3 + 984 + 2);
    assert.equal(t.restarts, 1);
  });
});
