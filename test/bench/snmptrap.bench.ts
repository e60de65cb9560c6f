// SNMP traps (v2c): decode + normalise traps/s in-process, and traps/s taken without loss over
// UDP by a TrapListener in its own process next to Debian's snmptrapd fed the same traffic.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPcapUdp } from '../../src/sensors/pcap.js';
import { TrapListener } from '../../src/sensors/snmptrap/listener.js';
import { decodeTrap } from '../../src/sensors/snmptrap/message.js';
import { normaliseTrap } from '../../src/sensors/snmptrap/normalise.js';
import { median, tryPeer, type BenchResult, type Emit } from './stats.js';
import { socketDrops, startNetreflexTrapReceiver, startSnmptrapd, udpRcvbufErrors, type Receiver } from './trap-receivers.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const FIXTURES = path.join(here, '../sensors/snmptrap/fixtures');

/** What Debian's snmptrap puts on the wire for these arguments (numeric OIDs, no MIBs needed). */
async function sentBySnmptrap(args: string[]): Promise<Buffer> {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<Buffer>((r) => s.once('message', (m) => r(m)));
    const run = spawnSync('snmptrap', ['-v', '2c', '-c', 'public', `127.0.0.1:${s.address().port}`, '', ...args], {
      encoding: 'utf8',
      env: { ...process.env, MIBS: '' },
      timeout: 5000,
    });
    if (run.error || run.status !== 0) throw new Error(`snmptrap (Debian package snmp) failed: ${run.error?.message ?? run.stderr}`);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('snmptrap sent nothing within 2 s')), 2000).unref());
    return await Promise.race([got, timeout]);
  } finally {
    s.close();
  }
}

/** The trap OID of a v2c trap; undefined for anything else (the capture also holds v1 and v3 traps). */
function trapOidOf(m: Buffer): string | undefined {
  try {
    const t = decodeTrap(m);
    return t.version === 'v2c' ? t.trapOid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Real v2c traps: snmptrap's linkDown and a net-snmp heartbeat (the "other" trap) from the
 * sensor's fixtures, and a linkUp and a bgpBackwardTransition sent by snmptrap now.
 */
export async function realV2cTraps(): Promise<Buffer[]> {
  const heartbeat = readPcapUdp(readFileSync(path.join(FIXTURES, 'snmptrap-v1-v2c-v3.pcap')))
    .map((p) => Buffer.from(p.payload))
    .find((m) => trapOidOf(m) === '1.3.6.1.4.1.8072.2.3.0.1');
  if (!heartbeat) throw new Error('the v2c heartbeat trap is missing from snmptrap-v1-v2c-v3.pcap');
  const linkUp = await sentBySnmptrap([
    '1.3.6.1.6.3.1.1.5.4',
    '1.3.6.1.2.1.2.2.1.1.3',
    'i',
    '3',
    '1.3.6.1.2.1.2.2.1.7.3',
    'i',
    '1',
    '1.3.6.1.2.1.2.2.1.8.3',
    'i',
    '1',
    '1.3.6.1.2.1.31.1.1.1.1.3',
    's',
    'eth1',
  ]);
  const bgpDown = await sentBySnmptrap(['1.3.6.1.2.1.15.0.2', '1.3.6.1.2.1.15.3.1.14.10.0.12.2', 'x', '0604', '1.3.6.1.2.1.15.3.1.2.10.0.12.2', 'i', '1']);
  return [readFileSync(path.join(FIXTURES, 'v2c-linkdown.bin')), linkUp, bgpDown, heartbeat];
}

/** Decode + normalise on this thread (traps/s), and the listener's whole receive path. */
export function benchTrapInProcess(mix: Buffer[], n = 200_000, repeats = 5): BenchResult[] {
  const types = new Set<string>();
  const decodeAndNormalise = (): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) types.add(normaliseTrap(decodeTrap(mix[i % mix.length]!), { sourceAddress: '192.0.2.1' }).type);
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  decodeAndNormalise(); // warm up
  const rates = Array.from({ length: repeats }, decodeAndNormalise);
  if (types.size !== 4) throw new Error(`the trap mix normalised to ${[...types].join(', ')}, expected 4 event types`);
  let events = 0;
  const listener = new TrapListener({ onEvent: () => void events++ });
  const from = { address: '192.0.2.1', port: 162 };
  const receive = (): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) listener.receive(mix[i % mix.length]!, from);
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  receive();
  const receiveRates = Array.from({ length: 3 }, receive);
  if (events !== n * 4) throw new Error(`TrapListener published ${events} of ${n * 4} traps`);
  return [
    {
      name: 'snmptrap v2c decode+normalise in-process, 1 core (linkDown, linkUp, bgpBackwardTransition, heartbeat)',
      value: median(rates),
      unit: 'traps/s',
      goal: '>= 100k/s',
    },
    { name: 'snmptrap TrapListener.receive (decode, normalise, envelope with id, counters)', value: median(receiveRates), unit: 'traps/s' },
  ];
}

/**
 * Send `count` traps from the mix to every port (each port gets every trap): as fast as this
 * process can (`rate` undefined), or paced at `rate` per port per second in 1 ms slices.
 * Returns the seconds spent sending.
 */
async function send(ports: number[], mix: Buffer[], count: number, rate?: number): Promise<number> {
  const sockets = await Promise.all(
    ports.map(async (port) => {
      const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.connect(port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      return s;
    }),
  );
  const t0 = process.hrtime.bigint();
  let inFlight = 0;
  let sent = 0;
  const done = (): void => void inFlight--;
  while (sent < count) {
    const due = rate === undefined ? count : Math.min(count, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate));
    while (sent < due && inFlight <= 2000) {
      const trap = mix[sent % mix.length]!;
      for (const s of sockets) {
        inFlight++;
        s.send(trap, done);
      }
      sent++;
    }
    await new Promise((r) => (rate === undefined ? setImmediate(r) : setTimeout(r, 1)));
  }
  while (inFlight > 0) await new Promise((r) => setImmediate(r));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const s of sockets) s.close();
  return secs;
}

/**
 * Poll `count()` until it stops moving for `quietMs` (or `maxMs` passed: the bench stays bounded);
 * returns [final count, seconds from `t0` to its last change].
 */
async function settle(count: () => Promise<number> | number, t0: bigint, quietMs = 400, maxMs = 10_000): Promise<[number, number]> {
  let last = -1;
  let lastChange = process.hrtime.bigint();
  const giveUp = Date.now() + maxMs;
  for (;;) {
    const c = await count();
    const now = process.hrtime.bigint();
    if (c !== last) {
      last = c;
      lastChange = now;
    }
    if (Number(now - lastChange) / 1e6 > quietMs || Date.now() > giveUp) return [c, Number(lastChange - t0) / 1e9];
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Taken {
  sent: number;
  received: number;
  perSecond: number;
  socketDrops: number;
}

/** One burst of traffic to all `rxs` at once; what each one took. */
async function offer(rxs: Receiver[], mix: Buffer[], count: number, rate?: number): Promise<{ sendRate: number; taken: Taken[] }> {
  const before = await Promise.all(rxs.map(async (rx) => ({ taken: await rx.taken(), drops: socketDrops(rx.port) })));
  const t0 = process.hrtime.bigint();
  const secs = await send(
    rxs.map((rx) => rx.port),
    mix,
    count,
    rate,
  );
  const after = await Promise.all(rxs.map((rx) => settle(() => rx.taken(), t0)));
  return {
    sendRate: count / secs,
    taken: rxs.map((rx, i) => {
      const received = after[i]![0] - before[i]!.taken;
      return { sent: count, received, perSecond: received / after[i]![1], socketDrops: socketDrops(rx.port) - before[i]!.drops };
    }),
  };
}

const LADDER = [10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 75_000, 100_000, 125_000, 150_000, 200_000];
const STEP_SECONDS = 2;

/**
 * The paced ladder, both receivers fed the same traffic while neither has lost any: each one's
 * highest rate taken without loss (a receiver leaves the ladder at its first loss, so the
 * other keeps both cores' worth of room above it). Then one flood at the sender's maximum to both.
 */
async function sideBySide(ours: Receiver, peer: Receiver | null, mix: Buffer[], deadline: number, floodCount: number) {
  const all = peer ? [ours, peer] : [ours];
  const lossless = new Map<Receiver, number>(all.map((rx) => [rx, 0]));
  const socketDropsOf = new Map<Receiver, number>(all.map((rx) => [rx, 0]));
  let active = all;
  let senderLimit: number | undefined;
  for (const rate of LADDER) {
    if (!active.length || Date.now() > deadline) break;
    const r = await offer(active, mix, rate * STEP_SECONDS, rate);
    // NRX_BENCH_VERBOSE=1 shows every step (who took how many, socket drops)
    if (process.env.NRX_BENCH_VERBOSE)
      console.error(
        `snmptrap step ${rate}/s sent at ${Math.round(r.sendRate)}/s:`,
        active.map((rx, i) => `${rx.name} ${r.taken[i]!.received}/${r.taken[i]!.sent} (socket drops ${r.taken[i]!.socketDrops})`).join('; '),
      );
    active.forEach((rx, i) => socketDropsOf.set(rx, socketDropsOf.get(rx)! + r.taken[i]!.socketDrops));
    if (r.sendRate < rate * 0.9) {
      senderLimit = Math.round(r.sendRate);
      break; // the sender itself could not keep this pace: a higher step would measure the sender
    }
    active = active.filter((rx, i) => {
      const t = r.taken[i]!;
      if (t.received < t.sent) return false;
      lossless.set(rx, rate);
      return true;
    });
  }
  const flood = await offer(all, mix, floodCount);
  flood.taken.forEach((t, i) => socketDropsOf.set(all[i]!, socketDropsOf.get(all[i]!)! + t.socketDrops));
  return { lossless, socketDropsOf, senderLimit, flood };
}

/** The whole trap benchmark; bounded to about a minute, snmptrapd and the receiver always stopped. */
export async function benchSnmpTrap(emit: Emit = () => undefined, floodCount = 100_000): Promise<BenchResult[]> {
  const deadline = Date.now() + 45_000;
  const mix = await realV2cTraps();
  const results = benchTrapInProcess(mix, 100_000);
  results.forEach(emit);

  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const recvBufferBytes = 16 * 1024 * 1024;
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-trapbench-'));
  const receivers: Receiver[] = [];
  try {
    const ours = await startNetreflexTrapReceiver();
    receivers.push(ours);
    // without snmptrapd our figures are still measured, alone, and the rows say why the peer is missing
    const started = await tryPeer('snmptrapd', () => startSnmptrapd(dir, recvBufferBytes));
    const peer = 'ok' in started ? started.ok : null;
    if (peer) receivers.push(peer);
    const kernel0 = udpRcvbufErrors();
    const r = await sideBySide(ours, peer, mix, deadline, floodCount);
    const kernelDrops = udpRcvbufErrors() - kernel0;
    const granted = Math.round((2 * Math.min(recvBufferBytes, rmemMax)) / 1024);
    const flooded = (i: number): string => {
      const t = r.flood.taken[i];
      return t ? `${((100 * (t.sent - t.received)) / t.sent).toFixed(1)}% lost` : 'not measured';
    };
    const peerOf = (value: (peer: Receiver) => number): Pick<BenchResult, 'peer' | 'peerFailed'> =>
      peer ? { peer: { name: 'snmptrapd -Lf file (net-snmp)', value: value(peer) } } : { peerFailed: 'failed' in started ? started.failed : '' };
    results.push(
      {
        name:
          `snmptrap v2c over UDP, highest paced rate without loss (${STEP_SECONDS} s steps, same traffic to both, rcvbuf ${granted} KiB each; ` +
          `socket drops netreflex ${r.socketDropsOf.get(ours)}, snmptrapd ${peer ? r.socketDropsOf.get(peer) : '-'}; kernel UdpRcvbufErrors (all sockets) ${kernelDrops}` +
          `${r.senderLimit !== undefined ? `; sender's limit ${r.senderLimit}/s reached` : ''})`,
        value: r.lossless.get(ours)!,
        unit: 'traps/s',
        ...peerOf((p) => r.lossless.get(p)!),
        goal: '>= 50k/s and >= 3x snmptrapd',
      },
      {
        name: `snmptrap v2c over UDP, flood of ${floodCount} to both at ${Math.round(r.flood.sendRate / 1000)}k/s each: traps/s taken (netreflex ${flooded(0)}, snmptrapd ${flooded(1)})`,
        value: r.flood.taken[0]!.perSecond,
        unit: 'traps/s',
        ...peerOf(() => r.flood.taken[1]!.perSecond),
      },
    );
  } finally {
    for (const rx of receivers.reverse()) await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchSnmpTrap()) console.log(JSON.stringify(r));
}
