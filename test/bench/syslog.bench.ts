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
import { rmemMax } from '../../src/sensors/common/recv-buffer.js';
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
  /** The receiving process, whose CPU time is read from /proc. */
  pid?: number;
  close(): Promise<void>;
}

/** CPU seconds (user + system, all threads) a process has used, from /proc; NaN where it cannot be read. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** How the netreflex receiver reads the socket (see syslog-receiver.ts). */
export type ReceiverMode = 'worker' | 'worker-dgram' | 'main' | 'bare';

/** The receiver in its own process; `script` runs another build's receiver (to compare two versions in one run). */
export async function startNetreflex(
  mode: ReceiverMode = 'worker',
  script = path.join(here, 'syslog-receiver.ts'),
): Promise<Receiver & { recvBufferBytes: number; reader: string }> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', script, mode, String(sameRecvBuffer())], {
    cwd: path.join(here, '../..'),
    env: { ...process.env, NETREFLEX_LOG_LEVEL: 'silent' },
  });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number | string>> => {
    const line = (await replies.next()).value as string | undefined;
    if (line === undefined) throw new Error(`the netreflex syslog receiver (${mode}) exited (${child.exitCode ?? child.signalCode})`);
    return JSON.parse(line) as Record<string, number | string>;
  };
  const hello = await next();
  const reader = String(hello.reader);
  return {
    name: mode === 'bare' ? 'node dgram socket that only counts' : `netreflex (${mode === 'main' ? 'one thread' : 'worker thread'}, ${reader} reader)`,
    port: Number(hello.port),
    recvBufferBytes: Number(hello.recvBufferBytes),
    reader,
    pid: child.pid,
    async taken() {
      child.stdin.write('report\n');
      return Number((await next()).events ?? 0);
    },
    async close() {
      child.stdin.end('close\n');
      const quit = setTimeout(() => child.kill(), 2000);
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      clearTimeout(quit);
    },
  };
}

/**
 * The receive buffer both sides get: what netreflex asks (32 MiB) as far as net.core.rmem_max
 * lets it. rsyslog, as root, forces a larger one past the cap (SO_RCVBUFFORCE): it is asked for
 * the same size so that neither has more room for a burst.
 */
export function sameRecvBuffer(): number {
  return Math.min(32 * 1024 * 1024, rmemMax() ?? 32 * 1024 * 1024);
}

/** rsyslog receiving on a free port; `recvBufferBytes` its imudp rcvbufSize (forced past net.core.rmem_max as root, as netreflex's native reader does). */
export async function startRsyslog(recvBufferBytes = sameRecvBuffer()): Promise<Receiver | null> {
  const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
  if (!rsyslogd) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-bench-rsyslog-'));
  const port = await freeUdpPort();
  const out = path.join(dir, 'out.log');
  writeFileSync(
    path.join(dir, 'rsyslog.conf'),
    `global(workDirectory="${dir}")\nmodule(load="imudp")\ninput(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="${recvBufferBytes}")\n*.* action(type="omfile" file="${out}")\n`,
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
    pid: child.pid,
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
  /** The receiver's CPU time per datagram received (all its threads), µs. */
  cpuMicros: number;
}

export async function run(rx: Receiver, mix: Buffer[], count: number, rate?: number): Promise<Run> {
  const before = await rx.taken();
  const drops0 = udpRcvbufErrors();
  const cpu0 = cpuSeconds(rx.pid);
  const t0 = process.hrtime.bigint();
  const sendSecs = await flood(rx.port, mix, count, rate);
  const [after, secs] = await settle(() => rx.taken(), t0);
  const received = after - before;
  const cpuMicros = ((cpuSeconds(rx.pid) - cpu0) * 1e6) / received;
  return { sent: count, received, perSecond: received / secs, kernelDrops: udpRcvbufErrors() - drops0, sendRate: count / sendSecs, cpuMicros };
}

const LADDER = [50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 350_000, 400_000, 500_000];

/**
 * The paced ladder, the receivers taking turns at each step (one second of traffic each, the
 * same sender), so a machine whose load drifts treats them alike: each one's highest rate with
 * nothing lost. A receiver leaves at its first loss, or at the step where the sender, sharing
 * the two cores with it, could not keep the pace in its turn three times (that rate is its
 * senderLimit): a receiver that takes more CPU than another leaves that one's ladder alone.
 */
export async function ladder(
  rxs: Receiver[],
  mix: Buffer[],
): Promise<{ lossless: Map<Receiver, number>; cpuMicros: Map<Receiver, number>; senderLimit: Map<Receiver, number> }> {
  const senderLimit = new Map<Receiver, number>();
  const lossless = new Map(rxs.map((rx) => [rx, 0]));
  const cpu = new Map<Receiver, number[]>(rxs.map((rx) => [rx, []]));
  const cpuMicros = (): Map<Receiver, number> => new Map(rxs.map((rx) => [rx, median(cpu.get(rx)!)]));
  // warm-up (JIT, a worker's first batches) at the first step's rate, twice, not counted
  for (let i = 0; i < 2; i++) for (const rx of rxs) await run(rx, mix, LADDER[0]!, LADDER[0]!);
  let active = rxs;
  for (const rate of LADDER) {
    const still: Receiver[] = [];
    for (const rx of active) {
      // a step the sender could not pace is tried again (twice): a burst of load elsewhere on the machine passes
      let r = await run(rx, mix, rate, rate);
      for (let retry = 0; retry < 2 && r.sendRate < rate * 0.9; retry++) r = await run(rx, mix, rate, rate);
      if (process.env.NRX_BENCH_VERBOSE)
        console.error(
          `syslog ladder ${rate}/s ${rx.name}: ${r.received}/${r.sent} at ${Math.round(r.sendRate)}/s, receiver CPU ${r.cpuMicros.toFixed(2)} µs/msg`,
        );
      if (r.sendRate < rate * 0.9) {
        senderLimit.set(rx, Math.round(r.sendRate));
        continue;
      }
      if (r.received < r.sent) continue;
      lossless.set(rx, rate);
      cpu.get(rx)!.push(r.cpuMicros);
      still.push(rx);
    }
    active = still;
    if (!active.length) break;
  }
  return { lossless, cpuMicros: cpuMicros(), senderLimit };
}

/**
 * UDP end to end: netreflex as the appliance runs it (its listener in a separate process, the
 * socket read on a worker thread with the native recvmmsg reader where it is built, decoded on
 * the main thread), the same with Node's dgram reader (the fallback), rsyslog (imudp -> omfile)
 * and a bare Node socket that only counts (the ceiling of Node's one-datagram-per-callback
 * receive path here), all with the same receive buffer, fed the same traffic by the same sender
 * in turns: a ladder of paced rates, then a flood at the sender's maximum. One receiver at a
 * time, so each has the other core while the sender has one, and the kernel's drop counter
 * (UdpRcvbufErrors, system-wide) can be attributed. Loss = sent - received, never silent.
 */
export async function benchSyslogUdp(floodCount = 300_000): Promise<BenchResult[]> {
  const mix = syslogMix();
  const ours = await startNetreflex('worker');
  // the fallback reader, measured too when the appliance's is the native one
  const fallback = ours.reader === 'dgram' ? null : await startNetreflex('worker-dgram');
  const bare = await startNetreflex('bare');
  const rs = await tryPeer('rsyslog', async () => {
    const r = await startRsyslog();
    if (!r) throw new Error('rsyslogd is not installed (Debian package rsyslog)');
    return r;
  });
  const peer = 'ok' in rs ? rs.ok : null;
  const all = [ours, ...(peer ? [peer] : []), ...(fallback ? [fallback] : []), bare];
  try {
    const { lossless, cpuMicros, senderLimit } = await ladder(all, mix);
    const flood = new Map<Receiver, Run>();
    for (const rx of all) flood.set(rx, await run(rx, mix, floodCount));
    const loss = (rx: Receiver): string => {
      const r = flood.get(rx)!;
      return `${((100 * (r.sent - r.received)) / r.sent).toFixed(1)}% lost, ${r.kernelDrops} kernel drops`;
    };
    // the receiver's CPU per datagram (all its threads), median over the steps it took without loss: less sensitive to load than rates
    const cpu = (rx: Receiver): string => `${cpuMicros.get(rx)!.toFixed(2)} µs`;
    const peerOf = (value: (rx: Receiver) => number): Pick<BenchResult, 'peer' | 'peerFailed'> =>
      peer ? { peer: { name: 'rsyslog imudp->omfile', value: value(peer) } } : { peerFailed: 'failed' in rs ? rs.failed : '' };
    // where the sender, not a loss, ended a receiver's ladder
    const limit = (rx: Receiver, who?: string): string =>
      senderLimit.has(rx) ? `; the sender's limit in ${who ? `${who}'s` : 'its'} turn, ${senderLimit.get(rx)}/s, ended its ladder` : '';
    return [
      {
        name: `syslog over UDP, highest paced rate without loss (worker thread, ${ours.reader} reader; receiver CPU per datagram ${cpu(ours)}${peer ? `, rsyslog ${cpu(peer)}` : ''}; receive buffer ${Math.round(ours.recvBufferBytes / 2048)} KiB each, net.core.rmem_max ${Math.round((rmemMax() ?? 0) / 1024)} KiB${limit(ours, 'netreflex')}${peer ? limit(peer, 'rsyslog') : ''})`,
        value: lossless.get(ours)!,
        unit: 'msg/s',
        ...peerOf((p) => lossless.get(p)!),
        goal: '>= 150k/s and >= 0.75x rsyslog',
      },
      {
        name: `syslog over UDP, flood of ${floodCount} at ${Math.round(flood.get(ours)!.sendRate / 1000)}k/s: events/s (${ours.reader} reader; netreflex ${loss(ours)}${peer ? `; rsyslog ${loss(peer)}` : ''})`,
        value: flood.get(ours)!.perSecond,
        unit: 'msg/s',
        ...peerOf((p) => flood.get(p)!.perSecond),
      },
      ...(fallback
        ? [
            {
              name: `syslog over UDP, the fallback where the native reader is not built: worker thread, dgram reader, highest paced rate without loss (CPU ${cpu(fallback)} a datagram; flood: ${loss(fallback)}${limit(fallback)})`,
              value: lossless.get(fallback)!,
              unit: 'msg/s',
              ...peerOf((p) => lossless.get(p)!),
            },
          ]
        : []),
      {
        name: `syslog over UDP, a Node dgram socket that only counts, highest paced rate without loss (CPU ${cpu(bare)} a datagram; flood: ${loss(bare)}${limit(bare)})`,
        value: lossless.get(bare)!,
        unit: 'msg/s',
        ...peerOf((p) => lossless.get(p)!),
      },
    ];
  } finally {
    for (const rx of all) await rx.close();
  }
}

export async function benchSyslog(emit: Emit = () => undefined): Promise<BenchResult[]> {
  const inProcess = benchSyslogInProcess();
  inProcess.forEach(emit);
  return [...inProcess, ...(await benchSyslogUdp())];
}
