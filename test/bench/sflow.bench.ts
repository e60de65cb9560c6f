// sFlow: decode samples/s in-process, and datagrams/s over UDP next to pmacct's sfacctd fed the same replay.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcapUdp } from '../../src/sensors/pcap.js';
import { decodeSflowDatagram } from '../../src/sensors/sflow/decoder.js';
import { SflowListener, udpReceiveBufferErrors } from '../../src/sensors/sflow/listener.js';
import { median, type BenchResult, type Emit } from './stats.js';

/** A real datagram: the capture's largest one with flow samples (raw header + extended switch, as OVS sends). */
function realDatagram(): { bytes: Buffer; samples: number } {
  const all = readPcapUdp(readFileSync('test/sensors/sflow/fixtures/tcpdump/sflow-print-v6.pcap')).map((p) => p.payload);
  let best = all[0]!;
  let flows = 0;
  for (const p of all) {
    const n = decodeSflowDatagram(p).samples.filter((s) => s.kind === 'flow').length;
    if (n > flows) [best, flows] = [p, n];
  }
  return { bytes: Buffer.from(best), samples: decodeSflowDatagram(best).samples.length };
}

function decodeRate(d: Buffer, samples: number): number {
  const n = 200_000;
  for (let i = 0; i < 20_000; i++) decodeSflowDatagram(d);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) decodeSflowDatagram(d);
    rates.push((n * samples) / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(rates);
}

/** Kernel drops of the UDP socket bound to 127.0.0.1:port (last column of /proc/net/udp). */
function socketDrops(port: number): number {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .find((l) => l.includes(hex));
  return line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
}

async function freePort(): Promise<number> {
  const l = new SflowListener({ host: '127.0.0.1', port: 0, onEvent: () => undefined });
  const { port } = await l.start();
  await l.close();
  return port;
}

const SENDER = `
const dgram = require('node:dgram');
const [ports, n, hex] = [process.argv[1].split(',').map(Number), Number(process.argv[2]), process.argv[3]];
const msg = Buffer.from(hex, 'hex');
const s = dgram.createSocket('udp4');
let sent = 0; const t0 = process.hrtime.bigint();
function burst() {
  // bounded bursts so the sender's own queue stays small; both receivers get every datagram
  for (let i = 0; i < 256 && sent < n; i++, sent++) for (const p of ports) s.send(msg, p, '127.0.0.1');
  if (sent < n) setImmediate(burst); else s.close(() => { process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e9)); });
}
burst();
`;

function runSender(ports: number[], n: number, bytes: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SENDER, ports.join(','), String(n), bytes.toString('hex')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`sflow bench sender exited ${code}`))));
  });
}

/** SIGINT to sfacctd's whole process group, then SIGKILL whatever is left after 5 s. */
async function stopGroup(pid: number | undefined): Promise<void> {
  if (!pid) return;
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(-pid, 'SIGKILL');
}

/** sfacctd in its own process group on `port`, or why it cannot run here. */
async function startSfacctd(dir: string, port: number): Promise<{ pid: number | undefined } | { failed: string }> {
  if (spawnSync('sfacctd', ['-V']).status !== 0) return { failed: 'sfacctd is not installed (Debian package pmacct)' };
  writeFileSync(
    join(dir, 'sfacctd.conf'),
    [
      `sfacctd_ip: 127.0.0.1`,
      `sfacctd_port: ${port}`,
      `sfacctd_pipe_size: 16777216`,
      `plugins: print`,
      `aggregate: src_host,dst_host,proto`,
      `print_output: csv`,
      `print_output_file: ${join(dir, 'out.csv')}`,
      `print_refresh_time: 60`,
      `logfile: ${join(dir, 'sfacctd.log')}`,
    ].join('\n'),
  );
  // its own process group: sfacctd forks a core and a plugin process, and ignores one SIGTERM
  const peer = spawn('sfacctd', ['-f', join(dir, 'sfacctd.conf')], { stdio: 'ignore', detached: true });
  peer.on('error', () => undefined);
  for (let i = 0; i < 50 && Number.isNaN(socketDrops(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (Number.isNaN(socketDrops(port))) {
    await stopGroup(peer.pid);
    return { failed: `sfacctd did not bind 127.0.0.1:${port} within 5 s (its log: ${readLog(join(dir, 'sfacctd.log'))})` };
  }
  return { pid: peer.pid };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-2).join(' / ') || 'empty';
  } catch {
    return 'none';
  }
}

export async function benchSflow(emit: Emit = () => undefined): Promise<BenchResult[]> {
  const { bytes, samples } = realDatagram();
  const inProcess = decodeRate(bytes, samples);
  const results: BenchResult[] = [{ name: `sflow: decode samples/s in-process (real ${samples}-sample datagram)`, value: inProcess, unit: 'samples/s' }];
  results.forEach(emit);

  const dir = mkdtempSync(join(tmpdir(), 'nrx-sflow-bench-'));
  const ourPort = await freePort();
  const peerPort = await freePort();
  // without sfacctd our figure is still measured, alone, and the row says why the peer is missing
  const peer = await startSfacctd(dir, peerPort);
  const ports = 'failed' in peer ? [ourPort] : [ourPort, peerPort];
  const listener = new SflowListener({ host: '127.0.0.1', port: ourPort, recvBufferBytes: 16 * 1024 * 1024, onEvent: () => undefined });
  await listener.start();
  try {
    const ours: number[] = [];
    const theirs: number[] = [];
    let lossOurs = 0;
    let lossPeer = 0;
    const kernelBefore = udpReceiveBufferErrors() ?? 0;
    for (let rep = 0; rep < 3; rep++) {
      const n = 100_000;
      const before = { decoded: listener.counters.decoded, ourDrops: socketDrops(ourPort), peerDrops: socketDrops(peerPort) };
      // the sender is another process, so this event loop keeps receiving while it floods
      const secs = await runSender(ports, n, bytes);
      const t0 = Date.now();
      let last = -1;
      while (listener.counters.decoded !== last) {
        last = listener.counters.decoded;
        await new Promise((r) => setTimeout(r, 50));
      }
      const drainSecs = (Date.now() - t0 - 50) / 1000;
      const got = listener.counters.decoded - before.decoded;
      const peerGot = n - (socketDrops(peerPort) - before.peerDrops);
      lossOurs += n - got;
      lossPeer += n - peerGot;
      ours.push(got / (secs + Math.max(0, drainSecs)));
      theirs.push(peerGot / secs);
    }
    const kernelDrops = (udpReceiveBufferErrors() ?? 0) - kernelBefore;
    results.push({
      name: `sflow: datagrams/s accepted over UDP (3 x 100k flood, loss ours ${lossOurs}${'failed' in peer ? '' : `, sfacctd ${lossPeer}`}, kernel UdpRcvbufErrors ${kernelDrops})`,
      value: median(ours),
      unit: 'datagrams/s',
      ...('failed' in peer ? { peerFailed: peer.failed } : { peer: { name: 'sfacctd (pmacct) on the same flood', value: median(theirs) } }),
      goal: '>= 0.5x sfacctd',
    });
  } finally {
    await listener.close();
    if (!('failed' in peer)) await stopGroup(peer.pid);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchSflow()) console.log(JSON.stringify(r));
}
