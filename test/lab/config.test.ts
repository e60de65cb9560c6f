/** The lab's generated configuration and wiring plan; pure, runs without root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frrConfig, frrPaths, staticdConfig } from './frr.js';
import { memberDevice } from './ovs.js';
import { rsyslogConfig } from './syslog.js';
import { LINKS, neighborsOf, OVS, ROOT_LINKS, ROUTERS } from './topology.js';
import { NrxError } from '../../src/core/errors.js';

test('every BGP neighbor relation is mirrored on the other router with the right ASN', () => {
  for (const r of ROUTERS) {
    for (const n of neighborsOf(r.name)) {
      const back = neighborsOf(n.name).find((x) => x.name === r.name);
      assert.ok(back, `${n.name} has no neighbor ${r.name}`);
      assert.equal(back.address, n.localAddress);
      assert.equal(back.asn, r.asn);
      assert.notEqual(n.asn, r.asn, 'eBGP only');
    }
  }
  assert.deepEqual(
    neighborsOf('spine1')
      .map((n) => n.name)
      .sort(),
    ['leaf1', 'leaf2'],
  );
  assert.deepEqual(
    neighborsOf('leaf1').map((n) => [n.name, n.asn]),
    [['spine1', 65000]],
  );
});

test('interface names fit the kernel limit of 15 characters', () => {
  const names = [...ROOT_LINKS, ...LINKS.flatMap((l) => [l.aIf, l.bIf]), ...OVS.hosts.map((h) => h.ifname), 'ovs-netdev'];
  for (const n of names) assert.ok(n.length <= 15, `${n} is ${n.length} characters`);
});

test('frr.conf: neighbor-change logging, fast timers, one network, syslog socket', () => {
  const leaf1 = ROUTERS.find((r) => r.name === 'leaf1');
  assert.ok(leaf1);
  const p = frrPaths('/tmp/labx', 'leaf1');
  const conf = frrConfig(leaf1, p).split('\n');
  for (const line of [
    'hostname leaf1',
    'router bgp 65001',
    ' bgp router-id 10.255.0.11',
    ' bgp log-neighbor-changes',
    ' timers bgp 3 9',
    ' neighbor 10.0.1.1 remote-as 65000',
    ' neighbor 10.0.1.1 timers connect 2',
    '  network 10.255.0.11/32',
    ' destination unix /tmp/labx/syslog/leaf1.sock format local-syslogd',
  ]) {
    assert.ok(conf.includes(line), `missing: ${JSON.stringify(line)}`);
  }
  assert.equal(p.etcDir, '/etc/frr/nrxlab-leaf1');
  // staticd aborts on `log extended` in FRR 8.4 (an assert in its privilege code), so its own file must not have it
  assert.doesNotMatch(staticdConfig(leaf1, p), /log extended/);
});

test('rsyslog relay: one socket per router stamped with its hostname, RFC 5424 to the syslog port', () => {
  const conf = rsyslogConfig('/tmp/labx', ['leaf1', 'spine1'], 41514);
  assert.match(conf, /SysSock\.Use="off"/);
  assert.match(conf, /Socket="\/tmp\/labx\/syslog\/leaf1\.sock" HostName="leaf1"/);
  assert.match(conf, /Socket="\/tmp\/labx\/syslog\/spine1\.sock" HostName="spine1"/);
  assert.match(conf, /type="omfwd" target="127\.0\.0\.1" port="41514" protocol="udp" template="RSYSLOG_SyslogProtocol23Format"/);
  assert.equal(conf.match(/type="omfwd"/g)?.length, 1);
});

test('rsyslog relay with copies: every message to the syslog port and to each copy port', () => {
  const conf = rsyslogConfig('/tmp/labx', ['leaf1'], 41514, [41515, 41516]);
  const ports = [...conf.matchAll(/type="omfwd" target="127\.0\.0\.1" port="(\d+)" protocol="udp"/g)].map((m) => m[1]);
  assert.deepEqual(ports, ['41514', '41515', '41516']);
});

test('LAG members resolve to the bridge-B end; unknown members are refused by name', () => {
  assert.equal(memberDevice('lagx1'), 'lagx1-b');
  assert.equal(memberDevice('lagx2-a'), 'lagx2-a');
  assert.throws(
    () => memberDevice('lagx9'),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_NOT_FOUND' && /lagx9/.test(e.message),
  );
});
