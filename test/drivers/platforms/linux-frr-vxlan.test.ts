import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliDriver } from '../../../drivers/cli-driver.js';
import { addSegmentLines, buildVxlanVnis, checkSegment, removeSegmentLines } from '../../../drivers/platforms/linux_frr/vxlan.js';
import { parseCommandOutput, requirePlatform } from '../../../drivers/platforms/registry.js';
import { isNrxError } from '../../../src/core/errors.js';
import { FixtureSession } from '../fixture-session.js';

const segment = { vni: 1004, localVtep: '10.255.0.11', remoteVteps: ['10.255.0.12', '10.255.0.13'], bridge: 'br-hosts' };

test('a segment is a vxlan device sourced from the VTEP, in the bridge, with one flood entry per remote VTEP, brought up last', () => {
  assert.deepEqual(addSegmentLines(segment), [
    'sudo -n ip link add vxlan1004 type vxlan id 1004 local 10.255.0.11 dstport 4789 nolearning',
    'sudo -n ip link set vxlan1004 master br-hosts',
    'sudo -n bridge fdb append 00:00:00:00:00:00 dev vxlan1004 dst 10.255.0.12',
    'sudo -n bridge fdb append 00:00:00:00:00:00 dev vxlan1004 dst 10.255.0.13',
    'sudo -n ip link set vxlan1004 up',
  ]);
  assert.deepEqual(removeSegmentLines(1004), ['sudo -n ip link del vxlan1004']);
});

test('nothing but checked values reaches the shell line: each bad field is NRX_ERR_PARAM_INVALID naming it', () => {
  const refused = (over: object, field: string): void =>
    assert.throws(
      () => addSegmentLines({ ...segment, ...over }),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_PARAM_INVALID' && e.location.field === field && e.message.includes(`'${field}'`),
    );
  refused({ vni: 0 }, 'vni');
  refused({ vni: 16_777_216 }, 'vni');
  refused({ vni: '1004; reboot' }, 'vni');
  refused({ localVtep: '10.255.0.11; reboot' }, 'local_vtep');
  refused({ remoteVteps: ['10.0.0.1', '$(id)'] }, 'remote_vteps[1]');
  refused({ bridge: 'br0 && id' }, 'bridge');
  refused({ udpPort: 70000 }, 'udp_port');
  assert.throws(() => removeSegmentLines(-1), /'vni'/);
  assert.equal(checkSegment(segment).udpPort, 4789);
});

test('the getter joins each vxlan link with its flood list; a link without a VNI is a warning, not a row', () => {
  const links = JSON.stringify([
    {
      ifname: 'vxlan7',
      flags: ['UP'],
      master: 'br-hosts',
      linkinfo: { info_kind: 'vxlan', info_data: { id: 7, local: '10.0.0.1', port: 4789, learning: false } },
    },
    { ifname: 'odd0', linkinfo: {} },
  ]);
  const fdb = JSON.stringify([
    { mac: '00:00:00:00:00:00', ifname: 'vxlan7', dst: '10.0.0.3', flags: ['self'] },
    { mac: '00:00:00:00:00:00', ifname: 'vxlan7', dst: '10.0.0.2', flags: ['self'] },
    { mac: '02:00:00:00:00:01', ifname: 'vxlan7', dst: '10.0.0.9' },
  ]);
  assert.deepEqual(buildVxlanVnis(links, fdb), {
    vnis: [
      {
        vni: 7,
        interface: 'vxlan7',
        localVtep: '10.0.0.1',
        udpPort: 4789,
        bridge: 'br-hosts',
        learning: false,
        up: true,
        floodVteps: ['10.0.0.2', '10.0.0.3'],
      },
    ],
  });
  const parsed = parseCommandOutput('linux_frr', 'ip -d -j link show type vxlan', links);
  assert.equal(parsed.warnings.length, 1);
  assert.match(parsed.warnings[0]!.reason, /list entry 1/);
});

test('output that is not the JSON list is NRX_ERR_PARSE naming the platform and command', () => {
  for (const out of ['Error: Unknown device type.', '{"ifname": "x"}', '5'])
    assert.throws(
      () => parseCommandOutput('linux_frr', 'ip -d -j link show type vxlan', out),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_PARSE' && e.message.includes("linux_frr 'ip -d -j link show type vxlan'"),
    );
});

test('no config mode: configure sends the lines at the prompt as they are, and a rejected line is reported', async () => {
  const lines = addSegmentLines(segment);
  const outputs: Record<string, string> = Object.fromEntries(lines.map((l) => [l, '']));
  outputs[lines[1]!] = 'Cannot find device "br-hosts"';
  const session = new FixtureSession(outputs);
  const driver = new CliDriver('leaf1-linux', requirePlatform('linux_frr'), async () => session);
  const r = await driver.configure(lines);
  assert.deepEqual(session.sent, lines);
  assert.equal(r.failed, true);
  assert.equal(r.results.find((x) => x.failed)?.failureReason, 'Cannot find device "br-hosts"');
});
