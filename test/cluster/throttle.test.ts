// A rule's throttle counted across the rules nodes of a cluster, on real nats-server and
// PostgreSQL 15 started here: two rules nodes (one also serving the API), a worker and a sensor,
// each its own `netreflex serve`. A rule throttled to 3 runs an hour with no key (one counter for
// the whole rule) sees one event from each of 20 devices whose partitions both rules nodes own:
// over both nodes it runs its action 3 times, escalates once, and throttles the other 16, as the
// API shows them. (Counted per node, each node would have run it 3 times and escalated once.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { partitionOf } from '../../src/events/partitions.js';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { partitionOwners } from './partition-owners.js';
import { LoopbackCluster } from './loopback-cluster.js';

const skip = postgresGuard() || natsGuard();
const PACKS = path.resolve('test/cluster/fixtures/throttle-packs');
const P = 16;
const DEVICES = Array.from({ length: 20 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
const RULE = 'throttletest.limited';

interface Enforcement {
  ruleRef: string;
  outcome: string;
  executionId: string | null;
  reason: string | null;
}
interface EventWithRules {
  id: string;
  device: string | null;
  payload: { peer?: string };
  enforcements: Enforcement[];
}
interface Execution {
  id: string;
  action: string;
  status: string;
  parameters: Record<string, unknown>;
}

function adjchange(device: string, peer: string): Buffer {
  return Buffer.from(
    `<30>1 2030-01-01T00:00:01.000000+00:00 ${device} bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor ${peer}(r1) in vrf default Down Interface down`,
  );
}

describe('distributed mode: a throttle without a key counts over every rules node', { skip, timeout: 300_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pgServer: Postgres;
  let db: pg.Client;
  let cluster: LoopbackCluster;

  const owners = (): Promise<Map<number, string>> => partitionOwners(db);
  const until = async (what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out: ${what}\n${cluster.said()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  /** The limited rule's decisions, one per event of the test (through the API). */
  const decisions = async (): Promise<Array<{ device: string | null; e: Enforcement }>> => {
    const events = (await cluster.api<{ items: EventWithRules[] }>('GET', '/api/v1/events?type=network.bgp_peer_state_changed&limit=500')).items;
    return events.flatMap((ev) => ev.enforcements.filter((e) => e.ruleRef === RULE).map((e) => ({ device: ev.device, e })));
  };
  const executions = async (): Promise<Execution[]> => (await cluster.api<{ items: Execution[] }>('GET', `/api/v1/executions?rule=${RULE}&limit=100`)).items;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-throttle-'));
    [nats, pgServer] = await Promise.all([startNatsServer(), startPostgres()]);
    const storeUrl = await pgServer.createDatabase('throttle');
    db = new pg.Client({ connectionString: storeUrl });
    await db.connect();
    cluster = await LoopbackCluster.start({
      root,
      layout: [
        { name: 'rules-1', roles: 'rules,api' },
        { name: 'rules-2', roles: 'rules' },
        { name: 'worker-1', roles: 'worker' },
        { name: 'sensor-1', roles: 'sensor' },
      ],
      natsUrl: nats.url,
      storeUrl,
      packsPaths: [PACKS],
      beforeSensors: async (api) => {
        for (const d of DEVICES) await api('PUT', `/api/v1/inventory/hosts/${d}`, { hostname: `${d}.example.net`, platform: 'frr' });
      },
    });
  });
  after(async () => {
    await cluster?.stop();
    await db?.end().catch(() => {});
    await Promise.all([nats?.stop(), pgServer?.stop()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('20 devices over two rules nodes: 3 executions, 1 escalation, 16 throttled', async () => {
    const shares = async (): Promise<Map<string, number>> => {
      const m = new Map<string, number>();
      for (const name of (await owners()).values()) m.set(name, (m.get(name) ?? 0) + 1);
      return m;
    };
    await until('the partitions split 8/8', async () => {
      const s = await shares();
      return s.get('rules-1') === P / 2 && s.get('rules-2') === P / 2;
    });
    const owner = await owners();
    const byNode = new Map<string, number>();
    for (const d of DEVICES) byNode.set(owner.get(partitionOf(d, P))!, (byNode.get(owner.get(partitionOf(d, P))!) ?? 0) + 1);
    assert.deepEqual([...byNode.keys()].sort(), ['rules-1', 'rules-2'], 'the devices fall in partitions of both rules nodes');
    assert.ok(
      [...byNode.values()].every((n) => n > 3),
      `each rules node decides more than max events (${JSON.stringify([...byNode])}): counted per node, each would run the action 3 times`,
    );

    const udp = createSocket('udp4');
    const port = cluster.syslogPorts()[0]!;
    try {
      for (const [i, d] of DEVICES.entries())
        await new Promise<void>((resolve, reject) => udp.send(adjchange(d, `10.7.0.${i + 1}`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    } finally {
      udp.close();
    }
    await until('the rule decided all 20 events', async () => (await decisions()).length >= DEVICES.length);
    await until('its executions ended', async () => {
      const ex = await executions();
      return ex.length >= 4 && ex.every((x) => x.status === 'succeeded');
    });
    // late doubles would show within a moment
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal((await owners()).size, P);
    assert.deepEqual([...new Set([...(await owners()).values()])].sort(), ['rules-1', 'rules-2'], 'no partition moved while the events were decided');

    const all = await decisions();
    assert.equal(all.length, DEVICES.length, 'one decision per event');
    assert.deepEqual(new Set(all.map((d) => d.device)), new Set(DEVICES));
    const outcomes = (o: string): Enforcement[] => all.filter((d) => d.e.outcome === o).map((d) => d.e);
    assert.equal(outcomes('executed').length, 3, `executed: ${JSON.stringify(all.map((d) => [d.device, d.e.outcome]))}`);
    assert.equal(outcomes('escalated').length, 1);
    assert.equal(outcomes('throttled').length, DEVICES.length - 4);
    for (const t of outcomes('throttled')) assert.match(t.reason!, /^throttled: 3 executions for key 'throttletest\.limited' within 1h \(max 3\)$/);
    assert.match(outcomes('escalated')[0]!.reason!, /^limit reached: 3 executions for key 'throttletest\.limited' within 1h \(max 3\); escalating$/);

    const ex = await executions();
    assert.equal(ex.length, 4);
    assert.equal(ex.filter((x) => x.action === 'core.echo').length, 3);
    const esc = ex.filter((x) => x.action === 'throttletest.escalate');
    assert.equal(esc.length, 1);
    assert.deepEqual(esc[0]!.parameters.escalation, { rule: RULE, key: RULE, count: 3, window: '1h' });
    assert.deepEqual(
      new Set([...outcomes('executed'), ...outcomes('escalated')].map((e) => e.executionId)),
      new Set(ex.map((x) => x.id)),
      'each execution is the one its decision recorded',
    );

    // the shared counter: the three executions' events, and the escalation's
    const row = (await db.query('SELECT execution_events, escalated_event FROM throttle_counters WHERE rule = $1 AND key = $1', [RULE])).rows[0];
    assert.equal(row.execution_events.length, 3);
    assert.ok(row.escalated_event);
  });
});
