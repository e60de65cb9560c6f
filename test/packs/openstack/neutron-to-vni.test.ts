import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signWebhookBody } from '../../../src/sensors/webhook/caller-auth.js';
import { harness, type Harness } from '../../api/harness.js';

/**
 * The whole path in one appliance: Neutron notifications POSTed to a neutron webhook become
 * openstack.network_* events, the pack's rules run allocate_vni / release_vni, and the mapping
 * is read back through the datastore API (what `netreflex key list` calls) and get_vni.
 */
describe('openstack pack: Neutron webhook -> rules -> VNI allocator', () => {
  let h: Harness;
  let secret = '';
  before(async () => {
    h = await harness();
    mkdirSync(path.join(h.dataDir, 'configs'), { recursive: true });
    writeFileSync(path.join(h.dataDir, 'configs', 'openstack.yaml'), 'vni_range: {first: 5000, last: 5059}\n');
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: h.as('admin'),
      payload: { name: 'neutron', kind: 'neutron', auth: 'hmac' },
    });
    assert.equal(r.statusCode, 201, r.body);
    secret = (r.json() as { secret: string }).secret;
  });
  after(async () => h.close());

  const notify = async (eventType: string, payload: object): Promise<void> => {
    const body = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ event_type: eventType, payload, publisher_id: 'network.ctl1' }) });
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/neutron',
      headers: { 'content-type': 'application/json', 'x-netreflex-signature': signWebhookBody(secret, body) },
      payload: body,
    });
    assert.equal(r.statusCode, 202, r.body);
  };
  const created = (id: string) => notify('network.create.end', { network: { id, name: `net ${id}`, project_id: 'p1', 'provider:network_type': 'vxlan' } });
  const deleted = (id: string) => notify('network.delete.end', { network_id: id });
  /** Wait until `n` executions of the action have ended, and return them. */
  const ended = async (action: string, n: number) => {
    for (let i = 0; i < 600; i++) {
      const recs = (await h.appliance.store.listExecutions({ action, limit: 1000 })).filter((r) => ['succeeded', 'failed', 'timeout'].includes(r.status));
      if (recs.length >= n) return recs;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`fewer than ${n} ${action} executions ended`);
  };
  const mapping = async (): Promise<Map<string, number>> => {
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/keys?scope=pack:openstack&prefix=network/', headers: h.as('observer') });
    assert.equal(r.statusCode, 200, r.body);
    const items = (r.json() as { items: Array<{ key: string; value: string }> }).items;
    return new Map(items.map((k) => [k.key.slice('network/'.length), (JSON.parse(k.value) as { vni: number }).vni]));
  };

  test('50 networks created at once, one of them notified twice: 50 different VNIs from the configured range, visible through the keys API', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `9b1c0f2e-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await Promise.all([...ids.map(created), created(ids[7]!)]);
    const runs = await ended('openstack.allocate_vni', 51);
    assert.ok(
      runs.every((r) => r.status === 'succeeded'),
      JSON.stringify(runs.find((r) => r.status !== 'succeeded')?.error),
    );
    const map = await mapping();
    assert.equal(map.size, 50);
    assert.deepEqual([...map.keys()].sort(), [...ids].sort());
    assert.equal(new Set(map.values()).size, 50, 'never the same VNI twice');
    for (const vni of map.values()) assert.ok(vni >= 5000 && vni <= 5059, `${vni} inside vni_range`);
    const states = runs.map((r) => (r.result as { state: string }).state).sort();
    assert.deepEqual([states.filter((s) => s === 'allocated').length, states.filter((s) => s === 'existing').length], [50, 1]);

    const one = await h.appliance.engine.run('openstack.get_vni', { network_id: ids[7] });
    assert.equal(one.status, 'succeeded');
    assert.equal((one.result as { vni: number }).vni, map.get(ids[7]!));
  });

  test('a delete releases the VNI and repeats harmlessly; a delete arriving before its create leaves that network without a VNI', async () => {
    const before = await mapping();
    const [gone, vni] = [...before.entries()][0]!;
    await deleted(gone);
    await deleted(gone);
    await deleted('late-net');
    await created('late-net');
    await ended('openstack.release_vni', 3);
    await ended('openstack.allocate_vni', 52);
    const after = await mapping();
    assert.equal(after.has(gone), false);
    assert.equal(after.has('late-net'), false, 'the create that came after its delete allocated nothing');
    assert.equal(after.size, 49);
    const byVni = await h.appliance.engine.run('openstack.get_vni', { vni });
    assert.deepEqual([byVni.status, byVni.error?.code], ['failed', 'NRX_ERR_NOT_FOUND'], 'the VNI is free again');
  });

  test("a vxlan network whose notification carries Neutron's segmentation id gets that VNI; a vlan network's id is not taken as a VNI", async () => {
    await notify('network.create.end', { network: { id: 'net-neutron-vni', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 5058 } });
    await notify('network.create.end', { network: { id: 'net-vlan', 'provider:network_type': 'vlan', 'provider:segmentation_id': 5059 } });
    const runs = await ended('openstack.allocate_vni', 54);
    assert.ok(
      runs.every((r) => r.status === 'succeeded'),
      JSON.stringify(runs.find((r) => r.status !== 'succeeded')?.error),
    );
    const map = await mapping();
    assert.equal(map.get('net-neutron-vni'), 5058);
    assert.notEqual(map.get('net-vlan'), 5059);
    assert.ok(map.get('net-vlan')! >= 5000 && map.get('net-vlan')! <= 5059);
  });
});
