import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkTypeOf } from '../../../packs/openstack/actions/lib/network-type.js';
import { run as vxlanSegment } from '../../../packs/openstack/actions/vxlan_segment.js';
import { isNrxError } from '../../../src/core/errors.js';
import type { PackActionContext } from '../../../src/executions/runners/module-services.js';

test("the network type: Neutron's provider:network_type when given, else the pack's tenant_network_type (vxlan by default)", () => {
  assert.equal(networkTypeOf('vxlan', {}), 'vxlan');
  assert.equal(networkTypeOf('VLAN', { tenant_network_type: 'vxlan' }), 'vlan');
  assert.equal(networkTypeOf(null, {}), 'vxlan');
  assert.equal(networkTypeOf('', { tenant_network_type: 'vlan' }), 'vlan');
  assert.throws(
    () => networkTypeOf('vx lan', {}),
    (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_PARAM_INVALID' && /'network_type'/.test(e.message),
  );
  assert.throws(
    () => networkTypeOf(undefined, { tenant_network_type: 42 }),
    (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_CONFIG' && /'tenant_network_type'/.test(e.message),
  );
});

test('does the job apply: only a vxlan network gets a VNI; a fabric holding only schema defaults is no fabric', async () => {
  const ask = (config: Record<string, unknown>, network_type?: string) =>
    vxlanSegment({ network_id: 'n1', network_type }, { config, log: () => {} } as unknown as PackActionContext);
  const defaultsOnly = { fabric: { bridge: 'bridge', udp_port: 4789, netconf_devices: [] } };
  assert.deepEqual(await ask(defaultsOnly, 'flat'), { network_id: 'n1', network_type: 'flat', vxlan: false, configured: false });
  assert.deepEqual(await ask(defaultsOnly), { network_id: 'n1', network_type: 'vxlan', vxlan: true, configured: false });
  assert.deepEqual(await ask({ ...defaultsOnly, tenant_network_type: 'vlan' }), { network_id: 'n1', network_type: 'vlan', vxlan: false, configured: false });
  const withLeaves = await ask({ fabric: { leaves: [{ device: 'leaf1', vtep: '10.255.0.11' }] } }, 'vxlan');
  assert.deepEqual([withLeaves.vxlan, withLeaves.configured, withLeaves.devices], [true, true, ['leaf1']]);
});
