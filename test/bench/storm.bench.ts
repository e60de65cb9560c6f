import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { median, peerFields, percentile, tryPeer, type BenchResult } from './stats.js';
import { startRsyslog, type Receiver } from './syslog.bench.js';
import { stormLines } from './storm-fleet.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const PASSWORD = 'storm-admin-password';

/**
 * `npm run bench -- storm`: the whole path an operator sees in a storm. `netreflex serve` as
 * assembled (its own process: SQLite, 10,000-device inventory, 1,000 rules with throttles, the
 * API) takes syslog over UDP from 1,000 devices: interface down/up, BGP and LAG lines and some
 * chatter. A paced ladder finds the highest rate with nothing lost end to end (every datagram
 * received, nothing shed, every event through the rules within 3 s of the last one sent); then a
 * storm at the goal rate for STORM_SECONDS (default 60) reports what was stored, coalesced,
 * executed, RSS and the API's p99 meanwhile. rsyslog (imudp -> omfile) takes the same ladder.
 */
interface Report {
  syslog: Record<string, number>;
  intake: Record<string, number>;
  events: number;
  pending: number;
  executions: number;
  rssMb: number;
  loopLagP99Ms: number;
}

export interface Appliance {
  syslog: number;
  api: string;
  report(): Promise<Report>;
  close(): Promise<void>;
}

/** The appliance in its own process; `script` runs another build's (to compare two versions in one run). */
export async function startAppliance(script = path.join(here, 'storm-appliance.ts')): Promise<Appliance> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: path.join(here, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NETREFLEX_LOG_LEVEL: 'error', STORM_ADMIN_PASSWORD: PASSWORD },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => JSON.parse(((await lines.next()).value as string | undefined) ?? '{}') as T;
  const hello = await next<{ syslog: number; api: string }>();
  return {
    ...hello,
    async report() {
      child.stdin.write('report\n');
      return next<Report>();
    },
    async close() {
      child.stdin.end('close\n');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Send `count` lines at `rate` per second (1 ms slices); returns the rate achieved. */
async function send(port: number, lines: Buffer[], count: number, rate: number, offset = 0): Promise<number> {
  const s = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  const t0 = process.hrtime.bigint();
  let sent = 0;
  let inFlight = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate));
    while (sent < due && inFlight < 4000) {
      inFlight++;
      s.send(lines[(offset + sent) % lines.length]!, () => inFlight--);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  while (inFlight > 0) await new Promise((r) => setImmediate(r));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.close();
  return count / secs;
}

/** Datagrams lost before decoding: by the kernel (receive buffer full) and by the reader thread (decoding too far behind). */
const unread = (r: Report): number => r.syslog.kernel_dropped! + (r.syslog.reader_dropped ?? 0);

const lost = (a: Report, b: Report): number =>
  unread(a) -
  unread(b) +
  (['shed_low_severity_syslog', 'shed_syslog', 'overflow', 'store_failed'] as const).reduce((n, k) => n + a.intake[k]! - b.intake[k]!, 0);

/** One paced step: the report once every event has been through the rules (or 3 s passed). */
export async function step(
  app: Appliance,
  lines: Buffer[],
  rate: number,
  secs: number,
  offset: number,
): Promise<{ ok: boolean; achieved: number; why: string }> {
  const before = await app.report();
  const count = Math.round(rate * secs);
  const achieved = await send(app.syslog, lines, count, rate, offset);
  const sentAt = Date.now();
  let after = await app.report();
  while (
    (after.syslog.received! - before.syslog.received! + unread(after) - unread(before) < count || after.pending > 0 || after.intake.queued! > 0) &&
    Date.now() - sentAt < 3_000
  ) {
    await new Promise((r) => setTimeout(r, 100));
    after = await app.report();
  }
  const received = after.syslog.received! - before.syslog.received!;
  const loss = lost(after, before);
  const why =
    achieved < rate * 0.9
      ? `the sender reached only ${Math.round(achieved)}/s`
      : loss > 0 || received < count
        ? `${loss + Math.max(0, count - received - (unread(after) - unread(before)))} of ${count} lost`
        : after.pending > 0
          ? `${after.pending} events not through the rules 3 s after the last datagram`
          : '';
  return { ok: why === '', achieved, why };
}

async function ladder(app: Appliance, lines: Buffer[], rates: number[], secs: number): Promise<number> {
  let best = 0;
  let offset = 0;
  for (const rate of rates) {
    const r = await step(app, lines, rate, secs, offset);
    offset += rate * secs;
    console.error(`storm ladder: ${rate}/s ${r.ok ? 'no loss' : r.why}`);
    if (!r.ok) break;
    best = rate;
  }
  return best;
}

async function rsyslogLadder(rx: Receiver, lines: Buffer[], rates: number[], secs: number): Promise<number> {
  let best = 0;
  for (const rate of rates) {
    const before = await rx.taken();
    const count = Math.round(rate * secs);
    const achieved = await send(rx.port, lines, count, rate);
    let got = 0;
    for (let i = 0; i < 30 && got < count; i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = (await rx.taken()) - before;
    }
    if (got < count || achieved < rate * 0.9) break;
    best = rate;
  }
  return best;
}

/** Authenticated API reads every 50 ms while `during` runs; their latencies. */
async function probeApi(api: string, during: Promise<unknown>): Promise<number[]> {
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  let done = false;
  void during.finally(() => (done = true));
  const times: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const r = await fetch(`${api}/api/v1/executions?limit=20`, { headers: { authorization: `Bearer ${token}` } });
    await r.arrayBuffer();
    times.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 50));
  }
  return times;
}

/** The kernel's cap on a socket's receive buffer: what the syslog socket gets of the 8 MiB it asks for. */
function rmemMax(): string {
  try {
    return `${Math.round(Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')) / 1024)} KiB`;
  } catch {
    return 'unknown';
  }
}

export async function benchStorm(): Promise<BenchResult[]> {
  const stepSecs = Number(process.env.STORM_STEP_SECONDS ?? 3);
  const stormSecs = Number(process.env.STORM_SECONDS ?? 60);
  const stormRate = Number(process.env.STORM_RATE ?? 50_000);
  const rates = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 75_000, 100_000, 125_000, 150_000];
  const lines = stormLines(200_000, 1_000);
  const app = await startAppliance();
  let best: number;
  let storm: { before: Report; after: Report; achieved: number; api: number[] };
  try {
    // warm-up (JIT, first writes), not counted
    await step(app, lines, 10_000, 2, 0);
    best = await ladder(app, lines, rates, stepSecs);
    const before = await app.report();
    const sending = send(app.syslog, lines, stormRate * stormSecs, stormRate);
    const api = await probeApi(app.api, sending);
    const achieved = await sending;
    let after = await app.report();
    for (let i = 0; i < 100 && (after.pending > 0 || after.intake.queued! > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await app.report();
    }
    storm = { before, after, achieved, api };
  } finally {
    await app.close();
  }
  const rsBest = await tryPeer('rsyslog', async () => {
    // the appliance's 32 MiB: both force it past net.core.rmem_max as root, both are capped without
    const rs = await startRsyslog(32 * 1024 * 1024);
    if (!rs) throw new Error('rsyslogd is not installed (Debian package rsyslog)');
    try {
      return await rsyslogLadder(rs, lines, [...rates, 150_000, 200_000, 250_000], stepSecs);
    } finally {
      await rs.close();
    }
  });
  const { before, after } = storm;
  const offered = after.intake.offered! - before.intake.offered!;
  const stored = after.intake.stored! - before.intake.stored!;
  const sent = stormRate * stormSecs;
  const tag = `storm ${stormSecs} s at ${Math.round(storm.achieved / 1000)}k msg/s (1,000 of 10,000 devices, 1,000 rules)`;
  return [
    {
      name: `storm: highest paced rate lossless end to end (UDP -> decode -> event stored -> rules -> executions), 10,000 devices, 1,000 rules, net.core.rmem_max ${rmemMax()}`,
      value: best,
      unit: 'msg/s',
      ...peerFields(rsBest, 'rsyslog imudp->omfile, same ladder', (v) => v),
      goal: '>= 50k/s',
    },
    {
      name: `${tag}: datagrams lost (kernel + shed)`,
      value: lost(after, before),
      unit: `of ${sent.toLocaleString('en-US')} (kernel ${(after.syslog.kernel_dropped! - before.syslog.kernel_dropped!).toLocaleString('en-US')}; queue high water ${after.intake.queued_high_water!.toLocaleString('en-US')})`,
      goal: '0',
    },
    {
      name: `${tag}: events stored / coalesced`,
      value: stored,
      unit: `stored, ${(after.intake.coalesced! - before.intake.coalesced!).toLocaleString('en-US')} coalesced`,
    },
    { name: `${tag}: coalescing ratio (events offered per stored)`, value: offered / Math.max(1, stored), unit: 'x' },
    { name: `${tag}: executions started`, value: after.executions - before.executions, unit: 'executions' },
    { name: `${tag}: RSS before -> after`, value: after.rssMb, unit: `MB (before ${Math.round(before.rssMb)} MB)`, goal: '< 400 MB' },
    { name: `${tag}: API p99 (GET /executions, every 50 ms)`, value: percentile(storm.api, 99), unit: 'ms', goal: '< 100 ms' },
    { name: `${tag}: API median`, value: median(storm.api), unit: 'ms' },
  ];
}
