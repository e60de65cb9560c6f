import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeSflowCapture } from '../../../src/cli/commands/decode-sflow-trap.js';
import { NrxError } from '../../../src/core/errors.js';
import { readPcapUdp } from '../../../src/sensors/pcap.js';

const TCPDUMP = 'test/sensors/sflow/fixtures/tcpdump';
const lines = (file: string): Array<Record<string, unknown>> => decodeSflowCapture(readFileSync(file)).flatMap((r) => ('line' in r ? [r.line] : []));

test('decode sflow: one object per sample in the shape issue 5 fixes (flow)', () => {
  const [flow] = lines(`${TCPDUMP}/sflow_expanded.pcap`);
  assert.deepEqual(flow, {
    kind: 'flow',
    agent: '49.49.49.49',
    subAgentId: 0,
    datagramSequence: 115694180,
    sequence: 2170480284,
    sourceId: '0:11001',
    samplingRate: 1000,
    input: 29001,
    output: 1285816721,
    frameLength: 126,
    srcAddr: flow!.srcAddr,
    dstAddr: flow!.dstAddr,
    protocol: flow!.protocol,
    srcPort: flow!.srcPort,
    dstPort: flow!.dstPort,
    vlan: 809,
  });
  assert.match(String(flow!.srcAddr), /^\d+\.\d+\.\d+\.\d+$/);
});

test('decode sflow: VLAN from the extended switch record when the header is untagged; counters by name', () => {
  const all = lines(`${TCPDUMP}/sflow-print-v6.pcap`);
  assert.equal(all.length, 61, 'tcpdump shows 48 counter and 13 flow samples');
  const flow = all.find((l) => l.kind === 'flow')!;
  assert.deepEqual(
    [flow.agent, flow.sourceId, flow.samplingRate, flow.input, flow.output, flow.frameLength, flow.vlan],
    ['30::1:1:1', '0:7001', 1, 7001, 2147483648, 64, 10],
  );
  const counter = all.find((l) => l.kind === 'counter')!;
  assert.deepEqual(Object.keys(counter).sort(), ['agent', 'datagramSequence', 'ethernet', 'interface', 'kind', 'sequence', 'sourceId', 'subAgentId']);
  assert.equal((counter.interface as { ifSpeed: number }).ifSpeed, 400000000000);
});

test('decode sflow: malformed datagrams are reported with packet number and offset, the rest still decoded', () => {
  const out = decodeSflowCapture(readFileSync(`${TCPDUMP}/sflow_multiple_counter_30_pdus.pcap`));
  const errors = out.flatMap((r) => ('error' in r ? [r.error] : []));
  assert.deepEqual(
    errors.map((e) => e.packet),
    [13, 19, 20, 21, 22],
  );
  assert.match(errors[0]!.message, /offset 0, field 'version': sFlow version 327681 is not supported/);
  assert.equal(out.filter((r) => 'line' in r).length, 144, '142 interface counter samples and 2 host samples, as tcpdump counts them');
});

test('pcapng and pcap of the same capture give the same datagrams', () => {
  const a = readPcapUdp(readFileSync(`${TCPDUMP}/sflow_expanded.pcap`));
  const b = readPcapUdp(readFileSync(new URL('./fixtures/sflow_expanded.pcapng', import.meta.url)));
  assert.equal(b.length, 1);
  assert.deepEqual(b[0]!.payload, a[0]!.payload);
  assert.deepEqual([b[0]!.srcAddr, b[0]!.srcPort, b[0]!.dstAddr, b[0]!.dstPort], ['192.0.2.100', 47873, '192.0.2.101', 6343]);
  assert.ok(Math.abs(a[0]!.timeMs - b[0]!.timeMs) < 1);
});

test('a capture file that is not one, or is cut short, is refused naming the offset', () => {
  assert.throws(
    () => readPcapUdp(Buffer.from('hello world, not a capture'), 'x.pcap'),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_DECODE' && /x.pcap: offset 0/.test(e.message),
  );
  const full = readFileSync(`${TCPDUMP}/sflow_expanded.pcap`);
  assert.throws(() => readPcapUdp(full.subarray(0, full.length - 10), 'cut.pcap'), /cut.pcap: offset 32: packet record length 370 runs past the end/);
});
