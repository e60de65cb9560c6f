import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-sens-'));
    const pack = path.join(root, 'packs', 'labtest');
    mkdirSync(path.join(pack, 'rules'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: labtest\nname: labtest\nversion: 0.1.0\n');
    writeFileSync(path.join(pack, 'rules', 'leaf_peer_down.yaml'), RULE);
    appliance = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
    await appliance.start();
    sensors = await startSensors({ host: '127.0.0.1', syslogUdpPort: 0, syslogTcpPort: null, syslogTls: null }, { publish: (e) => appliance.emit(e), inventory: appliance.inventory, log: silentLogger });
    const syslogPort = Number(sensors.addresses['syslog/udp']!.split(':')[1]);
    lab = await labUp({ syslogPort });
    const inv = await appliance.inventory.loadYaml(lab.inventoryDir);
    assert.deepEqual(inv.errors, []);
    await lab.waitEstablished('leaf1', undefined, 60_000);
  });
  after(async () => {
    await lab?.down();
    await sensors?.stop();
    await appliance?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function eventWhere(pred: (e: TriggerInstanceRecord) => boolean, timeoutMs = 20_000): Promise<TriggerInstanceRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await appliance.store.listTriggerInstances({ type: 'network.bgp_peer_state_changed' })).find(pred);
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no matching event within ${timeoutMs} ms; counters ${JSON.stringify(sensors.counters())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test("a peer shut down on leaf1 arrives as network.bgp_peer_state_changed and fires the rule", async () => {
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
});
