import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { startSensors, type RunningSensors } from '../../src/sensors/sensor-host.js';
import type { TriggerInstanceRecord } from '../../src/store/records.js';
import { labGuard } from './guard.js';
import { attachLab, readLabState, type Lab } from './lab.js';
import { readLock } from './state.js';

const skip = labGuard();

describe('npm run lab:up -- --appliance --with lagsw: the appliance hears the lab, reaches the routers and the switch', { skip, timeout: 600_000 }, () => {
  let root: string;
  let appliance: Appliance;
  let sensors: RunningSensors;
  let lab: Lab | undefined;
  let up: ReturnType<typeof spawnSync>;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-wired-'));
    const dataDir = path.join(root, 'data');
    // the appliance runs first, on its own data directory; the lab is wired into it while it runs
    appliance = new Appliance({ config: loadConfig({ dataDir }, {}), log: silentLogger });
    await appliance.start();
    sensors = await startSensors(
      { host: '0.0.0.0', syslogUdpPort: 0, syslogTcpPort: null, syslogTls: null, trapPort: 0, sflowPort: 0 },
      { publish: (e) => appliance.emit(e), inventory: appliance.inventory, log: silentLogger },
    );
    const portOf = (what: string): string => sensors.addresses[what]!.split(':').pop()!;
    up = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/lab/cli.ts',
        'up',
        '--appliance',
        '--data-dir',
        dataDir,
        '--syslog-port',
        portOf('syslog/udp'),
        '--trap-port',
        portOf('snmptrap/udp'),
        '--sflow-port',
        portOf('sflow/udp'),
        '--with',
        'lagsw',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, HOME: root, NETREFLEX_URL: '', NETREFLEX_LAB_HOLDER_PID: String(process.pid) },
        timeout: 400_000,
      },
    );
    const lock = readLock();
    const state = lock && lock.pid === process.pid ? readLabState(lock.dir) : undefined;
    if (state) lab = attachLab(state);
    assert.equal(up.status, 0, `${up.stdout}${up.stderr}`);
  });
  after(async () => {
    await lab?.down();
    await sensors?.stop();
    await appliance?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function eventWhere(type: string, pred: (e: TriggerInstanceRecord) => boolean, timeoutMs = 20_000): Promise<TriggerInstanceRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await appliance.store.listTriggerInstances({ type })).find(pred);
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no ${type} within ${timeoutMs} ms; sensor counters ${JSON.stringify(sensors.counters())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('it says where it wrote and which ports it pointed at', () => {
    assert.match(String(up.stdout), /appliance\s+data directory .*\/data\n/);
    assert.match(String(up.stdout), /inventory\s+leaf1, leaf2, spine1/);
    assert.match(String(up.stdout), /SNMP traps\s+v2c from leaf1's snmpd/);
  });

  test('the running appliance sees the routers and logs in to them with the imported credentials and host keys', async () => {
    assert.deepEqual((await appliance.inventory.listHosts('role=leaf')).map((h) => h.name).sort(), ['leaf1', 'leaf2']);
    const r = await appliance.engine.run('network.get_bgp_neighbors', { on: 'site=lab and platform=frr' });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error ?? r.result));
    assert.equal((r.result as { ok: number }).ok, 3);
  });

  test('--with lagsw: the LAG switch is in the inventory with data.lags and data.aliases, and the appliance logs in to it with the imported credential and host key', async () => {
    assert.match(String(up.stdout), /appliance\s+labsw1 in its inventory/);
    const sw = await appliance.inventory.getHost('labsw1');
    assert.equal(sw?.platform, 'openvswitch');
    const lags = sw?.data.lags as Record<string, { members: string[]; min_links: number }>;
    assert.deepEqual(
      Object.values(lags).map((l) => [l.members.length, l.min_links]),
      [[2, 1]],
    );
    assert.ok(Array.isArray(sw?.data.aliases) && sw.data.aliases.length === 1);
    const r = await appliance.engine.run('network.get', { device: 'labsw1', getter: 'lag_members' });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error ?? r.result));
    const members = (r.result as { members: Array<{ lag: string; member: string }> }).members;
    assert.deepEqual(members.map((m) => m.member).sort(), Object.values(lags)[0]!.members.slice().sort());
  });

  test("syslog, traps and sFlow arrive at the appliance's ports", async () => {
    assert.ok(lab, 'the lab is up');
    const since = new Date().toISOString();
    await lab.fault.linkDown('leaf1', 'eth-spine1');
    try {
      const bgp = await eventWhere('network.bgp_peer_state_changed', (e) => e.time >= since && e.device === 'leaf1' && e.source === 'sensor:syslog');
      assert.equal(bgp.payload.peer, '10.0.1.1');
      const trap = await eventWhere('network.interface_down', (e) => e.time >= since && e.source === 'sensor:snmptrap');
      assert.equal(trap.payload.trap_oid, '1.3.6.1.6.3.1.1.5.3');
    } finally {
      await lab.fault.linkUp('leaf1', 'eth-spine1');
    }
    const deadline = Date.now() + 15_000;
    while ((sensors.counters().sflow?.decoded ?? 0) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok((sensors.counters().sflow?.decoded ?? 0) >= 1, `sFlow counters ${JSON.stringify(sensors.counters().sflow)}`);
  });
});
