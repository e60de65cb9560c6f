import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fabricOf, leafHolds, leafPlans, netconfHolds, netconfPlan } from '../../../packs/openstack/actions/lib/segment.js';
import { isNrxError } from '../../../src/core/errors.js';

const config = {
  fabric: {
    leaves: [
      { device: 'leaf1', vtep: '10.255.0.11' },
      { device: 'leaf2', vtep: '10.255.0.12' },
      { device: 'leaf3', vtep: '10.255.0.13' },
    ],
    bridge: 'br-hosts',
    netconf_devices: ['nc1'],
  },
};

test('each leaf gets its own VTEP as source and floods to every other leaf', () => {
  const plans = leafPlans(fabricOf(config), 4242);
  assert.deepEqual(
    plans.map((p) => [p.device, p.add_lines.filter((l) => l.includes('fdb append')).map((l) => l.split(' ').at(-1))]),
    [
      ['leaf1', ['10.255.0.12', '10.255.0.13']],
      ['leaf2', ['10.255.0.11', '10.255.0.13']],
      ['leaf3', ['10.255.0.11', '10.255.0.12']],
    ],
  );
  assert.match(plans[1]!.add_lines[0]!, /id 4242 local 10\.255\.0\.12 dstport 4789 nolearning$/);
  assert.deepEqual(plans[0]!.remove_lines, ['sudo -n ip link del vxlan4242']);
});

test('read back: in place only with the planned VTEP, bridge, flood list and up; another VNI is absent', () => {
  const fabric = fabricOf(config);
  const [leaf1] = leafPlans(fabric, 7);
  const good = { vni: 7, interface: 'vxlan7', localVtep: '10.255.0.11', bridge: 'br-hosts', up: true, floodVteps: ['10.255.0.13', '10.255.0.12'] };
  assert.equal(leafHolds([good], leaf1!, fabric, 7), 'in_place');
  assert.equal(leafHolds([{ ...good, vni: 8 }], leaf1!, fabric, 7), 'absent');
  assert.equal(leafHolds([{ ...good, floodVteps: ['10.255.0.12'] }], leaf1!, fabric, 7), 'different');
  assert.equal(leafHolds([{ ...good, bridge: 'br0' }], leaf1!, fabric, 7), 'different');
  assert.equal(leafHolds([{ ...good, up: false }], leaf1!, fabric, 7), 'different');
});

test('the NETCONF entry carries the name escaped and every leaf as a flood VTEP; the removal is nc:operation="remove"', () => {
  const nc = netconfPlan(fabricOf(config), 9, 'a<b>&"c"');
  assert.equal(
    nc.config,
    '<device xmlns="urn:netreflex:lab"><vxlan><vni><id>9</id><name>a&lt;b&gt;&amp;&quot;c&quot;</name><flood-vtep>10.255.0.11</flood-vtep><flood-vtep>10.255.0.12</flood-vtep><flood-vtep>10.255.0.13</flood-vtep></vni></vxlan></device>',
  );
  assert.match(nc.remove, /<vni xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1\.0" nc:operation="remove"><id>9<\/id><\/vni>/);
  assert.equal(netconfHolds('<data><device><vxlan><vni><id> 9 </id></vni></vxlan></device></data>', 9), true);
  assert.equal(netconfHolds('<data><device><vxlan><vni><id>90</id></vni></vxlan></device></data>', 9), false);
  assert.equal(netconfHolds(undefined, 9), false);
});

test('a fabric config that cannot work is NRX_ERR_CONFIG naming the field', () => {
  const refused = (fabric: unknown, field: string): void =>
    assert.throws(
      () => leafPlans(fabricOf({ fabric }), 5),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_CONFIG' && e.location.field === field && e.message.includes(`'${field}'`),
    );
  refused(undefined, 'fabric.leaves');
  refused({ leaves: [] }, 'fabric.leaves');
  refused({ leaves: [{ device: 'leaf1' }] }, 'fabric.leaves[0].vtep');
  refused({ leaves: [{ device: 'leaf 1', vtep: '10.0.0.1' }] }, 'fabric.leaves[0].device');
  refused({ leaves: [{ device: 'leaf1', vtep: '10.0.0.1; reboot' }] }, 'fabric.leaves[0].vtep');
  refused({ leaves: [{ device: 'leaf1', vtep: '10.0.0.1' }], bridge: 'br0 && id' }, 'fabric.bridge');
  refused({ leaves: [{ device: 'leaf1', vtep: '10.0.0.1' }], netconf_devices: ['nc 1'] }, 'fabric.netconf_devices[0]');
  refused({ leaves: [{ device: 'leaf1', vtep: '10.0.0.1' }], netconf_namespace: 'urn:x"><evil' }, 'fabric.netconf_namespace');
});
