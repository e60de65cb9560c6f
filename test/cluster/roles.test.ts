// Distributed mode on real infrastructure: nats-server (JetStream) and PostgreSQL 15 started
// here; two sensor nodes and one rules/worker/api node as separate `netreflex serve` processes.
// One syslog datagram heard by both sensor nodes becomes one event and one execution; events
// sent while the rules node is dead (SIGKILL) are all recorded, once each, after it restarts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { startServeNode, type ServeNode } from './serve-node.js';
import { bearerCall } from '../api/bearer-call.js';

const skip = postgresGuard() || natsGuard();
const ADMIN_PASSWORD = 'cluster-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/packs');

/** FRR's own RFC 5424 line (as the lab's rsyslog relays it) for a session change of router r2. */
function adjchange(peer: string, second: number): Buffer {
  const t = `2030-01-01T00:00:${String(second).padStart(2, '0')}.000000+00:00`;
  return Buffer.from(`<30>1 ${t} r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor ${peer}(r1) in vrf default Down Interface down`);
}

async function sendUdp(port: number, msg: Buffer): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.send(msg, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  s.close();
}

interface Listed {
  items: Array<{ id: string; status: string; parameters?: { message?: string }; payload?: { peer?: string } }>;
}

describe('distributed mode: sensor nodes and a rules node over NATS JetStream and PostgreSQL', { skip, timeout: 300_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pg: Postgres;
  let store: string;
  const nodes: ServeNode[] = [];
  let core: ServeNode;
  let sensorA: ServeNode;
  let sensorB: ServeNode;
  let token = '';

  const dataDir = (name: string): string => {
    const d = path.join(root, name);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    // nodes sharing one store share the secrets key, as an operator copies it to each node
    if (name !== 'core') copyFileSync(path.join(root, 'core', 'secrets.key'), path.join(d, 'secrets.key'));
    return d;
  };
  const startCore = async (name = 'core'): Promise<ServeNode> => {
    const n = await startServeNode({
      name,
      dataDir: name === 'core' ? path.join(root, 'core') : dataDir(name),
      args: ['--role', 'rules,worker,api', '--bus', nats.url, '--store', store, '--no-sensors', '--port', '0', '--packs-path', PACKS, '--node-name', name],
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    nodes.push(n);
    const login = await fetch(`${n.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    return n;
  };
  const startSensor = async (name: string): Promise<ServeNode> => {
    const n = await startServeNode({
      name,
      dataDir: dataDir(name),
      args: [
        '--role',
        'sensor',
        '--bus',
        nats.url,
        '--store',
        store,
        '--sensor-host',
        '127.0.0.1',
        '--syslog-port',
        '0',
        '--trap-port',
        'off',
        '--sflow-port',
        'off',
        '--node-name',
        name,
      ],
    });
    nodes.push(n);
    assert.ok(n.ports['syslog/udp'], n.said());
    return n;
  };
  // core changes when the rules node is restarted or replaced: the call follows it
  const api = bearerCall(
    () => core.url!,
    () => token,
  );
  /** Timer events fired in [from, to): by the time each was fired, so a slow rules node cannot bunch them. */
  const ticks = async (from: number, to: number): Promise<number> =>
    (await api<{ items: Array<{ time: string }> }>('GET', '/api/v1/events?type=core.st2.IntervalTimer&limit=500')).items.filter(
      (e) => Date.parse(e.time) >= from && Date.parse(e.time) < to,
    ).length;
  const echoes = async (): Promise<string[]> =>
    (await api<Listed>('GET', '/api/v1/executions?action=core.echo&limit=500')).items
      .map((e) => String(e.parameters?.message ?? ''))
      .filter((m) => m.startsWith('clustertest'));
  const bgpEvents = async (): Promise<string[]> =>
    (await api<Listed>('GET', '/api/v1/events?type=network.bgp_peer_state_changed&limit=500')).items.map((e) => String(e.payload?.peer));
  const until = async (what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out: ${what}\n${nodes.map((n) => `--- ${n.name}\n${n.said()}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-cluster-'));
    [nats, pg] = await Promise.all([startNatsServer(), startPostgres()]);
    store = await pg.createDatabase('cluster');
    core = await startCore();
    // the router is in the shared inventory before the sensor nodes start: they attribute its syslog
    await api('PUT', '/api/v1/inventory/hosts/r2', { hostname: '192.0.2.2', platform: 'frr' });
    [sensorA, sensorB] = await Promise.all([startSensor('sensor-a'), startSensor('sensor-b')]);
  });
  after(async () => {
    for (const n of nodes) await n.stop().catch(() => {});
    await Promise.all([nats?.stop(), pg?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  test('a sensor-only node says what it does and serves no API', () => {
    assert.equal(sensorA.url, null);
    assert.match(sensorA.said(), /roles sensor: no rules, executions or API on this node/);
    assert.match(sensorA.said(), /events to the bus nats:\/\/127\.0\.0\.1:\d+/);
    assert.match(core.said(), /events from the bus/);
    assert.match(core.said(), /state in PostgreSQL postgres:\/\//);
  });

  test('one datagram heard by both sensor nodes is one event and one execution', async () => {
    const line = adjchange('10.0.12.1', 1);
    await Promise.all([sendUdp(sensorA.ports['syslog/udp']!, line), sendUdp(sensorB.ports['syslog/udp']!, line)]);
    await until('the echo of 10.0.12.1 ran', async () => (await echoes()).some((m) => m.includes('10.0.12.1')));
    // give a second copy every chance to arrive before counting
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(await bgpEvents(), ['10.0.12.1']);
    assert.deepEqual(await echoes(), ['clustertest r2 10.0.12.1 idle']);
  });

  test('events sent while the rules node is dead are all recorded once after it restarts', async () => {
    await core.kill();
    const peers = Array.from({ length: 10 }, (_, i) => `10.0.13.${i + 1}`);
    for (const [i, p] of peers.entries()) await sendUdp((i % 2 ? sensorA : sensorB).ports['syslog/udp']!, adjchange(p, 10 + i));
    core = await startCore();
    await until('all ten events recorded', async () => (await bgpEvents()).filter((p) => p.startsWith('10.0.13.')).length >= 10);
    await until('all ten echoes ran', async () => (await echoes()).filter((m) => m.includes('10.0.13.')).length >= 10);
    await new Promise((r) => setTimeout(r, 1_000));
    const events = (await bgpEvents()).filter((p) => p.startsWith('10.0.13.')).sort();
    assert.deepEqual(events, [...peers].sort(), 'each event once');
    assert.equal((await echoes()).filter((m) => m.includes('10.0.13.')).length, 10, 'each rule action once');
  });

  test('cluster status names every node with its roles, the timer leader, the store and the bus backlog', async () => {
    interface View {
      store: { kind: string };
      bus: { pending: number; ackPending: number };
      nodes: Array<{ name: string; roles: string[]; leader: boolean }>;
    }
    let view!: View;
    await until('three nodes, a timer leader and no backlog', async () => {
      view = await api<View>('GET', '/api/v1/cluster');
      return view.nodes.length === 3 && view.nodes.some((n) => n.leader) && view.bus.pending === 0 && view.bus.ackPending === 0;
    });
    assert.equal(view.store.kind, 'postgres');
    assert.deepEqual(
      view.nodes.map((n) => [n.name, n.roles.join(','), n.leader]),
      [
        ['core', 'rules,worker,api', true],
        ['sensor-a', 'sensor', false],
        ['sensor-b', 'sensor', false],
      ],
    );
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), 'cluster', 'status'], {
      encoding: 'utf8',
      env: { ...process.env, NETREFLEX_URL: core.url!, NETREFLEX_TOKEN: token, HOME: root },
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^store {2}postgres postgres:\/\//m);
    assert.match(cli.stdout, /^bus {4}nats:\/\/127\.0\.0\.1:\d+ stream NETREFLEX_EVENTS, consumer rules: 0 waiting, 0 being recorded/m);
    assert.match(cli.stdout, /core\s+rules,worker,api\s+.*now\s+timers/);
    assert.match(cli.stdout, /sensor-a\s+sensor\s/);
  });

  test('with two rules nodes a timer fires once per tick; when the leader dies the other takes over', async () => {
    // counted over the same window on both sides of the failover
    const rate = async (ms: number): Promise<number> => {
      const from = Date.now();
      await new Promise((r) => setTimeout(r, ms + 1_000));
      return ticks(from, from + ms);
    };
    const alone = await rate(5_000);
    const core2 = await startCore('core2');
    const both = await rate(5_000);
    assert.ok(both >= 3 && both <= 6, `one node fires the 1 s timer: ${both} ticks in 5 s (${alone} with one rules node)`);
    await core.kill();
    core = core2; // the API of the node that stays
    await until('core2 leads', async () =>
      (await api<{ nodes: Array<{ name: string; leader: boolean }> }>('GET', '/api/v1/cluster')).nodes.some((n) => n.name === 'core2' && n.leader),
    );
    const after = await rate(5_000);
    assert.ok(after >= 3 && after <= 6, `the new leader fires it: ${after} ticks in 5 s`);
  });
});
