/**
 * The live lab, end to end: BGP, vtysh over SSH, fault injection, syslog, LACP, sFlow and a
 * clean teardown. Root only; skipped loudly elsewhere, never skipped under CI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'ssh2';
import yaml from 'js-yaml';
import { labGuard } from './guard.js';
import { labUp, type Lab } from './lab.js';
import { collectUdp, type UdpCollector } from './listeners.js';
import { commandLine, readPid } from './pids.js';
import { run, waitFor } from './run.js';
import { ALL_NAMESPACES, ROOT_LINKS } from './topology.js';

const skip = labGuard();

/** Opens a shell on the router, sends the lines, returns everything it printed until the channel closed. */
function sshShell(lab: Lab, router: string, lines: string[], auth: 'password' | 'key'): Promise<string> {
  const r = lab.routers.find((x) => x.name === router);
  assert.ok(r);
  const expectedKey = r.ssh.hostPublicKey.split(' ')[1];
  return new Promise((resolve, reject) => {
    const c = new Client();
    let out = '';
    c.on('ready', () => {
      c.shell(false, (err, ch) => {
        if (err) return reject(err);
        ch.on('data', (d: Buffer) => (out += d.toString('utf8')));
        ch.on('close', () => {
          c.end();
          resolve(out);
        });
        ch.end(lines.map((l) => `${l}\n`).join(''));
      });
    });
    c.on('error', reject);
    c.connect({
      host: r.ssh.host,
      port: r.ssh.port,
      username: r.ssh.username,
      ...(auth === 'password' ? { password: r.ssh.password } : { privateKey: readFileSync(r.ssh.privateKeyPath) }),
      hostVerifier: (key: Buffer) => key.toString('base64') === expectedKey,
      readyTimeout: 10_000,
    });
  });
}

const isSyslogFrom = (host: string, app: string, text: string) => (d: Buffer) => {
  const s = d.toString('utf8');
  return /^<\d+>1 \S+ /.test(s) && s.includes(` ${host} ${app} `) && s.includes(text);
};

describe('lab', { skip }, () => {
  let lab: Lab;
  let syslog: UdpCollector;
  let sflow: UdpCollector;

  before(async () => {
    syslog = await collectUdp();
    sflow = await collectUdp();
    lab = await labUp({ syslogPort: syslog.port, sflowPort: sflow.port });
  });

  after(async () => {
    await lab?.down();
    await syslog?.close();
    await sflow?.close();
  });

  test('all three eBGP sessions are Established', async () => {
    for (const r of lab.routers) await lab.waitEstablished(r.name, undefined, 20_000);
    const spine = JSON.parse(await lab.vtysh('spine1', 'show ip bgp summary json')) as {
      ipv4Unicast: { peers: Record<string, { state: string; remoteAs: number }> };
    };
    assert.deepEqual(
      Object.entries(spine.ipv4Unicast.peers)
        .map(([a, p]) => [a, p.remoteAs, p.state])
        .sort(),
      [
        ['10.0.1.2', 65001, 'Established'],
        ['10.0.2.2', 65002, 'Established'],
      ],
    );
    // each leaf learns the other's loopback through the spine
    await waitFor('10.255.0.12/32 on leaf1', async () => (await lab.vtysh('leaf1', 'show ip bgp')).includes('10.255.0.12/32'), 10_000);
  });

  test('ssh lands in vtysh with the prompt leaf1# (password and key, host key checked)', async () => {
    const out = await sshShell(lab, 'leaf1', ['terminal length 0', 'show ip bgp summary', 'exit'], 'password');
    assert.match(out, /leaf1# /);
    assert.match(out, /BGP router identifier 10\.255\.0\.11, local AS number 65001/);
    const cfg = await sshShell(lab, 'leaf1', ['configure terminal', 'router bgp 65001', 'end', 'exit'], 'key');
    assert.match(cfg, /leaf1\(config\)# /);
    assert.match(cfg, /leaf1\(config-router\)# /);
  });

  test('shutdownPeer makes the peer Idle (Admin) with %ADJCHANGE on syslog; noShutdownPeer restores it', async () => {
    let mark = syslog.mark();
    await lab.fault.shutdownPeer('leaf1', 'spine1');
    await waitFor('Idle (Admin) on leaf1', async () => /10\.0\.1\.1 .*Idle \(Admin\)/.test(await lab.vtysh('leaf1', 'show ip bgp summary')), 10_000);
    await syslog.waitFor(
      'leaf1 %ADJCHANGE Down Admin. shutdown',
      isSyslogFrom('leaf1', 'bgpd', '%ADJCHANGE: neighbor 10.0.1.1(spine1) in vrf default Down Admin. shutdown'),
      { after: mark },
    );
    mark = syslog.mark();
    await lab.fault.noShutdownPeer('leaf1', '10.0.1.1');
    await lab.waitEstablished('leaf1', 'spine1', 15_000);
    await syslog.waitFor('leaf1 %ADJCHANGE Up', isSyslogFrom('leaf1', 'bgpd', '%ADJCHANGE: neighbor 10.0.1.1(spine1) in vrf default Up'), { after: mark });
  });

  test('linkDown drops the session on both ends; linkUp brings it back', async () => {
    const mark = syslog.mark();
    await lab.fault.linkDown('leaf2', 'eth-spine1');
    await syslog.waitFor('spine1 Down Interface down', isSyslogFrom('spine1', 'bgpd', 'neighbor 10.0.2.2(leaf2) in vrf default Down Interface down'), {
      after: mark,
    });
    const states = JSON.parse(await lab.vtysh('spine1', 'show ip bgp neighbors 10.0.2.2 json')) as Record<string, { bgpState: string }>;
    assert.notEqual(states['10.0.2.2']?.bgpState, 'Established');
    await lab.fault.linkUp('leaf2', 'eth-spine1');
    await lab.waitEstablished('spine1', 'leaf2', 20_000);
  });

  test('killBgpd takes the peer down, startBgpd brings it back', async () => {
    const mark = syslog.mark();
    await lab.fault.killBgpd('leaf2');
    await syslog.waitFor('spine1 sees leaf2 go', isSyslogFrom('spine1', 'bgpd', 'neighbor 10.0.2.2(leaf2) in vrf default Down'), { after: mark });
    await lab.fault.startBgpd('leaf2');
    await lab.waitEstablished('leaf2', 'spine1', 20_000);
  });

  test('LACP negotiates; lagMemberDown is logged by OVS on syslog, lagMemberUp re-enables', async () => {
    assert.equal(await lab.ovs.lacpNegotiated(), true);
    let mark = syslog.mark();
    await lab.fault.lagMemberDown('lagx1');
    await syslog.waitFor(
      'member lagx1-a: link state down',
      (d) => d.toString('utf8').includes('ovs-vswitchd') && d.toString('utf8').includes('member lagx1-a: link state down'),
      { after: mark },
    );
    await syslog.waitFor('member lagx1-a: disabled', (d) => d.toString('utf8').includes('member lagx1-a: disabled'), { after: mark });
    const show = (await lab.ovs.appctl('bond/show', 'bondA')).stdout;
    assert.match(show, /member lagx1-a: disabled/);
    mark = syslog.mark();
    await lab.fault.lagMemberUp('lagx1');
    await syslog.waitFor('member lagx1-a: enabled', (d) => d.toString('utf8').includes('member lagx1-a: enabled'), { after: mark });
    await waitFor('LACP renegotiated', () => lab.ovs.lacpNegotiated(), 10_000);
  });

  test('OVS exports sFlow v5 to the sflow port', async () => {
    const d = await sflow.waitFor('sFlow v5 header', (b) => b.length > 28 && b.readUInt32BE(0) === 5, { timeoutMs: 15_000 });
    assert.equal(d.readUInt32BE(4), 1, 'agent address type IPv4');
    assert.deepEqual([...d.subarray(8, 12)], [127, 0, 0, 1], 'agent 127.0.0.1');
  });

  test('the inventory lists the three routers in Nornir shape', () => {
    const hosts = yaml.load(readFileSync(path.join(lab.inventoryDir, 'hosts.yaml'), 'utf8')) as Record<
      string,
      { hostname: string; port: number; platform: string; data: { role: string; site: string } }
    >;
    assert.deepEqual(Object.keys(hosts).sort(), ['leaf1', 'leaf2', 'spine1']);
    assert.equal(hosts.leaf1?.port, lab.routers.find((r) => r.name === 'leaf1')?.ssh.port);
    assert.deepEqual(
      [hosts.leaf1?.platform, hosts.leaf1?.hostname, hosts.leaf1?.data.role, hosts.spine1?.data.role, hosts.leaf2?.data.site],
      ['frr', '127.0.0.1', 'leaf', 'spine', 'lab'],
    );
    for (const f of ['groups.yaml', 'defaults.yaml']) assert.ok(existsSync(path.join(lab.inventoryDir, f)));
  });

  test('down leaves no namespace, veth, OVS bridge, user or process behind', async () => {
    const pidDir = path.join(lab.dir, 'pids');
    const pids = readdirSync(pidDir)
      .map((f) => readPid(path.join(pidDir, f)))
      .filter((p): p is number => p !== undefined);
    assert.ok(pids.length >= 13, `recorded pids: ${pids.length}`);
    const report = await lab.down();
    assert.deepEqual(report.foreign, []);
    for (const p of pids) assert.equal(commandLine(p), undefined, `pid ${p} still runs`);
    for (const ns of ALL_NAMESPACES) assert.equal(existsSync(`/run/netns/${ns}`), false, ns);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    for (const l of ROOT_LINKS) assert.doesNotMatch(links, new RegExp(`: ${l}[@:]`), l);
    for (const r of lab.routers) {
      assert.notEqual((await run('id', ['-u', r.ssh.username], { allowFail: true })).code, 0, r.ssh.username);
      assert.equal(existsSync(`/etc/frr/${r.netns}`), false);
    }
    // a second down is harmless
    await lab.down();
  });
});
