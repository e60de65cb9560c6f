import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { startSensors, type RunningSensors } from '../../src/sensors/sensor-host.js';
import type { TriggerInstanceRecord } from '../../src/store/records.js';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { startSnmpd, type SnmpLab } from './snmp.js';

const skip = labGuard();

const RULE = `name: leaf_peer_down
pack: labtest
enabled: true
trigger: { type: network.bgp_peer_state_changed }
criteria:
  trigger.device: { type: equals, pattern: leaf1 }
  trigger.state: { type: ninside, pattern: [established] }
action:
  ref: core.noop
`;

describe('sensors against the lab: real FRR syslog reaches a running appliance', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let root: string;
  let appliance: Appliance;
  let sensors: RunningSensors;
  let snmpd: SnmpLab;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-sens-'));
    const pack = path.join(root, 'packs', 'labtest');
    mkdirSync(path.join(pack, 'rules'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: labtest\nname: labtest\nversion: 0.1.0\n');
    writeFileSync(path.join(pack, 'rules', 'leaf_peer_down.yaml'), RULE);
    appliance = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
    await appliance.start();
    // traps come from snmpd inside leaf1's namespace over a veth, so the trap socket listens on every address
    sensors = await startSensors(
      { host: '0.0.0.0', syslogUdpPort: 0, syslogTcpPort: null, syslogTls: null, trapPort: 0, sflowPort: 0 },
      { publish: (e) => appliance.emit(e), inventory: appliance.inventory, log: silentLogger },
    );
    const portOf = (what: string): number => Number(sensors.addresses[what]!.split(':').pop());
    lab = await labUp({ syslogPort: portOf('syslog/udp'), sflowPort: portOf('sflow/udp') });
    snmpd = await startSnmpd({ dir: path.join(root, 'snmpd'), netns: 'nrxlab-leaf1', trapPort: portOf('snmptrap/udp') });
    const inv = await appliance.inventory.loadYaml(lab.inventoryDir);
    assert.deepEqual(inv.errors, []);
    await lab.waitEstablished('leaf1', undefined, 60_000);
  });
  after(async () => {
    await snmpd?.stop();
    await lab?.down();
    await sensors?.stop();
    await appliance?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function eventWhere(
    pred: (e: TriggerInstanceRecord) => boolean,
    timeoutMs = 20_000,
    type = 'network.bgp_peer_state_changed',
  ): Promise<TriggerInstanceRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await appliance.store.listTriggerInstances({ type })).find(pred);
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no matching event within ${timeoutMs} ms; counters ${JSON.stringify(sensors.counters())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('a peer shut down on leaf1 arrives as network.bgp_peer_state_changed and fires the rule', async () => {
    const since = new Date().toISOString();
    await lab.fault.shutdownPeer('leaf1', 'spine1');
    const down = await eventWhere((e) => e.time >= since && e.device === 'leaf1' && e.payload.state === 'idle');
    assert.equal(down.payload.peer, '10.0.1.1');
    assert.equal(down.payload.platform, 'frr');
    assert.match(String(down.payload.reason), /Admin/);
    assert.match(String(down.payload.raw), /%ADJCHANGE: neighbor 10\.0\.1\.1/);
    let enf: Awaited<ReturnType<typeof appliance.store.listEnforcements>> = [];
    for (let i = 0; i < 100 && enf.length === 0; i++) {
      enf = await appliance.store.listEnforcements({ triggerInstanceId: down.id, ruleRef: 'labtest.leaf_peer_down' });
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(enf[0]?.outcome, 'executed');
    // the shipped remediation rule saw it too, and holds it down for 15 s (flap damping)
    const shipped = await appliance.store.listEnforcements({ triggerInstanceId: down.id, ruleRef: 'remediation.bgp_peer_down' });
    assert.equal(shipped[0]?.outcome, 'held');
    await lab.fault.noShutdownPeer('leaf1', 'spine1');
    const up = await eventWhere((e) => e.time >= since && e.device === 'leaf1' && e.payload.state === 'established');
    assert.equal(up.payload.peer, '10.0.1.1');
    assert.ok(sensors.counters().syslog!.normalised! >= 2);
  });

  test("snmpd's real linkDown/linkUp traps become network.interface_down/up with the ifIndex", async () => {
    const since = new Date().toISOString();
    await lab.fault.linkDown('leaf1', 'eth-spine1');
    let ifIndex: unknown;
    try {
      const down = await eventWhere((e) => e.time >= since && e.source === 'sensor:snmptrap', 20_000, 'network.interface_down');
      ifIndex = down.payload.ifIndex;
      assert.equal(typeof ifIndex, 'number');
      assert.equal(down.payload.trap_oid, '1.3.6.1.6.3.1.1.5.3', 'IF-MIB linkDown');
      assert.equal(down.payload.oper_status, 'down');
      assert.equal(down.payload.host, snmpd.host, 'the agent address');
    } finally {
      await lab.fault.linkUp('leaf1', 'eth-spine1');
    }
    const up = await eventWhere((e) => e.time >= since && e.source === 'sensor:snmptrap' && e.payload.ifIndex === ifIndex, 20_000, 'network.interface_up');
    assert.equal(up.payload.oper_status, 'up');
    assert.ok(sensors.counters().snmptrap!.normalised! >= 2);
  });

  test("OVS's real sFlow datagrams are decoded, and a LAG member going down shows in the counter samples", async () => {
    const deadline = Date.now() + 15_000;
    while (sensors.counters().sflow!.decoded! < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const c = sensors.counters().sflow!;
    assert.ok(c.decoded! >= 3, `sFlow counters ${JSON.stringify(c)}`);
    assert.equal(c.malformed, 0);
    const since = new Date().toISOString();
    await lab.fault.lagMemberDown('lagx1');
    try {
      const ev = await eventWhere((e) => e.time >= since && e.source === 'sensor:sflow', 20_000, 'network.interface_down');
      assert.match(String(ev.payload.interface ?? ev.payload.ifName ?? ''), /lagx1/);
    } finally {
      await lab.fault.lagMemberUp('lagx1');
    }
  });

  test('the shipped remediation: a BGP peer that stays down past the hold-down is diagnosed, soft-cleared and watched until it is back', async () => {
    // the appliance reaches the lab routers with their credentials and host keys
    const creds = JSON.parse(readFileSync(lab.credentialsPath, 'utf8')) as Record<string, { username: string; password: string }>;
    for (const [name, c] of Object.entries(creds)) await appliance.credentials.set(name, { username: c.username, password: c.password });
    copyFileSync(lab.knownHostsPath, path.join(root, 'data', 'known_hosts'));
    const since = new Date().toISOString();
    await lab.fault.killBgpd('spine1');
    let wf: Awaited<ReturnType<typeof appliance.store.listExecutions>>[number] | undefined;
    const deadline = Date.now() + 60_000;
    try {
      // hold_down is 15 s: the rule fires only after the peer stayed down that long
      while (!wf && Date.now() < deadline) {
        wf = (await appliance.store.listExecutions({ action: 'remediation.bgp_peer_down' })).find(
          (e) => e.createdAt >= since && e.parameters.device === 'leaf1',
        );
        if (!wf) await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(wf, 'the shipped rule started remediation.bgp_peer_down for leaf1');
      assert.equal(wf.parameters.peer, '10.0.1.1');
      // the rule's decision is recorded right after the execution it started (a moment later under load)
      let enf = await appliance.store.listEnforcements({ executionId: wf.id });
      for (let i = 0; i < 50 && enf.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        enf = await appliance.store.listEnforcements({ executionId: wf.id });
      }
      assert.equal(enf[0]?.ruleRef, 'remediation.bgp_peer_down');
      for (let i = 0; i < 200 && !(await appliance.store.listTasks(wf.id)).some((t) => t.taskName === 'wait_established'); i++)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await lab.fault.startBgpd('spine1');
    }
    const done = await appliance.engine.wait(wf.id);
    const tasks = (await appliance.store.listTasks(wf.id)).sort((a, b) => a.seq - b.seq).map((t) => `${t.taskName}:${t.status}`);
    assert.equal(done.status, 'succeeded', JSON.stringify({ tasks, error: done.error }));
    // the diagnostics bundle and the chat announcements are scenario 1's (test/lab/scenario-bgp.test.ts)
    assert.deepEqual(tasks.filter((t) => /^(note|diagnose|wait_established|recovered|collect):/.test(t)).sort(), [
      'collect:succeeded',
      'diagnose:succeeded',
      'note:succeeded',
      'recovered:succeeded',
      'wait_established:succeeded',
    ]);
    assert.ok(
      tasks.some((t) => t.startsWith('repair:')),
      `the session was soft-cleared: ${tasks.join(' ')}`,
    );
    assert.notEqual((done.result as { output: { seen_state: string } }).output.seen_state, 'established', 'diagnose saw the peer down');
  });
});
