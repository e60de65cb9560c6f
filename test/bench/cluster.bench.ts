/**
 * `npm run bench -- cluster`: distributed mode on one machine, real nats-server and PostgreSQL.
 * A burst of syslog datagrams (each a distinct BGP session Up) to one sensor node; a rule starts
 * a two-step workflow (core.noop, core.noop) per event. The roles run as separate processes (one
 * sensor, one API, N rules and N worker nodes). Measured as rules and worker processes go
 * 1 -> 2 -> 4 each: events/s matched (recorded and decided) and workflows/s completed, with each
 * process's CPU over the burst (this machine's cores bound the curve); the same burst on one
 * embedded `serve` (SQLite, no bus); and event -> first action latency (the sensor's receive time
 * to the first task's start, both as the store recorded them) at a steady 20 events/s, with where
 * it goes (decided, execution recorded, claimed and started by a worker, first task started), on
 * the smallest cluster (1 rules + 1 worker process) and on the largest (4 + 4).
 */
import Database from 'better-sqlite3';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startNatsServer } from '../lab/nats.js';
import { startPostgres } from '../lab/postgres.js';
import { LoopbackCluster, type NodeSpec } from '../cluster/loopback-cluster.js';
import { startServeNode } from '../cluster/serve-node.js';
import { median, percentile, type BenchResult, type Emit } from './stats.js';

const BURST = 1_500;
/** Enough for a p99 that another run reproduces: 200 made it the second-slowest event, 600 the sixth. */
const LATENCY_EVENTS = 600;
/** Quiet before a latency run: the burst before it leaves PostgreSQL vacuuming and the nodes collecting garbage for a few seconds. */
const SETTLE_MS = 3_000;
const TYPE = 'network.bgp_peer_state_changed';

const PACK: Record<string, string> = {
  'pack.yaml': 'ref: clusterbench\nname: clusterbench\nversion: 0.1.0\n',
  'actions/flow.yaml': 'name: flow\nrunner_type: orquesta\nentry_point: workflows/flow.yaml\nparameters:\n  peer: { type: string }\n',
  'actions/workflows/flow.yaml':
    'version: 1.0\ninput: [peer]\ntasks:\n  first:\n    action: core.noop\n    next: [{ do: second }]\n  second:\n    action: core.noop\n',
  'rules/on_up.yaml':
    'name: on_up\npack: clusterbench\nenabled: true\ntrigger: { type: network.bgp_peer_state_changed }\naction:\n  ref: clusterbench.flow\n  parameters: { peer: "{{ trigger.peer }}" }\n',
};

/** The bench's processes: one API node, one sensor node, and up to four rules and four worker nodes. */
const SCALE = [1, 2, 4] as const;
const LAYOUT: NodeSpec[] = [
  { name: 'api-1', roles: 'api' },
  { name: 'sensor-1', roles: 'sensor' },
  ...[1, 2, 3, 4].flatMap((i) => [
    { name: `rules-${i}`, roles: 'rules' },
    { name: `worker-${i}`, roles: 'worker' },
  ]),
];

/** The routers the events come from (in the shared inventory). */
const ROUTERS = 16;
const router = (n: number): string => `r${(n % ROUTERS) + 1}`;

let seq = 0;
function datagram(): Buffer {
  const n = ++seq;
  const peer = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const t = new Date().toISOString().replace('Z', '000+00:00');
  // events are shared among rules nodes by device: spread over ROUTERS devices so that every rules node gets some
  return Buffer.from(`<30>1 ${t} ${router(n)} bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor ${peer}(r1) in vrf default Up`);
}

/** `count` datagrams at `perSecond`: in slices of 10 ms, or one at a time below 100 a second; on a schedule, so that timer lateness does not slow the rate. */
async function send(udp: Socket, port: number, count: number, perSecond: number): Promise<void> {
  const slices = Math.min(100, perSecond);
  const perSlice = Math.max(1, Math.round(perSecond / slices));
  const start = Date.now();
  for (let sent = 0, n = 0; sent < count; n++) {
    const slice = Math.min(perSlice, count - sent);
    for (let i = 0; i < slice; i++) udp.send(datagram(), port, '127.0.0.1');
    sent += slice;
    await new Promise((r) => setTimeout(r, Math.max(0, start + ((n + 1) * 1000) / slices - Date.now())));
  }
}

/** What a store says about the bench's events and workflows (PostgreSQL or the embedded SQLite). */
interface Counts {
  matched(): Promise<number>;
  completed(): Promise<number>;
  /** For the last `n` events: ms from each event's receive time to each step of its way to its workflow's first task start. */
  latencies(n: number): Promise<Latency[]>;
  close(): Promise<void>;
}

/** ms after the event's receive time: rule decided, workflow recorded, workflow started (claimed by a worker), first task started. */
interface Latency {
  decided: number;
  recorded: number;
  started: number;
  first: number;
}

/** `ms(a)`: SQL for the ms from the event's receive time (t.time) to the timestamp column `a`. */
const LATENCY_SQL = (ms: (column: string) => string): string => `
  SELECT ${ms('e.time')} AS decided, ${ms('w.created_at')} AS recorded, ${ms('w.started_at')} AS started, ${ms('c.started_at')} AS first
  FROM trigger_instances t
  JOIN rule_enforcements e ON e.trigger_instance_id = t.id
  JOIN executions w ON w.id = e.execution_id
  JOIN executions c ON c.parent_id = e.execution_id AND c.task_name = 'first'
  WHERE t.type = '${TYPE}' AND c.started_at IS NOT NULL ORDER BY t.time DESC LIMIT $1`;

const latency = (r: Record<keyof Latency, string | number>): Latency => ({
  decided: Number(r.decided),
  recorded: Number(r.recorded),
  started: Number(r.started),
  first: Number(r.first),
});

function pgCounts(url: string): Counts {
  const db = new pg.Pool({ connectionString: url, max: 1 });
  const one = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  return {
    matched: () => one(`SELECT count(*) AS n FROM trigger_instances WHERE type = '${TYPE}' AND status = 'processed'`),
    completed: () => one(`SELECT count(*) AS n FROM executions WHERE action = 'clusterbench.flow' AND status = 'succeeded'`),
    latencies: async (n) =>
      (
        await db.query<Record<keyof Latency, string>>(
          LATENCY_SQL((col) => `(extract(epoch from ${col}::timestamptz) - extract(epoch from t.time::timestamptz)) * 1000`),
          [n],
        )
      ).rows.map(latency),
    close: () => db.end(),
  };
}

function sqliteCounts(file: string): Counts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  return {
    matched: async () => one(`SELECT count(*) AS n FROM trigger_instances WHERE type = '${TYPE}' AND status = 'processed'`),
    completed: async () => one(`SELECT count(*) AS n FROM executions WHERE action = 'clusterbench.flow' AND status = 'succeeded'`),
    latencies: async (n) =>
      (
        db.prepare(LATENCY_SQL((col) => `(julianday(${col}) - julianday(t.time)) * 86400000`).replace('$1', '?')).all(n) as Array<Record<keyof Latency, number>>
      ).map(latency),
    close: async () => void db.close(),
  };
}

/** A burst of BURST events: seconds until all were matched, and until all their workflows completed. */
async function burst(udp: Socket, port: number, counts: Counts): Promise<{ matchedPerS: number; completedPerS: number; seconds: number }> {
  const [m0, c0] = [await counts.matched(), await counts.completed()];
  const start = Date.now();
  const sending = send(udp, port, BURST, 5_000);
  let matchedAt = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const m = (await counts.matched()) - m0;
    if (!matchedAt && m >= BURST) matchedAt = Date.now();
    if (matchedAt && (await counts.completed()) - c0 >= BURST) break;
    if (Date.now() - start > 300_000) throw new Error(`burst not done in 300 s: ${m} of ${BURST} matched`);
  }
  await sending;
  const done = Date.now();
  return { matchedPerS: BURST / ((matchedAt - start) / 1000), completedPerS: BURST / ((done - start) / 1000), seconds: (done - start) / 1000 };
}

async function steadyLatency(udp: Socket, port: number, counts: Counts, completedBefore: number): Promise<Latency[]> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  await send(udp, port, LATENCY_EVENTS, 20);
  const end = Date.now() + 60_000;
  while ((await counts.completed()) - completedBefore < LATENCY_EVENTS && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return counts.latencies(LATENCY_EVENTS);
}

type NodeCpu = Record<string, number>;

/** p50 and p99 of event -> first action, and the p50 of each step on the way (ms after the event). */
function latencyRows(mode: string, lat: Latency[], goal?: string): BenchResult[] {
  const first = lat.map((l) => l.first);
  const p50 = (k: keyof Latency): string => median(lat.map((l) => l[k])).toFixed(1);
  // the machine's load as the measurement ends: the tail moves with whatever else runs on the cores
  const steps = `p50 ms after the event: rule decided ${p50('decided')}, workflow recorded ${p50('recorded')}, started by a worker ${p50('started')}, first task started ${p50('first')}; load average ${loadavg()[0]!.toFixed(1)}`;
  return [
    { name: `${mode}: event -> first action started, p50`, value: median(first), unit: 'ms', goal: steps },
    { name: `${mode}: event -> first action started, p99`, value: percentile(first, 99), unit: 'ms', ...(goal ? { goal } : {}) },
  ];
}

export async function benchCluster(emit: Emit): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const out = (r: BenchResult): void => {
    results.push(r);
    emit(r);
  };
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-bench-cluster-'));
  chmodSync(root, 0o755);
  const packs = path.join(root, 'packs');
  for (const [f, text] of Object.entries(PACK)) {
    mkdirSync(path.dirname(path.join(packs, 'clusterbench', f)), { recursive: true });
    writeFileSync(path.join(packs, 'clusterbench', f), text);
  }
  const udp = createSocket('udp4');
  const [nats, postgres] = await Promise.all([startNatsServer(), startPostgres()]);
  let cluster: LoopbackCluster | null = null;
  try {
    const store = await postgres.createDatabase('bench');
    cluster = await LoopbackCluster.start({
      root,
      layout: LAYOUT,
      natsUrl: nats.url,
      storeUrl: store,
      packsPaths: [packs],
      initial: ['api-1', 'sensor-1', 'rules-1', 'worker-1'],
      // the routers are in the shared inventory before the sensor starts: it attributes their syslog
      beforeSensors: async (api) => {
        for (let i = 0; i < ROUTERS; i++) await api('PUT', `/api/v1/inventory/hosts/${router(i)}`, { hostname: `192.0.2.${i + 1}`, platform: 'frr' });
      },
    });
    const counts = pgCounts(store);
    const c = cluster;
    const cpu = async (): Promise<NodeCpu> => {
      const v = await c.api<{ nodes: Array<{ name: string; metrics?: { cpuSeconds: number } }> }>('GET', '/api/v1/cluster');
      return Object.fromEntries(v.nodes.map((n) => [n.name, n.metrics?.cpuSeconds ?? 0]));
    };
    const port = cluster.syslogPorts()[0]!;
    // warm up: content loaded, connections open, JIT
    await burst(udp, port, counts);
    const base: Record<number, number> = {};
    for (const n of SCALE) {
      const starting = [];
      for (let i = 2; i <= n; i++)
        for (const role of ['rules', 'worker']) if (!cluster.nodes.has(`${role}-${i}`)) starting.push(cluster.startNode(`${role}-${i}`));
      await Promise.all(starting);
      await new Promise((r) => setTimeout(r, 3_000)); // partitions shared out, every node consuming, heartbeats current
      const before = await cpu();
      const b = await burst(udp, port, counts);
      await new Promise((r) => setTimeout(r, 1_500)); // the next heartbeat carries the burst's CPU
      const after = await cpu();
      base[n] ??= b.completedPerS;
      if (n === 1) {
        // the smallest cluster's latency, with no other rules or worker process contending for the cores
        const lat = await steadyLatency(udp, port, counts, await counts.completed());
        for (const r of latencyRows('distributed (1 rules + 1 worker)', lat, '< 20 ms')) out(r);
      }
      const perProcess = Object.keys(after)
        .sort()
        .map((k) => `${k} ${(((after[k] ?? 0) - (before[k] ?? 0)) / (b.seconds + 1.5)).toFixed(2)}`)
        .join(', ');
      out({ name: `distributed, ${n} rules + ${n} worker process(es): events matched`, value: Math.round(b.matchedPerS), unit: 'events/s' });
      out({
        name: `distributed, ${n} rules + ${n} worker process(es): workflows completed (2 tasks each)`,
        value: Math.round(b.completedPerS),
        unit: 'workflows/s',
        goal: `x${(b.completedPerS / base[1]!).toFixed(2)} of 1 process; CPU cores used per process: ${perProcess}; this machine has ${cpus().length} cores`,
      });
    }
    const doneBefore = await counts.completed();
    const lat = await steadyLatency(udp, port, counts, doneBefore);
    for (const r of latencyRows(`distributed (${SCALE.at(-1)} rules + ${SCALE.at(-1)} workers)`, lat, '< 20 ms')) out(r);
    await counts.close();
    await cluster.stop();
    cluster = null;

    // the same burst on one embedded serve: SQLite, the in-process bus, all roles
    const dir = path.join(root, 'embedded');
    mkdirSync(dir, { mode: 0o700 });
    const node = await startServeNode({
      name: 'embedded',
      dataDir: dir,
      args: ['--packs-path', packs, '--no-api', '--sensor-host', '127.0.0.1', '--syslog-port', '0', '--trap-port', 'off', '--sflow-port', 'off'],
    });
    try {
      const local = sqliteCounts(path.join(dir, 'netreflex.db'));
      const eport = node.ports['syslog/udp']!;
      await burst(udp, eport, local);
      const e = await burst(udp, eport, local);
      out({ name: 'embedded (SQLite, one process): events matched', value: Math.round(e.matchedPerS), unit: 'events/s' });
      out({
        name: 'embedded (SQLite, one process): workflows completed (2 tasks each)',
        value: Math.round(e.completedPerS),
        unit: 'workflows/s',
        goal: `distributed with 1 rules + 1 worker process: x${(base[1]! / e.completedPerS).toFixed(2)} of this`,
      });
      const elat = await steadyLatency(udp, eport, local, await local.completed());
      for (const r of latencyRows('embedded', elat)) out(r);
      await local.close();
    } finally {
      await node.stop();
    }
    return results;
  } finally {
    udp.close();
    await cluster?.stop();
    await Promise.all([nats.stop(), postgres.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}
