import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { readPcapUdp } from '../../../src/sensors/pcap.js';
import { decodeSflowDatagram, type CounterSample, type FlowSample, type SflowDatagram } from '../../../src/sensors/sflow/decoder.js';

const TCPDUMP = 'test/sensors/sflow/fixtures/tcpdump';
const TELEGRAF = 'test/sensors/sflow/fixtures/telegraf';

function capture(name: string): Buffer[] {
  return readPcapUdp(readFileSync(`${TCPDUMP}/${name}.pcap`), name).map((p) => p.payload);
}

/** What tcpdump -v printed, per datagram: header numbers, and per sample its header and generic counters. */
function tcpdumpDatagrams(name: string): Array<{ agent: string; seq: number; uptime: number; samples: number; lines: string[] }> {
  const out: Array<{ agent: string; seq: number; uptime: number; samples: number; lines: string[] }> = [];
  for (const line of readFileSync(`${TCPDUMP}/${name}.out`, 'utf8').split('\n')) {
    const m = /sFlowv5, IPv[46] agent ([^,]+), agent-id \d+, seqnum (\d+), uptime (\d+), samples (\d+)/.exec(line);
    if (m) out.push({ agent: m[1]!, seq: Number(m[2]), uptime: Number(m[3]), samples: Number(m[4]), lines: [] });
    else if (/sFlow/.test(line))
      out.push({ agent: '', seq: -1, uptime: 0, samples: -1, lines: [] }); // not decodable
    else out.at(-1)?.lines.push(line.trim());
  }
  return out;
}

/** Compare every sample and generic counter record against tcpdump's own decode of the same bytes. */
function compareWithTcpdump(name: string): number {
  const payloads = capture(name);
  const expected = tcpdumpDatagrams(name);
  assert.equal(payloads.length, expected.length);
  let checked = 0;
  payloads.forEach((p, i) => {
    const exp = expected[i]!;
    if (exp.seq < 0) {
      assert.throws(
        () => decodeSflowDatagram(p),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_DECODE',
      );
      return;
    }
    const d = decodeSflowDatagram(p);
    assert.equal(d.agent, exp.agent);
    assert.equal(d.sequence, exp.seq);
    assert.equal(d.uptimeMs, exp.uptime);
    assert.equal(d.samples.length, exp.samples);
    const heads = exp.lines.filter((l) => /sample \(\d\), length/.test(l));
    const generic = exp.lines.filter((l) => l.startsWith('ifindex'));
    const inOctets = exp.lines.filter((l) => l.startsWith('In octets'));
    const outOctets = exp.lines.filter((l) => l.startsWith('Out octets'));
    let g = 0;
    d.samples.forEach((s, j) => {
      const h = heads[j]!;
      assert.ok(h, `datagram ${i + 1}: tcpdump shows sample ${j}`);
      const seq = Number(/seqnum (\d+)/.exec(h)![1]);
      const idx = Number(/idx (\d+)/.exec(h)![1]);
      assert.ok(s.kind === 'flow' || s.kind === 'counter');
      assert.equal(s.sequence, seq);
      assert.equal(s.sourceIdIndex, idx);
      if (s.kind === 'flow') {
        const fm = /rate (\d+), pool (\d+), drops (\d+), input (\d+).*output (\d+)/.exec(h)!;
        assert.deepEqual([s.samplingRate, s.samplePool, s.drops, s.input, s.output], fm.slice(1, 6).map(Number));
      }
      if (s.kind === 'counter' && s.counters.interface) {
        const c = s.counters.interface;
        const gm = /ifindex (\d+), iftype (\d+), ifspeed (\d+)/.exec(generic[g]!)!;
        assert.deepEqual([c.ifIndex, c.ifType, c.ifSpeed], gm.slice(1, 4).map(Number));
        const im = /In octets (\d+), unicast pkts (\d+), multicast pkts (\d+), broadcast pkts (\d+), discards (\d+)/.exec(inOctets[g]!)!;
        assert.deepEqual([c.ifInOctets, c.ifInUcastPkts, c.ifInMulticastPkts, c.ifInBroadcastPkts, c.ifInDiscards], im.slice(1, 6).map(Number));
        const om = /Out octets (\d+), unicast pkts (\d+), multicast pkts (\d+), broadcast pkts (\d+), discards (\d+)/.exec(outOctets[g]!)!;
        assert.deepEqual([c.ifOutOctets, c.ifOutUcastPkts, c.ifOutMulticastPkts, c.ifOutBroadcastPkts, c.ifOutDiscards], om.slice(1, 6).map(Number));
        g++;
        checked++;
      }
    });
    assert.equal(g, generic.length, `datagram ${i + 1}: every generic counter record tcpdump printed was compared`);
  });
  return checked;
}

describe('sFlow v5 decoder against tcpdump', () => {
  test('expanded flow sample with raw header, extended gateway and router (sflow_expanded.pcap)', () => {
    const [p] = capture('sflow_expanded');
    const d = decodeSflowDatagram(p!);
    assert.deepEqual([d.agent, d.subAgentId, d.sequence, d.uptimeMs, d.samples.length], ['49.49.49.49', 0, 115694180, 3465002224, 1]);
    const s = d.samples[0] as FlowSample;
    assert.equal(s.kind, 'flow');
    assert.equal(s.expanded, true);
    assert.deepEqual(
      [s.sequence, s.sourceIdType, s.sourceIdIndex, s.samplingRate, s.samplePool, s.drops, s.input, s.output],
      [2170480284, 0, 11001, 1000, 1521799520, 0, 29001, 1285816721],
    );
    assert.deepEqual(
      s.records.map((r) => r.type),
      ['raw_packet_header', 'extended_gateway', 'extended_router'],
    );
    const raw = s.records[0]!;
    assert.ok(raw.type === 'raw_packet_header');
    assert.deepEqual([raw.headerProtocol, raw.frameLength, raw.stripped, raw.headerLength], [1, 126, 4, 122]);
    assert.equal(raw.packet.vlan, 809);
    assert.equal(raw.packet.etherType, 0x0800);
  });

  test('IPv6 agent, counter and flow samples: every datagram and generic counter record matches tcpdump (sflow-print-v6)', () => {
    assert.ok(compareWithTcpdump('sflow-print-v6') >= 48);
    const d = decodeSflowDatagram(capture('sflow-print-v6')[3]!);
    const flow = d.samples.find((s): s is FlowSample => s.kind === 'flow')!;
    const sw = flow.records.find((r) => r.type === 'extended_switch');
    assert.deepEqual(sw, { type: 'extended_switch', srcVlan: 10, srcPriority: 0, dstVlan: 10, dstPriority: 0 });
  });

  test('30 datagrams from several agents, expanded counter samples, other sFlow versions refused (sflow_multiple_counter_30_pdus)', () => {
    assert.ok(compareWithTcpdump('sflow_multiple_counter_30_pdus') >= 142);
  });

  test('host sFlow records tcpdump calls Unknown are kept as enterprise/format/length', () => {
    const d = capture('sflow_multiple_counter_30_pdus')
      .map((p) => {
        try {
          return decodeSflowDatagram(p);
        } catch {
          return undefined;
        }
      })
      .find((x) => x?.agent === '15.184.4.165')!;
    const c = d.samples[0] as CounterSample;
    assert.deepEqual(c.counters.unknown!.map((u) => u.format).sort(), [2000, 2001, 2003, 2004, 2005, 2006]);
    assert.ok(c.counters.unknown!.every((u) => u.enterprise === 0 && u.length > 0));
  });

  test('the datagram tcpdump once crashed on is refused with the offset and field', () => {
    const [p] = capture('sflow_print-segv');
    assert.throws(
      () => decodeSflowDatagram(p!),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_DECODE' && /offset 8, field 'agent_address'/.test(e.message),
    );
  });
});

function telegraf(dir: string): SflowDatagram {
  const name = { sflow_v5_example: 'sflow_v5.bin', sflow_issue_15375: 'sflow_drop_1036.bin' }[dir] ?? 'message.bin';
  return decodeSflowDatagram(readFileSync(`${TELEGRAF}/${dir}/${name}`));
}

describe('sFlow v5 decoder against telegraf', () => {
  test('counter sample with a port name record (1005, as Open vSwitch and host sFlow send)', () => {
    const d = telegraf('sflow_v5_example');
    assert.equal(d.agent, '192.168.119.184');
    assert.equal(d.subAgentId, 100000);
    const c = (d.samples[0] as CounterSample).counters;
    assert.equal(c.portName, 'eno1');
    assert.deepEqual(
      [
        c.interface!.ifIndex,
        c.interface!.ifSpeed,
        c.interface!.ifInOctets,
        c.interface!.ifOutOctets,
        c.interface!.ifInUcastPkts,
        c.interface!.ifOutUcastPkts,
        c.interface!.ifInMulticastPkts,
      ],
      [3, 1e9, 3910, 3946, 28, 29, 4294967295],
    );
    assert.equal(c.interface!.operStatus, 'up');
  });

  test('flow samples: addresses, ports, protocol, VLAN and interfaces as telegraf decodes them (issue 15918)', () => {
    const d = telegraf('sflow_issue_15918');
    assert.equal(d.agent, '192.168.227.2');
    const counters = (d.samples[0] as CounterSample).counters;
    assert.deepEqual(
      [counters.interface!.ifInOctets, counters.interface!.ifOutOctets, counters.interface!.ifInUcastPkts],
      [21286022420858, 8929238553590, 1153749508],
    );
    const flows = d.samples.filter((s): s is FlowSample => s.kind === 'flow');
    const first = flows[0]!;
    assert.deepEqual([first.sequence, first.samplingRate, first.drops, first.input, first.output], [2404916, 200, 8731, 96, 95]);
    const raw = first.records.find((r) => r.type === 'raw_packet_header');
    assert.ok(raw?.type === 'raw_packet_header');
    assert.deepEqual(raw.packet, {
      dstMac: '48:21:0b:3b:76:59',
      srcMac: '00:09:0f:09:00:01',
      etherType: 0x0800,
      tos: 0,
      ttl: 63,
      protocol: 17,
      srcAddr: '192.168.227.2',
      dstAddr: '192.168.101.2',
      srcPort: 49469,
      dstPort: 2055,
    });
    assert.equal(raw.frameLength, 1286);
    // the IPv6 samples: addresses as telegraf prints them
    const v6 = flows
      .map((f) => f.records.find((r) => r.type === 'raw_packet_header'))
      .filter((r) => r?.type === 'raw_packet_header' && r.packet.srcAddr?.includes(':'));
    assert.deepEqual(
      v6.map((r) => r?.type === 'raw_packet_header' && [r.packet.srcAddr, r.packet.dstAddr]),
      [
        ['fe80::f3a8:9738:cab4:2286', 'ff02::16'],
        ['fe80::f3a8:9738:cab4:2286', 'ff02::1:3'],
      ],
    );
  });

  test('expanded counter sample with FCS errors (issue 18876)', () => {
    const c = (telegraf('sflow_issue_18876').samples[0] as CounterSample).counters;
    assert.equal(c.ethernet!.dot3StatsFCSErrors, 58690);
    assert.deepEqual(
      [c.interface!.ifIndex, c.interface!.ifInErrors, c.interface!.ifInOctets, c.interface!.ifOutOctets, c.interface!.ifSpeed],
      [1258293248, 58690, 59347538341644, 89572325677612, 1e10],
    );
  });

  test('dropped-packet notification with an egress queue record (issue 15375)', () => {
    const s = telegraf('sflow_issue_15375').samples[0]!;
    assert.ok(s.kind === 'discard');
    assert.deepEqual([s.sequence, s.drops, s.input, s.output, s.reason], [2, 256, 1, 2, 1]);
    assert.deepEqual(s.records, [{ type: 'extended_egress_queue', queue: 42 }]);
  });
});
