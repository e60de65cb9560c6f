import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import { BUILTIN_TRIGGER_TYPES, registerBuiltins } from '../../src/events/builtin-triggers.js';
import { TriggerRegistry } from '../../src/events/trigger-registry.js';

function builtins(): TriggerRegistry {
  const r = new TriggerRegistry();
  registerBuiltins(r);
  return r;
}

describe('trigger registry', () => {
  test('register, get, require, list', () => {
    const r = new TriggerRegistry();
    const t = r.register({ ref: 'core.st2.webhook', description: 'StackStorm name' });
    assert.deepEqual(t, { ref: 'core.st2.webhook', pack: 'core', name: 'st2.webhook', description: 'StackStorm name', payloadSchema: { type: 'object' } });
    r.register({ ref: 'acme.fan_failed' });
    assert.equal(r.get('core.st2.webhook'), t);
    assert.equal(r.get('nope.nothing'), undefined);
    assert.equal(r.has('acme.fan_failed'), true);
    assert.deepEqual(
      r.list().map((x) => x.ref),
      ['acme.fan_failed', 'core.st2.webhook'],
    );
    assert.throws(
      () => r.require('nope.nothing'),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_TRIGGER_UNKNOWN' && e.message.includes('nope.nothing'),
    );
    assert.equal(r.unregister('acme.fan_failed'), true);
    assert.equal(r.has('acme.fan_failed'), false);
  });

  test('re-registering (pack reload) replaces the schema', () => {
    const r = new TriggerRegistry();
    r.register({ ref: 'acme.psu', payloadSchema: { type: 'object', required: ['psu'] } });
    assert.ok(r.validate('acme.psu', {}));
    r.register({ ref: 'acme.psu', payloadSchema: { type: 'object' } });
    assert.equal(r.validate('acme.psu', {}), null);
  });

  test('bad refs and bad schemas are spec errors naming the field and file', () => {
    const r = new TriggerRegistry();
    for (const ref of ['nodot', '.x', 'a.', 'a b.c', '']) {
      assert.throws(
        () => r.register({ ref }),
        (e) => e instanceof NrxError && e.code === 'NRX_ERR_SPEC_INVALID' && e.location.field === 'ref',
      );
    }
    assert.throws(
      () => r.register({ ref: 'acme.x', payloadSchema: { type: 'no-such-type' } }, { file: 'packs/acme/triggers/x.yaml', line: 3 }),
      (e) =>
        e instanceof NrxError &&
        e.code === 'NRX_ERR_SPEC_INVALID' &&
        e.location.field === 'payload_schema' &&
        e.message.startsWith("packs/acme/triggers/x.yaml, line 3, field 'payload_schema'"),
    );
    assert.throws(
      () => r.register({ ref: 'acme.y', payloadSchema: [] as unknown as Record<string, unknown> }),
      (e) => e instanceof NrxError && e.location.field === 'payload_schema',
    );
  });

  test('validate: unknown type', () => {
    const err = builtins().validate('network.bgp_flap', { peer: '10.0.0.1' });
    assert.ok(err);
    assert.equal(err.code, 'NRX_ERR_TRIGGER_UNKNOWN');
  });

  test('validation errors name the field', () => {
    const r = builtins();
    const missing = r.validate('network.bgp_peer_state_changed', { state: 'idle' });
    assert.equal(missing?.code, 'NRX_ERR_PAYLOAD_INVALID');
    assert.equal(missing?.location.field, 'peer');
    assert.match(missing!.message, /field 'peer'.*network\.bgp_peer_state_changed.*is required/);

    const badEnum = r.validate('network.bgp_peer_state_changed', { peer: '10.0.0.1', state: 'down' });
    assert.equal(badEnum?.location.field, 'state');
    assert.match(badEnum!.message, /must be one of idle, connect, active, opensent, openconfirm, established \(got "down"\)/);

    const badType = r.validate('network.bgp_peer_state_changed', { peer: '10.0.0.1', state: 'idle', peer_as: 1.5 });
    assert.equal(badType?.location.field, 'peer_as');

    const nested = r.validate('network.snmp_trap', { trap_oid: '1.3.6.1.6.3.1.1.5.3', varbinds: [{ oid: '1.3' }, { value: 2 }] });
    assert.equal(nested?.location.field, 'varbinds[1].oid');

    const notObject = r.validate('network.interface_down', 'Ethernet1');
    assert.equal(notObject?.code, 'NRX_ERR_PAYLOAD_INVALID');
    assert.deepEqual(notObject?.location, {});
    assert.match(notObject!.message, /the payload must be object/);

    const lag = r.validate('network.lag_member_down', { lag: 'Port-Channel10' });
    assert.equal(lag?.location.field, 'member');
  });

  test('a long offending value is shortened in the message', () => {
    const err = builtins().validate('network.bfd_state_changed', { peer: '10.0.0.1', state: 'x'.repeat(500) });
    assert.ok(err && err.message.length < 200, err?.message);
  });

  test('builtin types accept realistic payloads, with extra properties', () => {
    const r = builtins();
    const ok: [string, Record<string, unknown>][] = [
      [
        'network.bgp_peer_state_changed',
        {
          peer: '10.0.0.2',
          state: 'idle',
          previous_state: 'established',
          peer_as: 65002,
          vrf: 'default',
          device: 'leaf1',
          platform: 'frr',
          host: '192.0.2.11',
          severity: 'warning',
          message: '%BGP-5-ADJCHANGE',
          vendor_code: 'x',
        },
      ],
      ['network.bgp_peer_state_changed', { peer: '2001:db8::2', state: 'established', previous_state: null, peer_as: '65000.10' }],
      ['network.interface_down', { interface: 'Ethernet1/1', severity: 3 }],
      ['network.interface_up', { interface: 'xe-0/0/0' }],
      ['network.lag_member_up', { lag: 'bond0', member: 'eth1' }],
      ['network.ospf_neighbor_down', { neighbor: '10.255.0.2', interface: 'eth0', area: '0.0.0.0' }],
      ['network.isis_neighbor_up', { neighbor: 'spine1', level: 2 }],
      ['network.bfd_state_changed', { peer: '10.0.0.2', state: 'down', previous_state: 'up' }],
      ['network.config_committed', { user: 'admin', commit_id: 1001 }],
      ['network.config_rollback', { user: 'luke', rollback: 3, applied: false }],
      ['network.ospf_neighbor_state_changed', { neighbor: '1.1.1.1', previous_state: 'init', state: 'exstart', area: '0.0.0.0' }],
      ['network.isis_neighbor_state_changed', { neighbor: 'r2', previous_state: 'down', state: 'init', level: 'level-2' }],
      ['network.syslog', { message: 'anything', facility: 23, program: 'bgpd' }],
      ['network.snmp_trap', { trap_oid: '1.3.6.1.6.3.1.1.5.3', varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.3', type: 'Integer', value: 3 }] }],
      ['openstack.network_created', { id: 'f6a7', provider_network_type: 'vxlan', provider_segmentation_id: 10042 }],
      ['openstack.port_deleted', { id: 'p1', network_id: 'f6a7' }],
      ['openstack.subnet_updated', { id: 's1', cidr: '10.1.0.0/24', gateway_ip: null }],
      ['core.webhook', { url: 'alertmanager', body: { alerts: [] }, headers: {} }],
      ['core.st2.IntervalTimer', { executed_at: '2026-11-22T01:00:00Z', rule: 'ops.every_minute', schedule: { unit: 'minutes', delta: 1 } }],
      ['core.event', { whatever: [1, 2, 3] }],
    ];
    for (const [type, payload] of ok) assert.equal(r.validate(type, payload), null, `${type} ${JSON.stringify(payload)}`);
    assert.equal(r.list().length, BUILTIN_TRIGGER_TYPES.length);
    for (const ref of [
      'openstack.network_updated',
      'openstack.network_deleted',
      'openstack.port_created',
      'openstack.port_updated',
      'openstack.subnet_created',
      'openstack.subnet_deleted',
      'network.ospf_neighbor_up',
      'network.isis_neighbor_down',
    ]) {
      assert.ok(r.has(ref), ref);
    }
  });

  test('hostile payloads never throw: the answer is null or a payload error', () => {
    const r = builtins();
    const types = r.list().map((t) => t.ref);
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.anything(), (type, payload) => {
        const err = r.validate(type, payload);
        assert.ok(err === null || (err instanceof NrxError && err.code === 'NRX_ERR_PAYLOAD_INVALID'));
      }),
      { numRuns: 2000 },
    );
  });
});
