// The three-node example of docs/examples/cluster: its systemd units and environment file, proved
// by running each unit's ExecStart command line with the environment file as real processes
// against a real PostgreSQL and nats-server on loopback (only what must differ on one machine is
// overridden: the database and bus addresses, the ports, the data directories). Then the
// per-node counters: `cluster status` (table and --json) and the API's /metrics with a node label.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { natsGuard, startNatsServer, type NatsServer } from '../lab/nats.js';
import { ensurePackages } from '../lab/packages.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';
import { freePort } from '../lab/ssh.js';
import { startServeNode, type ServeNode } from './serve-node.js';

const EXAMPLE = path.resolve('docs/examples/cluster');
const ENV_FILE = '/etc/netreflex/netreflex.env';
const BINARY = '/usr/local/bin/netreflex';
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const ADMIN_PASSWORD = 'example-admin-password-1';

type Unit = Record<string, Record<string, string[]>>;

/** A unit file: section -> key -> values (a key may repeat). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = head[1]!;
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `not a unit file line: ${line}`);
    (unit[section]![line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** An EnvironmentFile: KEY=value lines, # comments. */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    assert.ok(m, `not an environment file line: ${line}`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

const UNITS = readdirSync(EXAMPLE)
  .filter((f) => f.endsWith('.service'))
  .sort();
const unitOf = (f: string): Unit => parseUnit(readFileSync(path.join(EXAMPLE, f), 'utf8'));

/** The unit's ExecStart as argv after the binary, with systemd's %H (host name) set. */
function commandLine(file: string, host: string): string[] {
  const exec = unitOf(file).Service!.ExecStart!;
  assert.equal(exec.length, 1, `${file}: one ExecStart`);
  assert.doesNotMatch(exec[0]!, /["'$\\]/, `${file}: no quoting or variables, so splitting on spaces is what systemd does`);
  const words = exec[0]!.split(/\s+/).map((w) => w.replaceAll('%H', host));
  assert.equal(words[0], BINARY, `${file} runs ${BINARY}`);
  return words.slice(1);
}

describe('the three-node example: systemd units and an environment file', () => {
  test('every unit runs netreflex serve with one role set, the shared environment file, as user netreflex, restarted when it dies', () => {
    assert.deepEqual(UNITS, ['netreflex-core.service', 'netreflex-rules.service', 'netreflex-sensor.service']);
    const roles: string[] = [];
    for (const f of UNITS) {
      const s = unitOf(f).Service!;
      assert.deepEqual(s.EnvironmentFile, [ENV_FILE], f);
      assert.deepEqual(s.User, ['netreflex'], f);
      assert.deepEqual(s.Restart, ['always'], f);
      const argv = commandLine(f, 'nrx1');
      assert.equal(argv[0], 'serve', f);
      roles.push(argv[argv.indexOf('--role') + 1]!);
    }
    assert.deepEqual(roles, ['rules,worker,api', 'rules,worker', 'sensor']);
    // the sensor unit binds 514 and 162 without root
    assert.deepEqual(unitOf('netreflex-sensor.service').Service!.AmbientCapabilities, ['CAP_NET_BIND_SERVICE']);
    const env = parseEnv(readFileSync(path.join(EXAMPLE, 'netreflex.env'), 'utf8'));
    assert.match(env.NETREFLEX_STORE!, /^postgres:\/\//);
    assert.match(env.NETREFLEX_BUS!, /^nats:\/\//);
    // the bus URL's password matches the nats-server configuration given with the example
    const bus = new URL(env.NETREFLEX_BUS!);
    const nats = readFileSync(path.join(EXAMPLE, 'nats-server.conf'), 'utf8');
    assert.match(nats, /jetstream \{/);
    assert.match(nats, new RegExp(`user: ${bus.username}\\n\\s*password: ${bus.password}\\n`));
  });

  test(
    'systemd-analyze verify accepts the units (in a root where netreflex is installed)',
    {
      skip: SYSTEMD_ANALYZE
        ? false
        : loudSkip('SYSTEMD-ANALYZE SKIPPED: no systemd-analyze on this machine (Debian package systemd); the units were only parsed'),
    },
    async () => {
      // Debian's nats-server unit is verified with the example's drop-in: installed first where this test may install
      if (!natsGuard()) await ensurePackages(['nats-server']);
      const root = mkdtempSync(path.join(tmpdir(), 'nrx-units-'));
      try {
        // systemd's own units (sysinit.target, ...), the example's units and their drop-in, and the binaries they start
        cpSync('/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), { recursive: true });
        const etc = path.join(root, 'etc/systemd/system');
        mkdirSync(etc, { recursive: true });
        for (const f of UNITS) copyFileSync(path.join(EXAMPLE, f), path.join(etc, f));
        cpSync(path.join(EXAMPLE, 'nats-server.service.d'), path.join(etc, 'nats-server.service.d'), { recursive: true });
        // Debian's nats-server unit with the example's drop-in, when the package is installed here
        const nats = existsSync(path.join(root, 'usr/lib/systemd/system/nats-server.service')) ? ['nats-server.service'] : [];
        for (const bin of [BINARY, '/usr/sbin/nats-server', '/bin/kill']) {
          mkdirSync(path.dirname(path.join(root, bin)), { recursive: true });
          writeFileSync(path.join(root, bin), '#!/bin/sh\n');
          chmodSync(path.join(root, bin), 0o755);
        }
        const r = spawnSync(SYSTEMD_ANALYZE!, ['verify', `--root=${root}`, ...UNITS, ...nats], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        // an unknown key or a bad value is only a warning: none is allowed
        assert.equal(r.stderr.trim(), '', r.stderr);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

function loudSkip(reason: string): string {
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

const skip = postgresGuard() || natsGuard();

describe(
  'the example units run as three nodes on real PostgreSQL and nats-server; cluster status and /metrics show each node',
  { skip, timeout: 300_000 },
  () => {
    let root: string;
    let nats: NatsServer;
    let pg: Postgres;
    const nodes: Record<string, ServeNode> = {};
    let token = '';
    let apiUrl = '';

    /** Node `host` running `unit`, with the environment file and the loopback overrides. */
    const startUnit = async (unit: string, host: string, store: string, apiPort: number): Promise<ServeNode> => {
      const dataDir = path.join(root, host);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      if (host !== 'nrx1') copyFileSync(path.join(root, 'nrx1', 'secrets.key'), path.join(dataDir, 'secrets.key'));
      const env = {
        ...parseEnv(readFileSync(path.join(EXAMPLE, 'netreflex.env'), 'utf8')),
        NETREFLEX_STORE: store,
        NETREFLEX_BUS: nats.url,
        NETREFLEX_DATA_DIR: dataDir,
        NETREFLEX_HOST: '127.0.0.1',
        NETREFLEX_PORT: String(apiPort),
        NETREFLEX_SENSOR_HOST: '127.0.0.1',
        NETREFLEX_SYSLOG_PORT: '0',
        NETREFLEX_TRAP_PORT: 'off',
        NETREFLEX_SFLOW_PORT: 'off',
        NETREFLEX_HEARTBEAT_MS: '1000',
        NETREFLEX_ADMIN_PASSWORD: ADMIN_PASSWORD,
      };
      const node = await startServeNode({ name: host, dataDir, args: [], command: commandLine(unit, host), env });
      nodes[host] = node;
      return node;
    };
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli/main.ts'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, NETREFLEX_URL: apiUrl, NETREFLEX_TOKEN: token, HOME: root },
      });
    interface View {
      nodes: Array<{
        name: string;
        roles: string[];
        leader: boolean;
        metrics?: {
          bus: { published: number; consumed: number } | null;
          sensors: Record<string, number>;
          cpuSeconds: number;
          rssBytes: number;
          uptimeSeconds: number;
        };
      }>;
    }
    const status = (): View => {
      const r = cli('cluster', 'status', '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as View;
    };
    const until = async (what: string, cond: () => boolean, ms = 30_000): Promise<void> => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end)
          assert.fail(
            `timed out: ${what}\n${Object.values(nodes)
              .map((n) => `--- ${n.name}\n${n.said()}`)
              .join('\n')}`,
          );
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    before(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'nrx-example-'));
      [nats, pg] = await Promise.all([startNatsServer(), startPostgres()]);
      const store = await pg.createDatabase('example');
      const core = await startUnit('netreflex-core.service', 'nrx1', store, await freePort());
      apiUrl = core.url!;
      const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password: ADMIN_PASSWORD }),
      });
      token = ((await login.json()) as { token: string }).token;
      await Promise.all([startUnit('netreflex-sensor.service', 'nrx2', store, 0), startUnit('netreflex-rules.service', 'nrx3', store, 0)]);
    });
    after(async () => {
      for (const n of Object.values(nodes)) await n.stop().catch(() => {});
      await Promise.all([nats?.stop(), pg?.stop()]);
      if (root) rmSync(root, { recursive: true, force: true });
    });

    test('cluster status lists the three nodes with their roles, and each node counts what it did', async () => {
      let view!: View;
      await until('three nodes with counters', () => (view = status()).nodes.filter((n) => n.metrics).length === 3);
      assert.deepEqual(
        view.nodes.map((n) => [n.name, n.roles.join(',')]),
        [
          ['nrx1-core', 'rules,worker,api'],
          ['nrx2-sensor', 'sensor'],
          ['nrx3-rules', 'rules,worker'],
        ],
      );
      assert.equal(view.nodes.filter((n) => n.leader).length, 1, 'one timer leader');
      assert.equal(view.nodes.find((n) => n.name === 'nrx2-sensor')!.leader, false);

      // one syslog datagram to the sensor node: heard and published there, consumed by one of the rules nodes
      const s = createSocket('udp4');
      const line = Buffer.from('<30>1 2030-01-01T00:00:01.000000+00:00 r2 bgpd 13564 - -  [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.9.9.9(r1) in vrf default Up');
      await new Promise<void>((resolve, reject) => s.send(line, nodes.nrx2!.ports['syslog/udp']!, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      s.close();
      const byName = (v: View, n: string) => v.nodes.find((x) => x.name === n)!.metrics!;
      await until('the sensor counted it and a rules node consumed it', () => {
        view = status();
        const consumed = byName(view, 'nrx1-core').bus!.consumed + byName(view, 'nrx3-rules').bus!.consumed;
        return byName(view, 'nrx2-sensor').sensors.syslog === 1 && byName(view, 'nrx2-sensor').bus!.published === 1 && consumed === 1;
      });
      for (const n of view.nodes) {
        assert.ok(n.metrics!.cpuSeconds > 0 && n.metrics!.rssBytes > 10_000_000 && n.metrics!.uptimeSeconds >= 0, JSON.stringify(n.metrics));
      }

      const table = cli('cluster', 'status');
      assert.equal(table.status, 0, table.stderr);
      assert.match(
        table.stdout,
        /^NODE\s+HEARD\s+PUBLISHED\s+DUP\s+RETRIED\s+BUFFERED\s+LOST\s+CONSUMED\s+REDELIVERED\s+RUNNING\s+CPU S\s+RSS MB\s+UPTIME S$/m,
      );
      assert.match(table.stdout, /^nrx2-sensor\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s/m);
      assert.match(table.stdout, /^nrx1-core\s+rules,worker,api\s/m);
    });

    test('the API node exports every node on /metrics with a node label', async () => {
      const res = await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /^netreflex_node_bus_events\{node="nrx2-sensor",counter="published"\} 1$/m);
      assert.match(text, /^netreflex_node_sensor_received\{node="nrx2-sensor",sensor="syslog"\} 1$/m);
      const consumed = [...text.matchAll(/^netreflex_node_bus_events\{node="(nrx1-core|nrx3-rules)",counter="consumed"\} (\d+)$/gm)].map((m) => Number(m[2]));
      assert.deepEqual(consumed.length, 2);
      assert.equal(consumed[0]! + consumed[1]!, 1);
      const leaders = [...text.matchAll(/^netreflex_node_timer_leader\{node="([^"]+)"\} 1$/gm)].map((m) => m[1]);
      assert.equal(leaders.length, 1);
      assert.notEqual(leaders[0], 'nrx2-sensor');
      for (const n of ['nrx1-core', 'nrx2-sensor', 'nrx3-rules']) {
        assert.match(text, new RegExp(`^netreflex_node_cpu_seconds\\{node="${n}"\\} [0-9.]+$`, 'm'));
        assert.match(text, new RegExp(`^netreflex_node_resident_memory_bytes\\{node="${n}"\\} \\d+$`, 'm'));
        assert.match(text, new RegExp(`^netreflex_node_heartbeat_age_seconds\\{node="${n}"\\} [0-9.e-]+$`, 'm'));
      }
    });
  },
);
