import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { startPollers, type RunningPollers } from '../../src/sensors/poller/start.js';
import type { TriggerInstanceRecord } from '../../src/store/records.js';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { run } from './run.js';
import { startSnmpd, type SnmpLab } from './snmp.js';

const skip = labGuard();

// A device that cannot push: poll its BGP neighbors over SSH every second instead.
const POLLER = `name: leaf1_bgp
description: BGP neighbor state on leaf1, polled
every: 1s
on: "name=leaf1"
getter: bgp_neighbors
key: peer
watch: [state]
emit: network.bgp_peer_state_changed
`;

describe('poller against the lab: bgp_neighbors over SSH every second', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let root: string;
  let appliance: Appliance;
  let pollers: RunningPollers;
  const warnings: string[] = [];

  before(async () => {
    lab = await labUp();
    root = mkdtempSync(path.join(tmpdir(), 'nrx-poll-lab-'));
    const pack = path.join(root, 'packs', 'polltest');
    mkdirSync(path.join(pack, 'pollers'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: polltest\nname: polltest\nversion: 0.1.0\n');
    writeFileSync(path.join(pack, 'pollers', 'leaf1_bgp.yaml'), POLLER);
    appliance = new Appliance({
      config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}),
      log: silentLogger,
      knownHostsFile: lab.knownHostsPath,
    });
    assert.deepEqual((await appliance.inventory.loadYaml(lab.inventoryDir)).errors, []);
    const creds = JSON.parse(readFileSync(lab.credentialsPath, 'utf8')) as Record<string, { username: string; password: string }>;
    for (const [name, c] of Object.entries(creds)) await appliance.credentials.set(name, { username: c.username, password: c.password });
    await appliance.start();
    await lab.waitEstablished('leaf1', undefined, 60_000);
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    pollers = startPollers(appliance, log);
  });
  after(async () => {
    await pollers?.stop();
    await appliance?.stop();
    await lab?.down();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const counters = () => pollers.counters()['poller:polltest.leaf1_bgp']!;
  const polled = (): Promise<TriggerInstanceRecord[]> =>
    appliance.store.listTriggerInstances({ type: 'network.bgp_peer_state_changed' }).then((all) => all.filter((e) => e.source === 'poller:polltest.leaf1_bgp'));

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        assert.fail(`${what} not seen within ${timeoutMs} ms; counters ${JSON.stringify(counters())}; warnings ${warnings.slice(-3).join(' ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('a peer shut on leaf1 is seen by the poller as exactly one state change, and its return as established', async () => {
    await waitFor('two polls of leaf1 (the baseline)', async () => (counters().polled >= 2 ? true : undefined));
    assert.equal(counters().failed, 0, warnings.join('\n'));
    assert.deepEqual(await polled(), [], 'the baseline is not an event');

    await lab.fault.shutdownPeer('leaf1', 'spine1');
    const down = await waitFor('the idle event', async () => (await polled()).find((e) => e.payload.state === 'idle'));
    assert.equal(down.device, 'leaf1');
    assert.equal(down.payload.peer, '10.0.1.1');
    assert.equal(down.payload.previous_state, 'established');
    assert.equal(down.payload.peer_as, 65000);
    assert.equal(down.payload.admin_down, true);
    // three more rounds with the peer still shut: still exactly one event
    const seen = counters().polled;
    await waitFor('three more polls', async () => (counters().polled >= seen + 3 ? true : undefined));
    assert.equal((await polled()).length, 1);

    await lab.fault.noShutdownPeer('leaf1', 'spine1');
    const up = await waitFor('the established event', async () => (await polled()).find((e) => e.payload.state === 'established'));
    assert.equal(up.payload.peer, '10.0.1.1');
    assert.notEqual(up.payload.previous_state, 'established');
    await lab.waitEstablished('leaf1', '10.0.1.1', 30_000);
    assert.equal(counters().failed, 0, warnings.join('\n'));
  });
});

// SNMP needs no FRR: a real snmpd in its own namespace, whose veth pair is the interface polled.
const SNMP_POLLER = `name: agent_links
every: 1s
on: "name=agent1"
snmp: {walk: ifOperStatus}
emit: network.interface_down
`;

describe('poller against a real snmpd: ifOperStatus walked every second', { skip, timeout: 120_000 }, () => {
  const ns = `nrxpoll${process.pid}`;
  let root: string;
  let agent: SnmpLab | undefined;
  let appliance: Appliance;
  let pollers: RunningPollers;
  const warnings: string[] = [];

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'nrx-poll-snmp-'));
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'add', 'port1', 'type', 'veth', 'peer', 'name', 'port2']);
    await run('ip', ['-n', ns, 'link', 'set', 'port1', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'port2', 'up']);
    agent = await startSnmpd({ dir: root, netns: ns });
    const pack = path.join(root, 'packs', 'polltest');
    mkdirSync(path.join(pack, 'pollers'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: polltest\nname: polltest\nversion: 0.1.0\n');
    writeFileSync(path.join(pack, 'pollers', 'agent_links.yaml'), SNMP_POLLER);
    const inv = path.join(root, 'inventory');
    mkdirSync(inv);
    writeFileSync(
      path.join(inv, 'hosts.yaml'),
      `agent1:\n  hostname: ${agent.host}\n  connection_options:\n    snmp: {port: ${agent.port}, credential: snmp-ro}\n`,
    );
    appliance = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
    assert.deepEqual((await appliance.inventory.loadYaml(inv)).errors, []);
    await appliance.credentials.set('snmp-ro', { username: 'snmp', password: agent.community });
    await appliance.start();
    pollers = startPollers(appliance, pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }));
  });
  after(async () => {
    await pollers?.stop();
    await appliance?.stop();
    await agent?.stop();
    await run('ip', ['netns', 'del', ns], { allowFail: true });
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('a link set down in the namespace becomes one network.interface_down naming it, and its return interface_up', async () => {
    const counters = () => pollers.counters()['poller:polltest.agent_links']!;
    const events = async (type: string) =>
      (await appliance.store.listTriggerInstances({ type })).filter((e) => e.source === 'poller:polltest.agent_links' && e.payload.interface === 'port2');
    const until = async (what: string, cond: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!(await cond())) {
        if (Date.now() > deadline) assert.fail(`${what} not seen; counters ${JSON.stringify(counters())}; warnings ${warnings.slice(-3).join(' ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('two polls (the baseline)', async () => counters().polled >= 2);
    assert.equal(counters().failed, 0, warnings.join('\n'));
    await run('ip', ['-n', ns, 'link', 'set', 'port2', 'down']);
    await until('interface_down for port2', async () => (await events('network.interface_down')).length > 0);
    const seen = counters().polled;
    await until('two more polls', async () => counters().polled >= seen + 2);
    const down = await events('network.interface_down');
    assert.equal(down.length, 1);
    assert.equal(down[0]!.device, 'agent1');
    assert.equal(down[0]!.payload.previous_oper_status, 'up');
    assert.equal(typeof down[0]!.payload.ifIndex, 'number');
    await run('ip', ['-n', ns, 'link', 'set', 'port2', 'up']);
    await until('interface_up for port2', async () => (await events('network.interface_up')).length > 0);
    assert.equal(counters().failed, 0, warnings.join('\n'));
  });
});
