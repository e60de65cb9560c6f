// Pollers spread over the rules nodes of a cluster on a bus: each rules node polls the devices of
// its event partitions, so two nodes poll disjoint sets that together are every device, and when
// one is killed (SIGKILL) the other polls them all. Real nats-server, PostgreSQL 15 and snmpd
// (the SNMP agent the poller and SNMP tests use, on loopback), started here; the rules nodes are
// `netreflex serve` processes polling twelve inventory devices that all point at that agent.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { partitionOf } from '../../src/events/partitions.js';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { startSnmpd, type SnmpLab } from '../lab/snmp.js';
import { bearerCall } from '../api/bearer-call.js';
import { partitionOwners } from './partition-owners.js';
import { startServeNode, type ServeNode } from './serve-node.js';

const skip = postgresGuard() || natsGuard();
const ADMIN_PASSWORD = 'pollers-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/poll-packs');
const POLLER = 'poller:polltest.sys';
const DEVICES = Array.from({ length: 12 }, (_, i) => `dev${String(i + 1).padStart(2, '0')}`);
const P = 16;

interface ClusterNodeView {
  name: string;
  metrics?: { pollers?: Record<string, { devices: number; polled: number; failed: number }> };
}

describe('distributed mode on a bus: pollers spread over the rules nodes by partition', { skip, timeout: 300_000 }, () => {
  let root: string;
  let nats: NatsServer;
  let pgServer: Postgres;
  let snmp: SnmpLab;
  let store: string;
  let db: pg.Client;
  const nodes = new Map<string, ServeNode>();
  let token = '';

  const start = async (name: string, role: string, extra: string[] = []): Promise<ServeNode> => {
    const dataDir = path.join(root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (name !== 'rules-a') copyFileSync(path.join(root, 'rules-a', 'secrets.key'), path.join(dataDir, 'secrets.key'));
    const n = await startServeNode({
      name,
      dataDir,
      // no --no-sensors: a rules node runs the pollers (it binds no listener without the sensor role)
      args: ['--role', role, '--bus', nats.url, '--store', store, '--partitions', String(P), '--packs-path', PACKS, '--node-name', name, ...extra],
      env: { NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD, NETREFLEX_HEARTBEAT_MS: '1000' },
    });
    nodes.set(name, n);
    return n;
  };
  const api = bearerCall(
    () => nodes.get('rules-a')!.url!,
    () => token,
  );
  const pollersOf = async (): Promise<Map<string, { devices: number; polled: number; failed: number }>> => {
    const view = await api<{ nodes: ClusterNodeView[] }>('GET', '/api/v1/cluster');
    return new Map(view.nodes.flatMap((n) => (n.metrics?.pollers?.[POLLER] ? [[n.name, n.metrics.pollers[POLLER]] as const] : [])));
  };
  /** Devices of each node's partitions, from what PostgreSQL says each node holds. */
  const expected = async (): Promise<Map<string, number>> => {
    const owners = await partitionOwners(db);
    const out = new Map<string, number>();
    for (const d of DEVICES) {
      const owner = owners.get(partitionOf(d, P));
      if (owner) out.set(owner, (out.get(owner) ?? 0) + 1);
    }
    return out;
  };
  let last = '';
  const until = async (what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end)
        assert.fail(`timed out: ${what}\nlast seen: ${last}\n${[...nodes.values()].map((n) => `--- ${n.name}\n${n.said().slice(-3000)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  /** Each node's pollers select exactly the devices of its partitions, and have read them. */
  const spreadAsOwned = async (names: string[], since: Map<string, number>): Promise<boolean> => {
    const [seen, want] = await Promise.all([pollersOf(), expected()]);
    last = JSON.stringify({ seen: [...seen], want: [...want] });
    return (
      [...want.keys()].sort().join() === [...names].sort().join() &&
      names.every((n) => seen.get(n)?.devices === want.get(n) && (seen.get(n)?.polled ?? 0) > (since.get(n) ?? 0) + DEVICES.length)
    );
  };

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-pollers-'));
    [nats, pgServer] = await Promise.all([startNatsServer(), startPostgres()]);
    snmp = await startSnmpd({ dir: path.join(root, 'snmpd') });
    store = await pgServer.createDatabase('pollers');
    db = new pg.Client({ connectionString: store });
    await db.connect();
    const inventory = path.join(root, 'inventory');
    mkdirSync(inventory);
    writeFileSync(
      path.join(inventory, 'hosts.yaml'),
      DEVICES.map(
        (d) => `${d}:\n  hostname: ${snmp.host}\n  platform: linux\n  connection_options:\n    snmp: {port: ${snmp.port}, credential: lab-snmp}\n`,
      ).join(''),
    );
    await start('rules-a', 'rules,api', ['--port', '0', '--inventory', inventory]);
    const login = await fetch(`${nodes.get('rules-a')!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    // the community, as an operator stores a credential: encrypted in the shared store
    await api('PUT', '/api/v1/keys/system/credential.lab-snmp', { value: JSON.stringify({ username: 'public', password: snmp.community }), encrypt: true });
  });
  after(async () => {
    for (const n of nodes.values()) await n.stop().catch(() => {});
    await db?.end().catch(() => {});
    await snmp?.stop().catch(() => {});
    await Promise.all([nats?.stop(), pgServer?.stop()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('one rules node polls every device', async () => {
    await until('rules-a polls the twelve devices', () => spreadAsOwned(['rules-a'], new Map()));
    const a = (await pollersOf()).get('rules-a')!;
    assert.equal(a.devices, DEVICES.length);
    // (reads before the credential was stored failed)
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal((await pollersOf()).get('rules-a')!.failed, a.failed, 'the SNMP agent answers every read');
  });

  test('two rules nodes poll disjoint sets of devices, each the devices of its own partitions, every device on one of them', async () => {
    const before = new Map([...(await pollersOf())].map(([n, c]) => [n, c.polled]));
    await start('rules-b', 'rules');
    await until('both nodes poll the devices of their partitions', () => spreadAsOwned(['rules-a', 'rules-b'], before));
    // it holds, round after round
    await new Promise((r) => setTimeout(r, 3_000));
    assert.ok(await spreadAsOwned(['rules-a', 'rules-b'], before), last);
    const seen = await pollersOf();
    assert.ok(seen.get('rules-a')!.devices > 0 && seen.get('rules-b')!.devices > 0, last);
    assert.equal(seen.get('rules-a')!.devices + seen.get('rules-b')!.devices, DEVICES.length, 'no device on both, none on neither');
  });

  test('when one rules node is killed, the other polls every device', async () => {
    await nodes.get('rules-b')!.kill();
    nodes.delete('rules-b');
    const before = new Map([...(await pollersOf())].map(([n, c]) => [n, c.polled]));
    await until('rules-a polls every device again', () => spreadAsOwned(['rules-a'], before), 30_000);
    assert.equal((await pollersOf()).get('rules-a')!.devices, DEVICES.length);
  });
});
