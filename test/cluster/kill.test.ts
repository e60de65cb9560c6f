// The kill test of distributed mode, on real nats-server (JetStream) and PostgreSQL 15 started
// here: a loopback cluster (KILL_TEST_LAYOUT: one row per process) under a steady load of syslog
// datagrams, each sent to both sensor nodes as two nodes behind one address hear it; each event
// starts a workflow whose first step is not idempotent and whose second is, each appending one
// line per run to a marker file; a 1 s timer appends one line per tick. One process of each kind
// is killed (SIGKILL) and restarted in turn, then nats-server and PostgreSQL are each stopped and
// started again, all under load. Afterwards: every event sent is recorded exactly once, every
// execution has ended, no non-idempotent step ran twice, no timer tick fired twice.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { KILL_TEST_LAYOUT, LoopbackCluster } from './loopback-cluster.js';

const skip = postgresGuard() || natsGuard();
const PACKS = path.resolve('test/cluster/fixtures/kill-packs');
/** Datagrams per second, each to both sensor nodes (NRX_KILLTEST_RATE: more, to look for a rare double by hand). */
const RATE = Number(process.env.NRX_KILLTEST_RATE ?? 5);
const FINAL_STATUSES = new Set(['succeeded', 'failed', 'abandoned', 'timeout', 'canceled']);

/** FRR's RFC 5424 ADJCHANGE line (session Up: the shipped BGP-down remediation does not fire) for peer number `seq` (a distinct peer and device timestamp per message). */
function adjchange(seq: number): { peer: string; line: Buffer } {
  const peer = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
  const t = new Date(Date.UTC(2030, 0, 1) + seq).toISOString().replace('Z', '000+00:00');
  return { peer, line: Buffer.from(`<30>1 ${t} r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor ${peer}(r1) in vrf default Up`) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A marker file's lines: `key execution-id epoch-seconds` each. */
function marks(file: string): Array<{ key: string; line: string }> {
  return (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []).map((line) => ({ key: line.split(' ')[0]!, line }));
}
function lines(file: string): string[] {
  return marks(file).map((m) => m.key);
}
/** The marker lines of keys written more than once, with their execution ids and times: what the report shows. */
function doubledMarks(file: string, t0: number): string[] {
  const all = marks(file);
  const twice = new Set(repeated(all.map((m) => m.key)).map((r) => r.replace(/ x\d+$/, '')));
  return all
    .filter((m) => twice.has(m.key))
    .map((m) => {
      const [key, id, at] = m.line.split(' ');
      return `${path.basename(file)}: ${key} by ${id} at ${(Number(at) - t0 / 1000).toFixed(1)} s`;
    });
}

function repeated(list: string[]): string[] {
  const seen = new Map<string, number>();
  for (const l of list) seen.set(l, (seen.get(l) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([l, n]) => `${l} x${n}`);
}

interface Page<T> {
  items: T[];
  next: string | null;
}
interface ExecutionRow {
  id: string;
  action: string;
  status: string;
  parameters?: { key?: string };
}

describe('kill test: a loopback cluster under load loses and doubles nothing when any process dies', { skip, timeout: 600_000 }, () => {
  let root: string;
  let markers: string;
  let nats: NatsServer;
  let pg: Postgres;
  let cluster: LoopbackCluster;
  const sent: string[] = [];
  let udp: Socket;
  let load: NodeJS.Timeout | null = null;
  const timeline: string[] = [];
  const t0 = Date.now();
  const note = (s: string): void => void timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${s}`);
  /** A non-idempotent step that ran twice (the second test: a worker resumes only its own work, and a dead worker's after its heartbeat expired). */
  const ownerless: string[] = [];
  /** An event or timer tick decided twice (the third test: a rules node records an event's executions, decisions and 'processed' mark in one commit). */
  const redecided: string[] = [];
  let scenarioRan = false;

  /** Retries while the API node or the store is down. */
  const call = async <T>(p: string, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      try {
        return await cluster.api<T>('GET', p);
      } catch (e) {
        if (Date.now() > end) throw e;
        await sleep(500);
      }
    }
  };
  const allPages = async <T>(p: string): Promise<T[]> => {
    const out: T[] = [];
    let before: string | null = null;
    do {
      const page: Page<T> = await call<Page<T>>(`${p}${p.includes('?') ? '&' : '?'}limit=1000${before ? `&before=${before}` : ''}`);
      out.push(...page.items);
      before = page.next;
    } while (before);
    return out;
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-kill-'));
    chmodSync(root, 0o755); // the node's data directories inside stay 0700
    markers = path.join(root, 'markers');
    // the actions run as an unprivileged user (an appliance started as root runs local commands as nobody)
    mkdirSync(markers, { mode: 0o777 });
    chmodSync(markers, 0o777);
    [nats, pg] = await Promise.all([startNatsServer(), startPostgres()]);
    cluster = await LoopbackCluster.start({
      root,
      layout: KILL_TEST_LAYOUT,
      natsUrl: nats.url,
      storeUrl: await pg.createDatabase('killtest'),
      packsPaths: [PACKS],
      env: { KILLTEST_DIR: markers },
      beforeSensors: async (api) => void (await api('PUT', '/api/v1/inventory/hosts/r2', { hostname: '192.0.2.2', platform: 'frr' })),
    });
    udp = createSocket('udp4');
    note('cluster up');
  });
  after(async () => {
    if (load) clearInterval(load);
    udp?.close();
    await cluster?.stop();
    await Promise.all([nats?.stop(), pg?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  test('kill each kind of process, nats-server and PostgreSQL in turn under load; then count', async () => {
    const ports = cluster.syslogPorts();
    let seq = 0;
    load = setInterval(() => {
      const { peer, line } = adjchange(++seq);
      sent.push(peer);
      for (const p of ports) udp.send(line, p, '127.0.0.1');
    }, 1_000 / RATE);
    await sleep(4_000);

    // one process of each kind: the first row of the layout with those roles
    const kinds = [...new Map(KILL_TEST_LAYOUT.map((n) => [n.roles, n.name])).values()];
    for (const name of kinds) {
      note(`SIGKILL ${name} (${cluster.spec(name).roles})`);
      await cluster.kill(name);
      await sleep(2_000);
      await cluster.startNode(name);
      note(`${name} back`);
      await sleep(3_000);
    }
    note('nats-server stopped');
    await nats.restart(3_000);
    note('nats-server back');
    await sleep(4_000);
    note('PostgreSQL stopped');
    await pg.restart(3_000);
    note('PostgreSQL back');
    await sleep(5_000);
    clearInterval(load);
    load = null;
    note(`load stopped after ${sent.length} datagrams`);

    // quiet: the bus drained, every sent event recorded, no execution unfinished (an event a
    // node recorded and died before deciding is taken up by another node after 60 s)
    const problems: string[] = [];
    const settle = async (what: string, cond: () => Promise<boolean>, ms = 150_000): Promise<void> => {
      const end = Date.now() + ms;
      while (!(await cond().catch(() => false))) {
        if (Date.now() > end) return void problems.push(`timed out: ${what}`);
        await sleep(1_000);
      }
    };
    await settle('the bus drained and every event recorded', async () => {
      const view = await cluster.api<{ bus: { pending: number; ackPending: number } }>('GET', '/api/v1/cluster');
      if (view.bus.pending || view.bus.ackPending) return false;
      if ((await allPages<unknown>('/api/v1/events?type=network.bgp_peer_state_changed')).length < sent.length) return false;
      // an event a dead node recorded and never decided stays pending until another node takes it up
      return (await allPages<unknown>('/api/v1/events?status=pending')).length === 0;
    });
    await settle('every execution ended', async () => (await allPages<ExecutionRow>('/api/v1/executions')).every((e) => FINAL_STATUSES.has(e.status)));
    note('quiet');

    // every event sent is recorded exactly once
    const events = (await allPages<{ payload?: { peer?: string } }>('/api/v1/events?type=network.bgp_peer_state_changed')).map((e) => String(e.payload?.peer));
    const recorded = new Set(events);
    const doubled = repeated(events);
    if (doubled.length) problems.push(`events recorded twice: ${doubled.slice(0, 10).join(', ')} (${doubled.length})`);
    const missing = sent.filter((p) => !recorded.has(p));
    if (missing.length) problems.push(`events sent and not recorded: ${missing.slice(0, 10).join(', ')} (${missing.length})`);

    // each event started one workflow, and every execution has ended
    let executions = await allPages<ExecutionRow>('/api/v1/executions');
    // the timer keeps firing: a tick's action started a moment ago is still running; it must end too
    const late = executions.filter((e) => !FINAL_STATUSES.has(e.status)).map((e) => e.id);
    if (late.length) {
      await settle(
        `the executions still running at the count end (${late.join(', ')})`,
        async () => {
          for (const id of late) if (!FINAL_STATUSES.has((await cluster.api<ExecutionRow>('GET', `/api/v1/executions/${id}`)).status)) return false;
          return true;
        },
        60_000,
      );
      const ended = new Map((await allPages<ExecutionRow>('/api/v1/executions')).map((e) => [e.id, e]));
      executions = executions.map((e) => ended.get(e.id) ?? e);
    }
    const byStatus: Record<string, number> = {};
    for (const e of executions) byStatus[`${e.action} ${e.status}`] = (byStatus[`${e.action} ${e.status}`] ?? 0) + 1;
    note(`executions: ${JSON.stringify(byStatus)}`);
    const open = executions.filter((e) => !FINAL_STATUSES.has(e.status));
    if (open.length) problems.push(`executions not ended: ${open.length} (${[...new Set(open.map((e) => `${e.action} ${e.status}`))].join(', ')})`);
    const workflows = executions.filter((e) => e.action === 'killtest.remediate').map((e) => String(e.parameters?.key));
    const twice = repeated(workflows);
    if (twice.length) redecided.push(`events that started two workflows: ${twice.slice(0, 10).join(', ')} (${twice.length})`);
    const started = new Set(workflows);
    const without = sent.filter((p) => !started.has(p));
    if (without.length) problems.push(`events that started no workflow: ${without.slice(0, 10).join(', ')} (${without.length})`);

    // no non-idempotent step ran twice; a workflow that succeeded ran both its steps
    const once = lines(path.join(markers, 'once.log'));
    const onceTwice = repeated(once);
    if (onceTwice.length)
      ownerless.push(
        `non-idempotent step ran twice: ${onceTwice.slice(0, 10).join(', ')} (${onceTwice.length})`,
        ...doubledMarks(path.join(markers, 'once.log'), t0),
      );
    const onceSet = new Set(once);
    const again = new Set(lines(path.join(markers, 'again.log')));
    const succeeded = executions.filter((e) => e.action === 'killtest.remediate' && e.status === 'succeeded').map((e) => String(e.parameters?.key));
    const unran = succeeded.filter((k) => !onceSet.has(k) || !again.has(k));
    if (unran.length) problems.push(`succeeded workflows whose steps left no mark: ${unran.slice(0, 10).join(', ')} (${unran.length})`);

    // timers fired once per tick: no scheduled tick appears twice
    const ticks = lines(path.join(markers, 'ticks.log'));
    const tickTwice = repeated(ticks);
    if (tickTwice.length)
      redecided.push(
        `timer ticks fired twice: ${tickTwice.slice(0, 10).join(', ')} (${tickTwice.length})`,
        ...doubledMarks(path.join(markers, 'ticks.log'), t0),
      );
    if (ticks.length < 20) problems.push(`the timer stopped firing: ${ticks.length} ticks`);

    // the sensors' own counts: nothing given up on while nats-server was down
    const nodes = (await call<{ nodes: Array<{ name: string; metrics?: { bus: { lost: number; publishRetries: number } | null } }> }>('/api/v1/cluster')).nodes;
    for (const n of nodes) if (n.metrics?.bus?.lost) problems.push(`${n.name} lost ${n.metrics.bus.lost} events`);
    note(`sensor publish retries: ${nodes.map((n) => `${n.name} ${n.metrics?.bus?.publishRetries ?? '-'}`).join(', ')}`);
    scenarioRan = true;
    assert.deepEqual(problems, [], `${timeline.join('\n')}\n${problems.length ? cluster.said() : ''}`);
    process.stderr.write(`\nkill test timeline:\n${timeline.join('\n')}\n`);
  });

  test('no non-idempotent step ran twice', () => {
    assert.ok(scenarioRan, 'the scenario above ran to its counts');
    assert.deepEqual(ownerless, [], timeline.join('\n'));
  });

  test('an event is decided once: no event started two workflows, no timer tick fired twice', () => {
    assert.ok(scenarioRan, 'the scenario above ran to its counts');
    assert.deepEqual(redecided, [], timeline.join('\n'));
  });
});
