// Event partitions on real infrastructure: nats-server (JetStream) and PostgreSQL 15 started here,
// one sensor node and two rules nodes as separate `netreflex serve` processes. Events of 20
// devices are shared by the two rules nodes (each owns half the partitions), each device's events
// are recorded in the order they were sent; a held-down event survives its partition moving to a
// joining node and to a node that takes over from one killed with SIGKILL, and fires once; no
// event is lost or recorded twice across the kill.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { partitionOf } from '../../src/events/partitions.js';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { partitionOwners } from './partition-owners.js';
import { startServeNode, type ServeNode } from './serve-node.js';
import { bearerCall } from '../api/bearer-call.js';

const skip = postgresGuard() || natsGuard();
const ADMIN_PASSWORD = 'partition-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/partition-packs');
const P = 16;
const DEVICES = Array.from({ length: 20 }, (_, i) => `d${String(i + 1).padStart(2, '0')}`);

/** FRR's RFC 5424 ADJCHANGE line of `device` for `peer`, stamped `second` into a fixed minute. */
function adjchange(device: string, peer: string, second: number): Buffer {
  const t = `2030-01-01T00:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000000+00:00`;
  return Buffer.from(`<30>1 ${t} ${device} bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor ${peer}(r1) in vrf default Down Interface down`);
}

describe('distributed mode: two rules nodes share the events by partition', { skip, timeout: 300_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pgServer: Postgres;
  let storeUrl: string;
  let db: pg.Client;
  const nodes: ServeNode[] = [];
  let sensor: ServeNode;
  let coreA: ServeNode;
  let coreB: ServeNode | null = null;
  let token = '';
  let udp: ReturnType<typeof createSocket>;

  const send = async (device: string, peer: string, second: number): Promise<void> =>
    new Promise<void>((resolve, reject) =>
      udp.send(adjchange(device, peer, second), sensor.ports['syslog/udp']!, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
  const startRules = async (name: string): Promise<ServeNode> => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (name !== 'core-a') copyFileSync(path.join(root, 'core-a', 'secrets.key'), path.join(dataDir, 'secrets.key'));
    const n = await startServeNode({
      name,
      dataDir,
      args: ['--role', 'rules,worker,api', '--bus', nats.url, '--store', storeUrl, '--no-sensors', '--port', '0', '--packs-path', PACKS, '--node-name', name],
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    nodes.push(n);
    return n;
  };
  const api = bearerCall(
    () => coreA.url!,
    () => token,
  );
  const owners = (): Promise<Map<number, string>> => partitionOwners(db);
  const shareOf = async (name: string): Promise<number> => [...(await owners()).values()].filter((n) => n === name).length;
  /** (device, peer) of every recorded BGP event, in the order the store recorded them. */
  const recorded = async (): Promise<Array<{ device: string; peer: string }>> =>
    (
      await db.query<{ device: string; payload: string }>(
        "SELECT device, payload FROM trigger_instances WHERE type = 'network.bgp_peer_state_changed' ORDER BY seq",
      )
    ).rows.map((r) => ({ device: r.device, peer: String((JSON.parse(r.payload) as { peer: string }).peer) }));
  const echoes = async (prefix: string): Promise<string[]> =>
    (await db.query<{ parameters: string }>("SELECT parameters FROM executions WHERE action = 'core.echo'")).rows
      .map((r) => String((JSON.parse(r.parameters) as { message?: string }).message))
      .filter((m) => m.startsWith(prefix));
  const until = async (what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) {
        const events = (await db.query('SELECT device, type, status, payload FROM trigger_instances ORDER BY seq DESC LIMIT 5')).rows;
        const decisions = (await db.query('SELECT rule_ref, outcome, reason FROM rule_enforcements ORDER BY time DESC LIMIT 5')).rows;
        assert.fail(
          `timed out: ${what}\nlast events ${JSON.stringify(events)}\nlast decisions ${JSON.stringify(decisions)}\n${nodes.map((n) => `--- ${n.name}\n${n.said()}`).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Each device's events recorded in the order sent (peer 10.1.<round>.<device number>). */
  const assertDeviceOrder = (rows: Array<{ device: string; peer: string }>): void => {
    for (const d of DEVICES) {
      const rounds = rows.filter((r) => r.device === d && r.peer.startsWith('10.1.')).map((r) => Number(r.peer.split('.')[2]));
      assert.deepEqual(
        rounds,
        [...rounds].sort((a, b) => a - b),
        `device ${d}: events recorded in the order sent`,
      );
    }
  };
  /** A device name whose partition satisfies `where`. */
  const deviceWhere = (where: (p: number) => boolean): string => {
    for (let i = 0; ; i++) if (where(partitionOf(`hold${i}`, P))) return `hold${i}`;
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-partitions-'));
    [nats, pgServer] = await Promise.all([startNatsServer(), startPostgres()]);
    storeUrl = await pgServer.createDatabase('partitions');
    db = new pg.Client({ connectionString: storeUrl });
    coreA = await startRules('core-a');
    await db.connect();
    const login = await fetch(`${coreA.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    for (const d of [...DEVICES, ...Array.from({ length: 40 }, (_, i) => `hold${i}`)])
      await api('PUT', `/api/v1/inventory/hosts/${d}`, { hostname: `${d}.example.net`, platform: 'frr' });
    sensor = await startServeNode({
      name: 'sensor',
      dataDir: path.join(root, 'sensor'),
      args: [
        '--role',
        'sensor',
        '--bus',
        nats.url,
        '--store',
        storeUrl,
        '--sensor-host',
        '127.0.0.1',
        '--syslog-port',
        '0',
        '--trap-port',
        'off',
        '--sflow-port',
        'off',
        '--node-name',
        'sensor',
      ],
    });
    nodes.push(sensor);
    udp = createSocket('udp4');
  });
  after(async () => {
    udp?.close();
    for (const n of nodes) await n.stop().catch(() => {});
    await db?.end().catch(() => {});
    await Promise.all([nats?.stop(), pgServer?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  test('a node that joins takes half the partitions; a hold on a partition that moves fires once, on the new owner', async () => {
    await until('core-a owns every partition', async () => (await shareOf('core-a')) === P);
    // core-a keeps the lower half and gives the upper half away
    const device = deviceWhere((p) => p >= P / 2);
    await send(device, '10.99.0.1', 1);
    await until(
      'the event held',
      async () => (await db.query("SELECT 1 FROM rule_enforcements WHERE outcome = 'held' AND rule_ref = 'partitiontest.held_down'")).rowCount === 1,
    );
    coreB = await startRules('core-b');
    await until('the partitions split 8/8', async () => (await shareOf('core-a')) === P / 2 && (await shareOf('core-b')) === P / 2);
    assert.equal((await owners()).get(partitionOf(device, P)), 'core-b');
    await until('the held event fired', async () => (await echoes('held ')).length >= 1, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(await echoes('held '), [`held ${device} 10.99.0.1`]);
  });

  test('events of 20 devices are decided by both nodes, each device in the order sent, each once', async () => {
    const owner = await owners();
    const byNode = new Set(DEVICES.map((d) => owner.get(partitionOf(d, P))));
    assert.deepEqual([...byNode].sort(), ['core-a', 'core-b'], 'the devices fall in partitions of both nodes');
    for (let round = 1; round <= 5; round++) for (const [i, d] of DEVICES.entries()) await send(d, `10.1.${round}.${i + 1}`, 10 + round);
    await until('100 events recorded', async () => (await recorded()).filter((r) => r.peer.startsWith('10.1.')).length >= 100);
    await until('100 echoes', async () => (await echoes('order ')).length >= 100);
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = (await recorded()).filter((r) => r.peer.startsWith('10.1.'));
    assert.equal(rows.length, 100);
    assert.equal(new Set(rows.map((r) => `${r.device} ${r.peer}`)).size, 100, 'each event once');
    assertDeviceOrder(rows);
    assert.equal((await echoes('order ')).length, 100, 'each event decided once');
  });

  test('SIGKILL of a rules node: the other takes its partitions, a held event fires once, no event lost or doubled', async () => {
    assert.ok(coreB);
    // the hold is on a partition of core-b, which is killed while holding it
    const device = deviceWhere((p) => p >= P / 2 && p !== partitionOf('hold0', P));
    const killedOwns = async (): Promise<boolean> => (await owners()).get(partitionOf(device, P)) === 'core-b';
    assert.ok(await killedOwns());
    await send(device, '10.99.0.2', 2);
    await until(
      'the event held',
      async () => (await db.query("SELECT 1 FROM rule_enforcements WHERE outcome = 'held' AND rule_ref = 'partitiontest.held_down'")).rowCount === 2,
    );
    for (const [i, d] of DEVICES.entries()) await send(d, `10.1.6.${i + 1}`, 16);
    await coreB.kill();
    const killedAt = Date.now();
    for (let round = 7; round <= 9; round++) for (const [i, d] of DEVICES.entries()) await send(d, `10.1.${round}.${i + 1}`, 10 + round);
    await until('core-a owns every partition', async () => (await shareOf('core-a')) === P, 15_000);
    const takeover = Date.now() - killedAt;
    assert.ok(takeover < 5_000, `taken over in ${takeover} ms`);
    await until('all 180 events recorded', async () => (await recorded()).filter((r) => r.peer.startsWith('10.1.')).length >= 180);
    await until('180 echoes', async () => (await echoes('order ')).length >= 180);
    await until('the held event fired', async () => (await echoes(`held ${device}`)).length >= 1, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const rows = (await recorded()).filter((r) => r.peer.startsWith('10.1.'));
    assert.equal(rows.length, 180, 'no event lost, none recorded twice');
    assert.equal(new Set(rows.map((r) => `${r.device} ${r.peer}`)).size, 180);
    assertDeviceOrder(rows);
    const orderEchoes = await echoes('order ');
    assert.equal(orderEchoes.length, 180, 'each event decided once');
    assert.deepEqual(await echoes(`held ${device}`), [`held ${device} 10.99.0.2`], 'the held event fired once');
  });
});
