import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labGuard } from './guard.js';
import { startNetconf, type NetconfLab } from './netconf.js';
import { startSnmpd, type SnmpLab } from './snmp.js';
import { run } from './run.js';
import { connectNetconf, type NetconfConnectOptions } from '../../drivers/transports/netconf.js';
import { CAP_BASE_11, CAP_CANDIDATE } from '../../drivers/contract/netconf.js';
import { SnmpClient } from '../../drivers/transports/snmp.js';
import { NrxError } from '../../src/core/errors.js';
import { staticEndpointResolver as staticDeviceResolver } from '../../drivers/access/targets.js';
import { NetconfRunner } from '../../src/executions/runners/netconf.js';
import { SnmpRunner } from '../../src/executions/runners/snmp.js';
import { testAction, testContext } from '../executions/runners/helpers.js';

const skip = labGuard();

async function rejection(p: Promise<unknown>): Promise<NrxError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof NrxError, `expected NrxError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('NETCONF against yuma123 netconfd', { skip }, () => {
  let dir: string;
  let nc: NetconfLab;
  let ncRunning: NetconfLab;
  const opts = (lab: NetconfLab, extra: Partial<NetconfConnectOptions> = {}): NetconfConnectOptions => ({
    host: lab.host,
    port: lab.port,
    username: lab.username,
    password: lab.password,
    hostKey: { knownKey: lab.hostPublicKey },
    device: 'nc-lab',
    ...extra,
  });
  const NS = 'urn:netreflex:lab';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrx-netconf-'));
    nc = await startNetconf(dir);
    ncRunning = await startNetconf(dir, { target: 'running' });
  });
  after(async () => {
    await nc?.stop();
    await ncRunning?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('hello: capabilities, session-id, base:1.1 chunked framing; base:1.0 when pinned', async () => {
    const s = await connectNetconf(opts(nc));
    assert.ok(s.capabilities.includes(CAP_BASE_11));
    assert.ok(s.hasCapability(CAP_CANDIDATE));
    assert.ok(s.hasCapability('urn:ietf:params:netconf:capability:confirmed-commit:1.1'));
    assert.ok(s.capabilities.some((c) => c.startsWith(`${NS}?module=nrx-lab`)));
    assert.equal(s.framing, 'chunked');
    assert.ok(s.sessionId !== null && s.sessionId > 0);
    await s.close();
    const old = await connectNetconf(opts(nc, { offerBase11: false }));
    assert.equal(old.framing, 'eom');
    await old.getConfig('running');
    await old.close();
  });

  test('host keys and credentials: mismatch, unknown, trust-on-first-use, wrong password', async () => {
    const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0hL2zZ7uL3g2cV9Wq6jzVfP7Yb1v7xvJ4m2QhYgq3k';
    const mismatch = await rejection(connectNetconf(opts(nc, { hostKey: { knownKey: otherKey } })));
    assert.equal(mismatch.code, 'NRX_ERR_HOSTKEY_MISMATCH');
    assert.match(mismatch.message, /host key mismatch: expected SHA256:\S+, the device presented SHA256:\S+ \(ssh-ed25519\)/);
    assert.equal((await rejection(connectNetconf(opts(nc, { hostKey: {} })))).code, 'NRX_ERR_HOSTKEY_UNKNOWN');
    let learned = '';
    const s = await connectNetconf(opts(nc, { hostKey: { trustOnFirstUse: true, onLearned: (k) => (learned = k) } }));
    assert.equal(learned, nc.hostPublicKey);
    await s.close();
    const auth = await rejection(connectNetconf(opts(nc, { password: 'wrong-password' })));
    assert.equal(auth.code, 'NRX_ERR_AUTH');
    assert.match(auth.message, new RegExp(`refused the credentials of user '${nc.username}'`));
  });

  test('lock, edit-config candidate (interfaces + VNI), commit, unlock, read back from running; delete a VNI', async () => {
    const s = await connectNetconf(opts(nc));
    await s.lock('candidate');
    await s.editConfig(
      `<device xmlns="${NS}"><hostname>leaf1</hostname>
      <interface><name>eth1</name><description>to spine1</description><mtu>9000</mtu></interface>
      <vxlan><source-interface>lo</source-interface><vni><id>10100</id><name>tenant-a</name><vlan>100</vlan><flood-vtep>10.255.0.12</flood-vtep></vni>
      <vni><id>10200</id><vlan>200</vlan></vni></vxlan></device>`,
      { target: 'candidate' },
    );
    const before = await s.getConfig('running', { subtree: `<device xmlns="${NS}"/>` });
    assert.doesNotMatch(before.xml, /10100/, 'running must not change before commit');
    await s.commit();
    await s.unlock('candidate');
    const got = await s.getConfig('running', { subtree: `<device xmlns="${NS}"/>` });
    const device = got.data.device as Record<string, unknown>;
    assert.equal(device.hostname, 'leaf1');
    assert.deepEqual(device.interface, { name: 'eth1', description: 'to spine1', mtu: '9000' });
    const vnis = (device.vxlan as Record<string, unknown>).vni as Array<Record<string, unknown>>;
    assert.deepEqual(
      vnis.map((v) => v.id),
      ['10100', '10200'],
    );

    await s.editConfig(`<device xmlns="${NS}"><vxlan><vni nc:operation="delete"><id>10200</id></vni></vxlan></device>`, { target: 'candidate' });
    await s.commit();
    const after = await s.getConfig('running', { subtree: `<device xmlns="${NS}"><vxlan/></device>` });
    assert.match(after.xml, /10100/);
    assert.doesNotMatch(after.xml, /10200/);
    await s.close();
  });

  test('validate and discard-changes leave running untouched', async () => {
    const s = await connectNetconf(opts(nc));
    await s.editConfig(`<device xmlns="${NS}"><hostname>scratch</hostname></device>`, { target: 'candidate' });
    await s.validate('candidate');
    await s.discardChanges();
    const cand = await s.getConfig('candidate', { subtree: `<device xmlns="${NS}"><hostname/></device>` });
    assert.doesNotMatch(cand.xml, /scratch/);
    await s.close();
  });

  test('a second session cannot take a held lock: rpc-error lock-denied', async () => {
    const a = await connectNetconf(opts(nc));
    const b = await connectNetconf(opts(nc));
    await a.lock('candidate');
    const e = await rejection(b.lock('candidate'));
    assert.equal(e.code, 'NRX_ERR_NETCONF_RPC');
    assert.equal(e.details.errorTag, 'lock-denied');
    await a.unlock('candidate');
    await b.lock('candidate');
    await b.unlock('candidate');
    await a.close();
    await b.close();
  });

  test('an invalid value is an rpc-error with tag, type and the path of the bad leaf', async () => {
    const s = await connectNetconf(opts(nc));
    const e = await rejection(
      s.editConfig(`<device xmlns="${NS}"><interface><name>eth1</name><enabled>maybe</enabled></interface></device>`, { target: 'candidate' }),
    );
    assert.equal(e.code, 'NRX_ERR_NETCONF_RPC');
    assert.equal(e.details.errorTag, 'invalid-value');
    assert.equal(e.details.errorType, 'protocol');
    assert.match(String(e.details.errorPath), /nrx:interface\[nrx:name='eth1'\]\/nrx:enabled$/);
    assert.match(e.message, /nc-lab: NETCONF edit-config candidate failed: invalid-value \(protocol\) at .*enabled: invalid value/);
    const running = await rejection(s.editConfig(`<device xmlns="${NS}"/>`, { target: 'running' }));
    assert.match(running.message, /cannot write to this configuration directly/);
    await s.discardChanges();
    await s.close();
  });

  test('confirmed commit applies at once and cancel-commit rolls it back', async () => {
    const s = await connectNetconf(opts(nc));
    await s.editConfig(`<device xmlns="${NS}"><vxlan><vni><id>10300</id><vlan>300</vlan></vni></vxlan></device>`, { target: 'candidate' });
    await s.commit({ confirmed: true, confirmTimeoutS: 60 });
    assert.match((await s.getConfig('running')).xml, /10300/);
    await s.cancelCommit();
    assert.doesNotMatch((await s.getConfig('running')).xml, /10300/);
    await s.close();
  });

  test('--target=running: edit-config writes running directly', async () => {
    const s = await connectNetconf(opts(ncRunning));
    assert.equal(s.hasCapability(CAP_CANDIDATE), false);
    await s.editConfig(`<device xmlns="${NS}"><hostname>direct</hostname></device>`, { target: 'running', defaultOperation: 'merge' });
    const got = await s.getConfig('running', { subtree: `<device xmlns="${NS}"/>` });
    assert.equal((got.data.device as Record<string, unknown>).hostname, 'direct');
    await s.close();
  });

  test('netconf runner: edit-config with commit on candidate, then get-config; an rpc-error is a failed result with its tag', async () => {
    const runner = new NetconfRunner(
      staticDeviceResolver([
        { name: 'nc1', host: nc.host, username: nc.username, password: nc.password, hostKey: nc.hostPublicKey, netconf: { port: nc.port } },
      ]),
    );
    const action = testAction('netconf');
    const edit = await runner.run(
      action,
      {
        device: 'nc1',
        operation: 'edit-config',
        config: `<device xmlns="${NS}"><vxlan><vni><id>20500</id><name>runner</name><vlan>500</vlan></vni></vxlan></device>`,
      },
      testContext(action),
    );
    assert.equal(edit.status, 'succeeded', JSON.stringify(edit));
    assert.deepEqual(edit.result, { device: 'nc1', operation: 'edit-config', target: 'candidate', committed: true, confirmed: false });
    const read = await runner.run(action, { device: 'nc1', operation: 'get-config', filter: `<device xmlns="${NS}"><vxlan/></device>` }, testContext(action));
    assert.equal(read.status, 'succeeded');
    assert.match(String((read.result as Record<string, unknown>).data_xml), /<name>runner<\/name>/);
    const bad = await runner.run(
      action,
      { device: 'nc1', operation: 'edit-config', config: `<device xmlns="${NS}"><vxlan><vni><id>0</id></vni></vxlan></device>` },
      testContext(action),
    );
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error?.code, 'NRX_ERR_NETCONF_RPC');
    const errors = (bad.result as { errors: Array<{ tag: string; path?: string }> }).errors;
    assert.ok(errors.length >= 1 && errors[0]!.tag !== '', JSON.stringify(errors));
    // the failed cycle discarded its change and released the lock
    const s = await connectNetconf(opts(nc));
    await s.lock('candidate');
    await s.unlock('candidate');
    await s.close();
  });
});

describe('SNMP against net-snmp snmpd', { skip }, () => {
  let dir: string;
  let agent: SnmpLab;
  const v3 = (lab: SnmpLab, over: Record<string, string> = {}): SnmpClient =>
    new SnmpClient({
      host: lab.host,
      port: lab.port,
      device: 'snmp-lab',
      timeoutMs: 1000,
      retries: 0,
      credentials: {
        version: 'v3',
        user: lab.v3.user,
        level: 'authPriv',
        authProtocol: 'sha',
        authKey: lab.v3.authKey,
        privProtocol: 'aes',
        privKey: lab.v3.privKey,
        ...over,
      },
    });
  const v2c = (lab: SnmpLab, community = lab.community): SnmpClient =>
    new SnmpClient({ host: lab.host, port: lab.port, device: 'snmp-lab', timeoutMs: 400, retries: 0, credentials: { version: 'v2c', community } });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nrx-snmp-'));
    agent = await startSnmpd({ dir });
  });
  after(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('walk ifOperStatus over v3 authPriv and over v2c: the same rows, named and labelled', async () => {
    const a = v3(agent);
    const b = v2c(agent);
    const overV3 = await a.walk('ifOperStatus');
    const overV2c = await b.walk('IF-MIB::ifOperStatus');
    assert.ok(overV3.length >= 1);
    assert.deepEqual(overV3, overV2c);
    for (const row of overV3) {
      assert.match(row.name, /^ifOperStatus\.\d+$/);
      assert.equal(row.type, 'Integer');
      assert.ok(['up', 'down', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown', 'testing'].includes(row.label ?? ''));
    }
    const descr = await a.walk('ifDescr');
    assert.ok(
      descr.some((d) => d.value === 'lo'),
      'the loopback interface is listed',
    );
    const lo = descr.find((d) => d.value === 'lo')!;
    assert.equal(overV3.find((r) => r.name === `ifOperStatus.${lo.name.split('.')[1]}`)?.label, 'up');
    a.close();
    b.close();
  });

  test('get sysName, sysUpTime; getnext; a missing instance is data, not an error', async () => {
    const c = v2c(agent);
    const [name, up, missing] = await c.get(['sysName.0', 'sysUpTime.0', '1.3.6.1.2.1.1.99.0']);
    assert.deepEqual(name, { oid: '1.3.6.1.2.1.1.5.0', name: 'sysName.0', type: 'OctetString', value: agent.sysName });
    assert.equal(up!.type, 'TimeTicks');
    assert.equal(typeof up!.value, 'number');
    assert.equal(missing!.type, 'noSuchObject');
    assert.equal(missing!.value, null);
    const [next] = await c.getNext(['sysDescr']);
    assert.equal(next!.name, 'sysDescr.0');
    c.close();
  });

  test('bulkwalk returns what walk returns; Counter64 arrives as a decimal string', async () => {
    const c = v3(agent);
    const bulk = await c.bulkWalk('ifTable', 10);
    const plain = await c.walk('ifTable');
    assert.deepEqual(
      bulk.map((r) => r.oid),
      plain.map((r) => r.oid),
    );
    const hc = await c.bulkWalk('ifHCInOctets');
    assert.ok(hc.length >= 1);
    for (const r of hc) {
      assert.equal(r.type, 'Counter64');
      assert.match(String(r.value), /^\d+$/);
    }
    c.close();
  });

  test('set sysContact over v3 and v2c write community; a read-only object is NRX_ERR_SNMP_ERROR', async () => {
    const c = v3(agent);
    await c.set([{ oid: 'sysContact.0', type: 'OctetString', value: 'noc@example.net' }]);
    assert.equal((await c.get(['sysContact.0']))[0]!.value, 'noc@example.net');
    const w = v2c(agent, agent.writeCommunity);
    await w.set([{ oid: 'sysContact.0', type: 'OctetString', value: 'ops@example.net' }]);
    assert.equal((await c.get(['sysContact.0']))[0]!.value, 'ops@example.net');
    const e = await rejection(w.set([{ oid: 'sysName.0', type: 'OctetString', value: 'x' }]));
    assert.equal(e.code, 'NRX_ERR_SNMP_ERROR');
    assert.match(e.message, /snmp-lab: SNMP set sysName\.0: the agent answered NotWritable/);
    c.close();
    w.close();
  });

  test('wrong community, wrong auth key, unknown user: clear errors', async () => {
    const badCommunity = await rejection(v2c(agent, 'not-public').get(['sysName.0']));
    assert.equal(badCommunity.code, 'NRX_ERR_SNMP_TIMEOUT');
    assert.match(badCommunity.message, /community 'not-public' not accepted/);
    const badKey = await rejection(v3(agent, { authKey: 'wrong-auth-key' }).get(['sysName.0']));
    assert.equal(badKey.code, 'NRX_ERR_SNMP_AUTH');
    assert.match(badKey.message, /refused v3 user 'nrxv3': Wrong Digest/);
    const badUser = await rejection(v3(agent, { user: 'intruder' }).walk('ifOperStatus'));
    assert.equal(badUser.code, 'NRX_ERR_SNMP_AUTH');
    assert.match(badUser.message, /Unknown User Name/);
    await assert.rejects(async () => v2c(agent).get(['ifBogus']), /unknown SNMP object 'ifBogus'/);
  });

  test('snmp runner: v3 walk of ifOperStatus by name; unknown device and timeouts are failed results', async () => {
    const runner = new SnmpRunner(
      staticDeviceResolver([
        {
          name: 'agent',
          host: agent.host,
          snmp: {
            port: agent.port,
            credentials: { version: 'v3', user: agent.v3.user, authProtocol: 'sha', authKey: agent.v3.authKey, privProtocol: 'aes', privKey: agent.v3.privKey },
          },
        },
        { name: 'silent', host: agent.host, snmp: { port: agent.port, credentials: { version: 'v2c', community: 'wrong' } } },
      ]),
    );
    const action = testAction('snmp');
    const walk = await runner.run(action, { device: 'agent', operation: 'bulkwalk', oids: ['ifOperStatus'] }, testContext(action));
    assert.equal(walk.status, 'succeeded', JSON.stringify(walk));
    const values = (walk.result as { values: Array<{ name: string }> }).values;
    assert.ok(values.length >= 1 && values.every((v) => v.name.startsWith('ifOperStatus.')));
    const missing = await runner.run(action, { device: 'nope', oids: ['sysName.0'] }, testContext(action));
    assert.equal(missing.error?.code, 'NRX_ERR_DEVICE_NOT_FOUND');
    const silent = await runner.run(action, { device: 'silent', oids: ['sysName.0'], timeout: 1, retries: 0 }, testContext(action));
    assert.equal(silent.status, 'timeout');
    assert.equal(silent.error?.code, 'NRX_ERR_SNMP_TIMEOUT');
  });

  test('snmpd inside a namespace sees its interfaces and sends a linkDown trap when one goes down', async () => {
    const ns = `nrxsnmpt${process.pid}`;
    await run('ip', ['netns', 'add', ns]);
    let lab: SnmpLab | undefined;
    const traps = createSocket('udp4');
    try {
      await run('ip', ['-n', ns, 'link', 'add', 'port1', 'type', 'veth', 'peer', 'name', 'port2']);
      await run('ip', ['-n', ns, 'link', 'set', 'port1', 'up']);
      await run('ip', ['-n', ns, 'link', 'set', 'port2', 'up']);
      await new Promise<void>((r) => traps.bind(0, '0.0.0.0', () => r()));
      const received: Buffer[] = [];
      traps.on('message', (m) => received.push(m));
      lab = await startSnmpd({ dir, netns: ns, trapPort: traps.address().port });
      const c = v2c(lab);
      const names = (await c.walk('ifDescr')).map((r) => r.value);
      assert.ok(names.includes('port1') && names.includes('port2'), `namespace interfaces listed: ${names.join(',')}`);
      c.close();
      await run('ip', ['-n', ns, 'link', 'set', 'port2', 'down']);
      // linkDown = 1.3.6.1.6.3.1.1.5.3, BER-encoded OID body
      const linkDown = Buffer.from([0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x05, 0x03]);
      const deadline = Date.now() + 8000;
      while (!received.some((m) => m.includes(linkDown)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        received.some((m) => m.includes(linkDown)),
        `a linkDown trap arrived (${received.length} datagrams)`,
      );
    } finally {
      traps.close();
      await lab?.stop();
      await run('ip', ['netns', 'del', ns], { allowFail: true });
    }
  });
});
