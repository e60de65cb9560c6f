import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { decodeSyslog } from '../../src/sensors/syslog/decode.js';
import { identifyDevice } from '../../src/sensors/syslog/device.js';
import { normaliseSyslog } from '../../src/sensors/syslog/normalise.js';
import { SyslogSensor } from '../../src/sensors/syslog/sensor.js';
import { median, peerFields, tryPeer, type BenchResult, type Emit } from './stats.js';

const here = path.dirname(new URL(import.meta.url).pathname);

/**
 * A realistic mix: the normaliser fixtures (real vendor lines: BGP, interfaces, LAGs, OSPF,
 * IS-IS, BFD, commits, and lines no normaliser knows) plus as many everyday host/daemon lines,
 * because most of what a syslog sensor hears is not a fault.
 */
export function syslogMix(): Buffer[] {
  const cases = JSON.parse(readFileSync(path.join(here, '../sensors/syslog/fixtures/normalise-cases.json'), 'utf8')) as Array<{ line: string }>;
  const generic = [
    '<86>Nov 22 00:07:28 vm sshd[100]: Accepted publickey for netops from 192.0.2.10 port 40000 ssh2',
    '<30>Nov 22 00:07:29 leaf1 systemd[1]: Started Session 42 of user netops.',
    '<134>1 2026-11-22T00:07:30.120Z spine2 lldpd 812 - - interface swp3 now has neighbor leaf4',
    "<190>3004: xr1 RP/0/RSP0/CPU0:Nov 22 00:07:31.000 UTC: exec[65750]: %SECURITY-LOGIN-6-AUTHEN_SUCCESS : Successfully authenticated user 'netops' from '192.0.2.10' on 'vty0'",
    '<187>122: Nov 22 00:07:32: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.7(51515) -> 192.0.2.1(22), 1 packet',
    '<28>Nov 22 00:07:33 mx1 chassisd[1500]: CHASSISD_SNMP_TRAP7: SNMP trap generated: Fan/Blower OK',
  ];
  const lines = cases.map((c) => c.line);
  while (lines.length < cases.length * 2) lines.push(...generic);
  return lines.map((l) => Buffer.from(l));
}

/** Decode + normalise on this thread: lines/s over the mix. Also the full sensor path (with envelope). */
export function benchSyslogInProcess(n = 1_000_000, repeats = 5): BenchResult[] {
  const mix = syslogMix();
  const run = (): number => {
    const now = Date.now();
    const t0 = process.hrtime.bigint();
    let k = 0;
    for (let i = 0; i < n; i++) {
      const m = decodeSyslog(mix[i % mix.length]!, { receivedAt: now, sourceAddress: '192.0.2.1' });
      k += normaliseSyslog(m, { device: identifyDevice(null, m.hostname, m.sourceAddress) }).type.length;
    }
    if (k === 0) throw new Error('nothing normalised');
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  run(); // warm up
  const rates = Array.from({ length: repeats }, run);
  let events = 0;
  const sensor = new SyslogSensor({ publish: () => void events++ });
  const runSensor = (): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sensor.handle(mix[i % mix.length]!, '192.0.2.1');
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  runSensor();
  const sensorRates = Array.from({ length: 3 }, runSensor);
  return [
    { name: 'syslog decode+normalise, in-process, 1 core', value: median(rates), unit: 'lines/s', goal: '>= 500k/s' },
    { name: 'syslog sensor.handle (decode, normalise, envelope with id)', value: median(sensorRates), unit: 'lines/s' },
  ];
}

/** Kernel UDP receive-buffer drops so far (system-wide: the runs below are sequential). */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Send `count` datagrams from the mix to `port`: as fast as this process can (`rate` undefined),
 * or paced at `rate` per second in 1 ms slices. Returns the seconds spent sending.
 */
async function flood(port: number, mix: Buffer[], count: number, rate?: number): Promise<number> {
  const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  const t0 = process.hrtime.bigint();
  let inFlight = 0;
  let sent = 0;
  while (sent < count) {
    const due = rate === undefined ? count : Math.min(count, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate));
    while (sent < due && inFlight <= 2000) {
      inFlight++;
      s.send(mix[sent % mix.length]!, () => inFlight--);
      sent++;
    }
    await new Promise((r) => (rate === undefined ? setImmediate(r) : setTimeout(r, 1)));
  }
  while (inFlight > 0) await new Promise((r) => setImmediate(r));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.close();
  return secs;
}

/** Poll `count()` until it stops moving; returns [final count, seconds from `t0` to its last change]. */
async function settle(count: () => Promise<number> | number, t0: bigint, quietMs = 400): Promise<[number, number]> {
  let last = -1;
  let lastChange = process.hrtime.bigint();
  for (;;) {
    const c = await count();
    const now = process.hrtime.bigint();
    if (c !== last) {
      last = c;
      lastChange = now;
    } else if (Number(now - lastChange) / 1e6 > quietMs) return [c, Number(lastChange - t0) / 1e9];
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A syslog receiver under test: where to send, how many messages it has taken in, how to stop it. */
export interface Receiver {
  name: string;
  port: number;
  taken(): Promise<number> | number;
  close(): Promise<void>;
}

async function startNetreflex(): Promise<Receiver & { recvBufferBytes: number }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'syslog-receiver.ts')], {
    cwd: path.join(here, '../..'),
    env: { ...process.env, NETREFLEX_LOG_LEVEL: 'silent' },
  });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => JSON.parse(((await replies.next()).value as string | undefined) ?? '{}') as Record<string, number>;
  const hello = await next();
  return {
    name: 'netreflex',
    port: hello.port!,
    recvBufferBytes: hello.recvBufferBytes!,
    async taken() {
      child.stdin.write('report\n');
      return (await next()).events ?? 0;
    },
    async close() {
      child.stdin.end('close\n');
      await new Promise((r) => setTimeout(r, 100));
      child.kill();
    },
  };
}

export async function startRsyslog(): Promise<Receiver | null> {
  const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
  if (!rsyslogd) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-bench-rsyslog-'));
  const port = await freeUdpPort();
  const out = path.join(dir, 'out.log');
  writeFileSync(
    path.join(dir, 'rsyslog.conf'),
    `global(workDirectory="${dir}")\nmodule(load="imudp")\ninput(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="8m")\n*.* action(type="omfile" file="${out}")\n`,
  );
  const child = spawn(rsyslogd, ['-n', '-f', path.join(dir, 'rsyslog.conf'), '-i', path.join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  // rsyslog is ready when its port is taken
  for (let i = 0; i < 100; i++) {
    const probe = dgram.createSocket('udp4');
    const taken = await new Promise<boolean>((r) => {
      probe.once('error', () => r(true));
      probe.bind(port, '127.0.0.1', () => r(false));
    });
    probe.close();
    if (taken) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name: 'rsyslog imudp->omfile',
    port,
    taken: () => (existsSync(out) ? countLines(out) : 0),
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function countLines(file: string): number {
  if (statSync(file).size === 0) return 0;
  const r = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return Number(r.stdout.trim().split(/\s+/)[0]);
}

interface Run {
  sent: number;
  received: number;
  perSecond: number;
  kernelDrops: number;
  sendRate: number;
}

async function run(rx: Receiver, mix: Buffer[], count: number, rate?: number): Promise<Run> {
  const before = await rx.taken();
  const drops0 = udpRcvbufErrors();
  const t0 = process.hrtime.bigint();
  const sendSecs = await flood(rx.port, mix, count, rate);
  const [after, secs] = await settle(() => rx.taken(), t0);
  const received = after - before;
  return { sent: count, received, perSecond: received / secs, kernelDrops: udpRcvbufErrors() - drops0, sendRate: count / sendSecs };
}

/** The highest paced rate (one second of traffic per step) taken without loss, and the flood figures. */
async function measure(rx: Receiver, mix: Buffer[], floodCount: number): Promise<{ lossless: number; flood: Run }> {
  let lossless = 0;
  for (const rate of [25_000, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 400_000]) {
    const r = await run(rx, mix, rate, rate);
    if (r.received < r.sent || r.sendRate < rate * 0.9) break; // lost some, or the sender itself could not keep up
    lossless = rate;
  }
  return { lossless, flood: await run(rx, mix, floodCount) };
}

/**
 * UDP end to end, netreflex (its listener in a separate process, 8 MiB receive buffer) and
 * rsyslog (imudp -> omfile, 8m buffer) fed the same traffic by the same sender: a ladder of
 * paced rates (the highest without loss is "accepted without loss"), then a flood at the
 * sender's maximum. Sequential, so each receiver has the second core and the kernel's drop
 * counter (UdpRcvbufErrors, system-wide) can be attributed. Loss = sent - received, never silent.
 */
export async function benchSyslogUdp(floodCount = 300_000): Promise<BenchResult[]> {
  const mix = syslogMix();
  const ours = await startNetreflex();
  let mine: { lossless: number; flood: Run };
  try {
    mine = await measure(ours, mix, floodCount);
  } finally {
    await ours.close();
  }
  const theirs = await tryPeer('rsyslog', async () => {
    const rs = await startRsyslog();
    if (!rs) throw new Error('rsyslogd is not installed (Debian package rsyslog)');
    try {
      return await measure(rs, mix, floodCount);
    } finally {
      await rs.close();
    }
  });
  const loss = (r: Run): string => `${((100 * (r.sent - r.received)) / r.sent).toFixed(1)}% lost, ${r.kernelDrops} kernel drops`;
  return [
    {
      name: `syslog over UDP, highest paced rate without loss (rcvbuf ${Math.round(ours.recvBufferBytes / 1024)} KiB granted)`,
      value: mine.lossless,
      unit: 'msg/s',
      ...peerFields(theirs, 'rsyslog imudp->omfile', (t) => t.lossless),
      goal: '>= 150k/s and >= 0.75x rsyslog',
    },
    {
      name: `syslog over UDP, flood of ${floodCount} at ${Math.round(mine.flood.sendRate / 1000)}k/s: events/s (netreflex ${loss(mine.flood)}${'ok' in theirs ? `; rsyslog ${loss(theirs.ok.flood)}` : ''})`,
      value: mine.flood.perSecond,
      unit: 'msg/s',
      ...peerFields(theirs, 'rsyslog imudp->omfile', (t) => t.flood.perSecond),
    },
  ];
}

export async function benchSyslog(emit: Emit = () => undefined): Promise<BenchResult[]> {
  const inProcess = benchSyslogInProcess();
  inProcess.forEach(emit);
  return [...inProcess, ...(await benchSyslogUdp())];
}
