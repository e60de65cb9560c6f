import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { decodeSyslog } from '../../../src/sensors/syslog/decode.js';
import { identifyDevice, staticResolver } from '../../../src/sensors/syslog/device.js';
import { normaliseSyslog } from '../../../src/sensors/syslog/normalise.js';
import { normaliserFor, sniffPlatform } from '../../../src/sensors/syslog/platforms/index.js';
import { findPlatform, platformNames } from '../../../drivers/platforms/registry.js';

interface Case {
  from: string;
  line: string;
  platform: string;
  type: string;
  fields: Record<string, unknown>;
}

// Real lines: napalm-logs' fixtures (per OS and message type), FRR/OVS/logger lines recorded in the lab,
// and vendor lines in the documented formats.
const cases = JSON.parse(readFileSync(new URL('./fixtures/normalise-cases.json', import.meta.url), 'utf8')) as Case[];
const registry = new TriggerRegistry();
registerBuiltins(registry);
const receivedAt = '2026-11-22T00:10:00Z';

function run(line: string | Buffer, platform: string | null = null, resolver = null as ReturnType<typeof staticResolver> | null) {
  const msg = decodeSyslog(line, { receivedAt, sourceAddress: '192.0.2.9' });
  return { msg, ev: normaliseSyslog(msg, { device: identifyDevice(resolver, msg.hostname, msg.sourceAddress), platform }) };
}

describe('vendor normalisers, table-driven from real lines (platform sniffed)', () => {
  for (const c of cases) {
    test(`${c.from} -> ${c.type}`, () => {
      const { msg, ev } = run(c.line);
      assert.equal(ev.type, c.type);
      assert.equal(ev.payload.platform, c.platform);
      for (const [k, v] of Object.entries(c.fields)) assert.deepEqual(ev.payload[k], v, `field ${k}`);
      // every payload carries the device context and the raw line
      assert.equal(ev.payload.device, msg.hostname ?? '192.0.2.9');
      assert.equal(ev.payload.host, msg.hostname ?? '192.0.2.9');
      assert.equal(ev.payload.severity, msg.severity);
      assert.equal(ev.payload.message, msg.message);
      assert.equal(ev.payload.raw, c.line);
      // and satisfies the trigger type's published schema (appliance.emit refuses anything else)
      assert.equal(registry.validate(ev.type, ev.payload), null, `payload of ${ev.type} breaks its schema`);
    });
  }
});

test('every trigger type the issue names is produced by at least one fixture line', () => {
  const produced = new Set(cases.map((c) => c.type));
  for (const t of [
    'network.bgp_peer_state_changed',
    'network.interface_down',
    'network.interface_up',
    'network.lag_member_down',
    'network.lag_member_up',
    'network.ospf_neighbor_down',
    'network.ospf_neighbor_up',
    'network.ospf_neighbor_state_changed',
    'network.isis_neighbor_down',
    'network.isis_neighbor_up',
    'network.bfd_state_changed',
    'network.config_committed',
    'network.config_rollback',
    'network.syslog',
  ]) {
    assert.ok(produced.has(t), `${t} not covered`);
  }
});

test('network.syslog keeps facility, program, pid, hostname; nothing is dropped', () => {
  const { ev } = run('<86>Nov 22 00:07:28 vm sshd[100]: Accepted publickey for root');
  assert.equal(ev.type, 'network.syslog');
  assert.deepEqual(
    {
      facility: ev.payload.facility,
      program: ev.payload.program,
      pid: ev.payload.pid,
      hostname: ev.payload.hostname,
      platform: ev.payload.platform,
      timestamp: ev.payload.timestamp,
    },
    { facility: 10, program: 'sshd', pid: '100', hostname: 'vm', platform: 'unknown', timestamp: '2026-11-22T00:07:28.000Z' },
  );
});

test('a forced platform wins over sniffing; a line of another dialect falls back to network.syslog', () => {
  const frrLine = '<30>Nov 22 00:02:10 r1 bgpd[1]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.12.2(r2) in vrf default Down Admin. shutdown';
  assert.equal(run(frrLine, 'frr').ev.type, 'network.bgp_peer_state_changed');
  const forced = run(frrLine, 'juniper_junos').ev;
  assert.equal(forced.type, 'network.syslog');
  assert.equal(forced.payload.platform, 'juniper_junos');
  // inventory aliases
  assert.equal(run('<187>1: Nov 22 00:01:00: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down', 'ios').ev.type, 'network.interface_down');
});

test('the inventory (resolver) names the device and its platform, by hostname or by source address', () => {
  const resolver = staticResolver([
    { name: 'core-r1', platform: 'frr', hostname: 'r1.lab.example' },
    { name: 'edge-7', platform: 'cisco_ios', address: '192.0.2.9' },
  ]);
  const byName = run('<30>Nov 22 00:02:10 r1 bgpd[1]: %ADJCHANGE: neighbor 10.0.12.2 Up', null, resolver).ev;
  assert.equal(byName.payload.device, 'core-r1');
  assert.equal(byName.payload.platform, 'frr');
  assert.equal(byName.payload.host, 'r1');
  assert.equal(byName.type, 'network.bgp_peer_state_changed');
  const byAddress = run('<187>1: *Mar  1 00:00:00: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up', null, resolver).ev;
  assert.equal(byAddress.payload.device, 'edge-7');
  assert.equal(byAddress.payload.platform, 'cisco_ios');
  assert.equal(byAddress.type, 'network.interface_up');
});

test('sniffing rules pick the platform from the message shape', () => {
  const sniff = (line: string) => sniffPlatform(decodeSyslog(line, { receivedAt, sourceAddress: '192.0.2.9' }));
  assert.equal(sniff('<189>1: Nov 22 00:01:00: %SYS-5-CONFIG_I: Configured from console by admin on vty0'), 'cisco_ios');
  assert.equal(sniff('<165>Feb  6 08:27:14 veos01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, changed state to up'), 'arista_eos');
  assert.equal(sniff('<190>2018 Oct 31 08:12:52 sw01 %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up'), 'cisco_nxos');
  assert.equal(sniff('<149>1: vmx01 RP/0/RSP1/CPU0:Mar 28 15:08:30.941 UTC: bgp[1051]: %ROUTING-BGP-5-MAXPFX : x'), 'cisco_iosxr');
  assert.equal(sniff('<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_OSPF_NBRDOWN: x'), 'juniper_junos');
  assert.equal(sniff('<30>Nov 22 00:02:10 r1 zebra[1]: [ABCDE-12345] something'), 'frr');
  assert.equal(sniff('<14>Nov 22 00:07:27 vm ovs-vswitchd: ovs|00042|bond|INFO|member a: enabled'), 'openvswitch');
  assert.equal(
    sniff(
      '<13>1 2019-02-22T10:57:30.359427+00:00 ss12.00.lab orchagent - - -  :- setHostIntfsOperStatus: Set operation status DOWN to host interface Ethernet28',
    ),
    'sonic',
  );
  assert.equal(sniff('<14>Nov  6 13:36:45 HOSTNAME System: Interface ethernet 1/1/36, state down'), 'extreme_netiron');
  assert.equal(sniff('<86>Nov 22 00:07:28 vm sshd[100]: hello'), null);
  // a capitalised NetIron-like tag alone does not make a NetIron: the line must read as one
  assert.equal(sniff('<14>Nov  6 13:36:45 nas System: backup finished'), null);
  assert.equal(sniff('<14>Nov  6 13:36:45 nas BGP[12]: Peer 10.0.0.1 DOWN (x)'), null);
});

test('every platform name the device drivers accept reads syslog as that same platform (issue #9: the two alias tables)', () => {
  for (const name of [...platformNames(), 'ios', 'cisco_xe', 'iosxe', 'nxos', 'nxos_ssh', 'eos', 'junos', 'iosxr', 'cisco_xr']) {
    assert.equal(normaliserFor(name)?.platform, findPlatform(name)?.name, name);
  }
});

test('inventory names for the syslog-only platforms: napalm-logs and Netmiko spellings', () => {
  const netiron = '<13>May 19 03:57:38 HOSTNAME BGP: Peer 10.10.7.134 DOWN (Hold Timer Expired) ';
  for (const p of ['netiron', 'brocade_netiron', 'extreme_netiron']) assert.equal(run(netiron, p).ev.type, 'network.bgp_peer_state_changed', p);
  const orchagent =
    '<13>1 2019-02-21T16:46:14.931186+00:00 ss12.00.lab orchagent - - -  :- setHostIntfsOperStatus: Set operation status UP to host interface Ethernet28';
  assert.equal(run(orchagent, 'sonic').ev.type, 'network.interface_up');
  // SONiC routes with FRR: its bgpd lines read the same under either name
  const bgpd = '<166>1 2019-02-20T15:10:50.505646+00:00 ss12.00.lab bgpd 83 - -  %ADJCHANGE: neighbor 100.67.0.142(sp01.02.lab) in vrf Default Up';
  assert.deepEqual([run(bgpd, 'sonic').ev.type, run(bgpd, 'sonic').ev.payload.platform], ['network.bgp_peer_state_changed', 'sonic']);
  assert.equal(run(orchagent, 'frr').ev.type, 'network.syslog');
});
