import { decodeCounterRecord, type CounterRecords } from './counter-records.js';
import { decodeFlowRecord, readAddress, type FlowRecord } from './flow-records.js';
import { decodeError, XdrReader } from './xdr.js';

/** One sFlow v5 datagram (sFlow v5 spec, `sample_datagram_v5`). */
export interface SflowDatagram {
  version: 5;
  agent: string;
  subAgentId: number;
  /** The agent's datagram sequence number: gaps are lost datagrams. */
  sequence: number;
  uptimeMs: number;
  samples: SflowSample[];
}

/** `type:index` as sflowtool prints it: type 0 ifIndex, 1 VLAN, 2 physical entity. */
interface SampleSource {
  sequence: number;
  sourceIdType: number;
  sourceIdIndex: number;
  expanded: boolean;
}

export interface FlowSample extends SampleSource {
  kind: 'flow';
  samplingRate: number;
  samplePool: number;
  drops: number;
  /** ifIndex as carried: compact form keeps the format bits (0x80000000 = several interfaces). */
  input: number;
  output: number;
  records: FlowRecord[];
}

export interface CounterSample extends SampleSource {
  kind: 'counter';
  counters: CounterRecords;
}

/** sFlow dropped-packet notification (enterprise 0, format 5). */
export interface DiscardSample extends SampleSource {
  kind: 'discard';
  drops: number;
  input: number;
  output: number;
  reason: number;
  records: FlowRecord[];
}

export interface UnknownSample {
  kind: 'unknown';
  enterprise: number;
  format: number;
  length: number;
}

export type SflowSample = FlowSample | CounterSample | DiscardSample | UnknownSample;

/** The smallest thing a count can stand for: a record or sample header is 8 bytes. */
const HEADER_BYTES = 8;

/**
 * Decode an sFlow v5 datagram. Pure. Malformed or truncated bytes throw NRX_ERR_DECODE naming
 * the byte offset and the field; unknown sample and record formats are kept as
 * {enterprise, format, length} and decoding goes on past them.
 */
export interface SflowDecodeOptions {
  /**
   * Decode the records inside flow samples (packet headers, switch/router data). The event
   * detector reads only counter samples, so the listener skips them when nobody wants the
   * samples themselves: the sample's own fields are still read and checked.
   */
  flowRecords?: boolean;
}

export function decodeSflowDatagram(buf: Buffer, opts: SflowDecodeOptions = {}): SflowDatagram {
  const withFlows = opts.flowRecords ?? true;
  const r = new XdrReader(buf);
  const version = r.u32('version');
  if (version !== 5) throw decodeError(0, 'version', `sFlow version ${version} is not supported (only 5)`);
  const agent = readAddress(r, 'agent_address');
  const subAgentId = r.u32('sub_agent_id');
  const sequence = r.u32('sequence_number');
  const uptimeMs = r.u32('uptime');
  const count = countOf(r, 'samples.count');
  const samples: SflowSample[] = [];
  for (let i = 0; i < count; i++) {
    const dataFormat = r.u32('samples', i);
    const lenAt = r.pos;
    const length = r.u32('samples', i);
    if (length > r.remaining) throw r.fail(lenAt, `samples[${i}].length`, `sample length ${length} exceeds the ${r.remaining} bytes left`);
    samples.push(decodeSample(dataFormat >>> 12, dataFormat & 0xfff, r.sub(length, 'samples', i), withFlows));
  }
  return { version: 5, agent, subAgentId, sequence, uptimeMs, samples };
}

function decodeSample(enterprise: number, format: number, r: XdrReader, withFlows: boolean): SflowSample {
  if (enterprise !== 0) return { kind: 'unknown', enterprise, format, length: r.remaining };
  switch (format) {
    case 1:
    case 3: {
      const expanded = format === 3;
      const sequence = r.u32('sequence_number');
      const [sourceIdType, sourceIdIndex] = sourceId(r, expanded);
      const samplingRate = r.u32('sampling_rate');
      const samplePool = r.u32('sample_pool');
      const drops = r.u32('drops');
      const input = expanded ? interfaceExpanded(r, 'input') : r.u32('input');
      const output = expanded ? interfaceExpanded(r, 'output') : r.u32('output');
      const records = withFlows ? flowRecords(r) : [];
      return { kind: 'flow', expanded, sequence, sourceIdType, sourceIdIndex, samplingRate, samplePool, drops, input, output, records };
    }
    case 2:
    case 4: {
      const expanded = format === 4;
      const sequence = r.u32('sequence_number');
      const [sourceIdType, sourceIdIndex] = sourceId(r, expanded);
      const n = countOf(r, 'records.count');
      const counters: CounterRecords = {};
      for (let i = 0; i < n; i++) {
        const [ent, fmt, body] = recordHeader(r, 'counters', i);
        decodeCounterRecord(ent, fmt, body, counters);
      }
      return { kind: 'counter', expanded, sequence, sourceIdType, sourceIdIndex, counters };
    }
    case 5: {
      const sequence = r.u32('sequence_number');
      const [sourceIdType, sourceIdIndex] = sourceId(r, true);
      const drops = r.u32('drops');
      const input = r.u32('input');
      const output = r.u32('output');
      const reason = r.u32('reason');
      return { kind: 'discard', expanded: true, sequence, sourceIdType, sourceIdIndex, drops, input, output, reason, records: flowRecords(r) };
    }
    default:
      return { kind: 'unknown', enterprise, format, length: r.remaining };
  }
}

function sourceId(r: XdrReader, expanded: boolean): [number, number] {
  if (expanded) return [r.u32('source_id_type'), r.u32('source_id_index')];
  const v = r.u32('source_id');
  return [v >>> 24, v & 0xffffff];
}

/** Expanded `interface_expanded`: a format word (0 ifIndex) and a value; we carry the value. */
function interfaceExpanded(r: XdrReader, field: 'input' | 'output'): number {
  r.u32(field === 'input' ? 'input.format' : 'output.format');
  return r.u32(field === 'input' ? 'input.value' : 'output.value');
}

function flowRecords(r: XdrReader): FlowRecord[] {
  const n = countOf(r, 'records.count');
  const records: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    const [ent, fmt, body] = recordHeader(r, 'records', i);
    records.push(decodeFlowRecord(ent, fmt, body));
  }
  return records;
}

function recordHeader(r: XdrReader, label: string, i: number): [number, number, XdrReader] {
  const dataFormat = r.u32(label, i);
  const lenAt = r.pos;
  const length = r.u32(label, i);
  if (length > r.remaining) throw r.fail(lenAt, `${label}[${i}].length`, `record length ${length} exceeds the ${r.remaining} bytes left`);
  return [dataFormat >>> 12, dataFormat & 0xfff, r.sub(length, label, i)];
}

/** A count of samples or records: each needs at least a header, so it must fit in what is left. */
function countOf(r: XdrReader, field: string): number {
  const at = r.pos;
  const n = r.u32(field);
  if (n * HEADER_BYTES > r.remaining) throw r.fail(at, field, `count ${n} cannot fit in the ${r.remaining} bytes left`);
  return n;
}
