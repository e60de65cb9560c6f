import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { decodeNeutronBody } from '../../../src/sensors/webhook/neutron.js';
import { fixture, flatForm, notification, osloEnvelope, registry } from './webhook-fixtures.js';

const triggers = registry();

function decodeOk(body: unknown) {
  const events = decodeNeutronBody(body);
  for (const e of events) assert.equal(triggers.validate(e.type, e.payload), null, `${e.type} payload fits its trigger type`);
  return events;
}

function decodeError(body: unknown): NrxError {
  try {
    decodeNeutronBody(body);
  } catch (e) {
    assert.ok(e instanceof NrxError);
    assert.equal(e.code, 'NRX_ERR_DECODE');
    return e;
  }
  assert.fail('expected a decode error');
}

describe('Neutron notifications', () => {
  test('network.create.end (devstack capture) -> openstack.network_created with the VXLAN VNI', () => {
    const [e, ...rest] = decodeOk(notification('networks.json', 'network.create.end'));
    assert.equal(rest.length, 0);
    assert.equal(e!.type, 'openstack.network_created');
    assert.equal(e!.normalised, true);
    const p = e!.payload;
    assert.equal(p.id, '7a95c19d-9abc-4651-b491-f2345994e956');
    assert.equal(p.name, 'test-network');
    assert.equal(p.provider_segmentation_id, 1004);
    assert.equal(p.provider_network_type, 'vxlan');
    assert.equal(p.router_external, false);
    assert.equal(p.project_id, '5fe7c4e4e492490393c674089a178e19', 'tenant_id stands in for project_id on old Neutron');
    assert.ok(!('provider:segmentation_id' in p));
    assert.ok(!('provider_physical_network' in p), 'a null where the contract wants a string is left out');
    const meta = p.notification as Record<string, unknown>;
    assert.equal(meta.event_type, 'network.create.end');
    assert.equal(meta.publisher_id, 'network.devstack');
    assert.equal(meta.request_id, 'req-aba8f776-f06c-4cb6-af49-6b692787c373');
    assert.equal(meta.message_id, '1869ebb6-bb0e-4c81-a52f-1d9cca31fffe');
    assert.ok(!JSON.stringify(p).includes('3e3bd479441e4644bdd3819228b4e5db'), 'the keystone auth_token in the context never reaches the event');
  });

  test('the three wire forms decode to the same event', () => {
    const n = notification('networks.json', 'network.update.end');
    const plain = decodeOk({ event_type: n.event_type, payload: n.payload });
    const listener = decodeOk(n);
    const flat = decodeOk(flatForm(n));
    const oslo = decodeOk(osloEnvelope(n));
    for (const forms of [listener, flat, oslo]) {
      assert.equal(forms[0]!.type, 'openstack.network_updated');
      const { notification: _a, ...fields } = forms[0]!.payload;
      const { notification: _b, ...plainFields } = plain[0]!.payload;
      assert.deepEqual(fields, plainFields);
    }
    assert.equal((flat[0]!.payload.notification as Record<string, unknown>).request_id, (oslo[0]!.payload.notification as Record<string, unknown>).request_id);
    assert.equal((oslo[0]!.payload.notification as Record<string, unknown>).priority, 'INFO');
    assert.ok(!JSON.stringify(oslo).includes('3e3bd479441e4644bdd3819228b4e5db'), 'no _context_auth_token either');
  });

  test('a list of notifications, mixing forms, gives one event each, in order', () => {
    const nets = fixture('searchlight/networks.json') as Record<string, Record<string, unknown>>;
    const body = [nets['network.create.end'], osloEnvelope(nets['network.delete.end']!), flatForm(nets['rbac_policy.create.end']!)];
    assert.deepEqual(
      decodeOk(body).map((e) => e.type),
      ['openstack.network_created', 'openstack.network_deleted', 'openstack.notification'],
    );
  });

  test('deletes carry only <resource>_id', () => {
    for (const [file, name, type, id] of [
      ['networks.json', 'network.delete.end', 'openstack.network_deleted', '7a95c19d-9abc-4651-b491-f2345994e956'],
      ['ports.json', 'port.delete.end', 'openstack.port_deleted', 'f7c93feb-b837-4bb1-b0bc-7ad2a53d85cb'],
      ['subnets.json', 'subnet.delete.end', 'openstack.subnet_deleted', 'db771741-9249-4f7b-97a7-d6187c4e244b'],
    ] as const) {
      const [e] = decodeOk(notification(file, name));
      assert.equal(e!.type, type);
      assert.equal(e!.payload.id, id);
    }
  });

  test('ports carry the host binding and device owner; subnets their CIDR', () => {
    const [bound] = decodeOk(notification('ports.json', 'instance-create.port.create.end'));
    assert.equal(bound!.type, 'openstack.port_created');
    assert.equal(bound!.payload.binding_host_id, 'devstack');
    assert.equal(bound!.payload.device_owner, 'compute:None');
    assert.equal(bound!.payload.network_id, '7a95c19d-9abc-4651-b491-f2345994e956');
    assert.equal(bound!.payload.binding_vif_type, 'ovs');
    assert.deepEqual(bound!.payload.fixed_ips, [{ subnet_id: 'db771741-9249-4f7b-97a7-d6187c4e244b', ip_address: '192.168.40.2' }]);
    const [attach] = decodeOk(notification('ports.json', 'port_attach'));
    assert.equal(attach!.type, 'openstack.port_updated');
    const [unbound] = decodeOk(notification('ports.json', 'port.create.end'));
    assert.equal(unbound!.payload.binding_host_id, '', 'unbound: empty, as Neutron sends it');
    const [subnet] = decodeOk(notification('subnets.json', 'subnet.create.end'));
    assert.equal(subnet!.type, 'openstack.subnet_created');
    assert.equal(subnet!.payload.cidr, '192.168.40.0/24');
    assert.equal(subnet!.payload.gateway_ip, '192.168.40.1');
  });

  test('a provider VLAN network from the API reference, with a stringified segmentation id', () => {
    const network = (fixture('neutron-lib/network-provider-create-response.json') as { network: Record<string, unknown> }).network;
    const [e] = decodeOk({ event_type: 'network.create.end', payload: { network: { ...network, 'provider:segmentation_id': '2' } } });
    assert.equal(e!.payload.provider_segmentation_id, 2);
    assert.equal(e!.payload.provider_network_type, 'vlan');
    assert.equal(e!.payload.provider_physical_network, 'public');
  });

  test('routers and *.start notifications become openstack.notification, not normalised', () => {
    const [router] = decodeOk(notification('routers.json', 'router.create.end'));
    assert.equal(router!.type, 'openstack.notification');
    assert.equal(router!.normalised, false);
    assert.equal(router!.payload.event_type, 'router.create.end');
    assert.ok((router!.payload.payload as Record<string, unknown>).router);
    const [start] = decodeOk({ event_type: 'network.create.start', payload: { network: { name: 'x' } } });
    assert.equal(start!.type, 'openstack.notification');
  });

  test('malformed notifications name the field', () => {
    assert.equal(decodeError('just a string').location.field, undefined);
    assert.equal(decodeError({ payload: {} }).location.field, 'event_type');
    assert.equal(decodeError({ event_type: 'network.create.end' }).location.field, 'payload');
    assert.equal(decodeError({ event_type: 'network.create.end', payload: {} }).location.field, 'payload.network');
    assert.equal(decodeError({ event_type: 'network.create.end', payload: { network: { name: 'n' } } }).location.field, 'payload.network.id');
    assert.equal(decodeError({ event_type: 'port.delete.end', payload: {} }).location.field, 'payload.port_id');
    assert.equal(decodeError([{ event_type: 'x', payload: 1 }, 7]).location.field, '[1]');
    assert.equal(decodeError({ 'oslo.version': '1.0', 'oslo.message': '{}' }).location.field, 'oslo.version');
    assert.equal(decodeError({ 'oslo.version': '2.0', 'oslo.message': '{not json' }).location.field, 'oslo.message');
    assert.equal(
      decodeError([{ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ event_type: 'subnet.update.end', payload: { subnet: [] } }) }]).location.field,
      '[0].oslo.message.payload.subnet',
    );
    const deep = JSON.stringify({ event_type: 'x', payload: JSON.parse('['.repeat(100) + ']'.repeat(100)) });
    assert.match(decodeError({ 'oslo.version': '2.0', 'oslo.message': deep }).message, /deeper than 64/);
  });

  test('a resource field named __proto__ stays a plain field', () => {
    const body = JSON.parse('{"event_type":"network.create.end","payload":{"network":{"id":"n1","__proto__":{"polluted":true}}}}');
    const [e] = decodeOk(body);
    assert.equal(Object.getPrototypeOf(e!.payload), Object.prototype);
    assert.equal((e!.payload as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
