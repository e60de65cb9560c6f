import type { CounterSample, FlowSample, SflowDatagram, SflowSample } from './decoder.js';

/**
 * The one-object-per-sample shape `netreflex decode sflow` prints (issue 5): `kind`, `agent`,
 * `sequence` (the sample's), `sourceId` (`type:index`, as sflowtool writes it); flow samples add
 * samplingRate, input, output, frameLength and the packet's addresses, protocol, ports and VLAN
 * when present; counter samples add their counter records by name.
 */
export function sampleSummaries(d: SflowDatagram): Array<Record<string, unknown>> {
  return d.samples.map((s) => sampleSummary(d, s));
}

export function sampleSummary(d: SflowDatagram, s: SflowSample): Record<string, unknown> {
  const head = { kind: s.kind, agent: d.agent, subAgentId: d.subAgentId, datagramSequence: d.sequence };
  if (s.kind === 'unknown') return { ...head, enterprise: s.enterprise, format: s.format, length: s.length };
  const base = { ...head, sequence: s.sequence, sourceId: `${s.sourceIdType}:${s.sourceIdIndex}` };
  if (s.kind === 'counter') return { ...base, ...counterFields(s) };
  if (s.kind === 'discard') return { ...base, drops: s.drops, input: s.input, output: s.output, reason: s.reason, ...packetFields(s.records) };
  return { ...base, samplingRate: s.samplingRate, input: s.input, output: s.output, ...packetFields(s.records) };
}

function counterFields(s: CounterSample): Record<string, unknown> {
  return { ...s.counters };
}

/** The packet's fields: the sampled header first, then sampled IPv4/IPv6 and extended switch records. */
export function packetFields(records: FlowSample['records']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v !== undefined && out[k] === undefined) out[k] = v;
  };
  for (const r of records) {
    if (r.type === 'raw_packet_header') {
      put('frameLength', r.frameLength);
      const p = r.packet;
      put('srcAddr', p.srcAddr);
      put('dstAddr', p.dstAddr);
      put('protocol', p.protocol);
      put('srcPort', p.srcPort);
      put('dstPort', p.dstPort);
      put('vlan', p.vlan);
    } else if (r.type === 'sampled_ipv4' || r.type === 'sampled_ipv6') {
      put('frameLength', r.length);
      put('srcAddr', r.srcAddr);
      put('dstAddr', r.dstAddr);
      put('protocol', r.protocol);
      if (r.protocol === 6 || r.protocol === 17 || r.protocol === 132) {
        put('srcPort', r.srcPort);
        put('dstPort', r.dstPort);
      }
    }
  }
  // the switch's own VLAN record when the sampled header carried no tag
  for (const r of records) if (r.type === 'extended_switch') put('vlan', r.srcVlan);
  return out;
}
