import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signWebhookBody } from '../../../src/sensors/webhook/caller-auth.js';
import { harness, type Harness } from '../../api/harness.js';

/**
 * The whole path in one appliance, as shipped and without a `fabric` in the pack config: Neutron
 * notifications POSTed to a neutron webhook become openstack.network_* events, the remediation
 * pack's vxlan_network_* rules (the one owner of a network's VNI) run the workflows that allocate
 * and release it, and the mapping is read back through the datastore API (what `netreflex key
 * list` calls) and get_vni.
 */
describe('openstack pack: Neutron webhook -> vxlan_network_* rules -> VNI allocator (no fabric)', () => {
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

  /** The ids of the events the notification became. */
  const notify = async (eventType: string, payload: object): Promise<string[]> => {
    const body = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ event_type: eventType, payload, publisher_id: 'network.ctl1' }) });
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/neutron',
      headers: { 'content-type': 'application/json', 'x-netreflex-signature': signWebhookBody(secret, body) },
      payload: body,
    });
    assert.equal(r.statusCode, 202, r.body);
    return (r.json() as { events: Array<{ id: string }> }).events.map((e) => e.id);
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
    // each allocation ran inside a vxlan_network_create run, which says there is no fabric to configure
    const jobs = await ended('remediation.vxlan_network_create', 51);
    assert.deepEqual(new Set(runs.map((r) => jobs.find((j) => j.id === r.parentId)?.action)), new Set(['remediation.vxlan_network_create']));
    assert.deepEqual(new Set(jobs.map((j) => `${j.status} ${output(j).outcome}`)), new Set(['succeeded allocated (no fabric configured)']));

    const one = await h.appliance.engine.run('openstack.get_vni', { network_id: ids[7] });
    assert.equal(one.status, 'succeeded');
    assert.equal((one.result as { vni: number }).vni, map.get(ids[7]!));
  });

  test('a delete releases the VNI and repeats harmlessly; a delete arriving before its create leaves that network without a VNI', async () => {
    const before = await mapping();
    const [gone, vni] = [...before.entries()][0]!;
    await deleted(gone);
    await ended('remediation.vxlan_network_delete', 1);
    await deleted(gone);
    await deleted('late-net');
    // the create is posted once the deletes ran: two runs for one network are not ordered
    await ended('openstack.release_vni', 3);
    await created('late-net');
    await ended('openstack.allocate_vni', 52);
    const deletes = await ended('remediation.vxlan_network_delete', 3);
    assert.deepEqual(deletes.map((d) => `${d.status} ${output(d).outcome}`).sort(), [
      'succeeded nothing to do',
      'succeeded nothing to do',
      'succeeded released (no fabric configured)',
    ]);
    const after = await mapping();
    assert.equal(after.has(gone), false);
    assert.equal(after.has('late-net'), false, 'the create that came after its delete allocated nothing');
    assert.equal(after.size, 49);
    const byVni = await h.appliance.engine.run('openstack.get_vni', { vni });
    assert.deepEqual([byVni.status, byVni.error?.code], ['failed', 'NRX_ERR_NOT_FOUND'], 'the VNI is free again');
  });

  test("a vxlan network whose notification carries Neutron's segmentation id gets that VNI; a vlan or flat network gets none and its run says so", async () => {
    await notify('network.create.end', { network: { id: 'net-neutron-vni', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 5058 } });
    await notify('network.create.end', { network: { id: 'net-vlan', 'provider:network_type': 'vlan', 'provider:segmentation_id': 5059 } });
    await notify('network.create.end', { network: { id: 'net-flat', 'provider:network_type': 'flat', 'provider:physical_network': 'public' } });
    const jobs = await ended('remediation.vxlan_network_create', 55);
    const runs = await ended('openstack.allocate_vni', 53);
    assert.ok(
      runs.every((r) => r.status === 'succeeded'),
      JSON.stringify(runs.find((r) => r.status !== 'succeeded')?.error),
    );
    const map = await mapping();
    assert.equal(map.get('net-neutron-vni'), 5058);
    assert.deepEqual([map.has('net-vlan'), map.has('net-flat')], [false, false], 'no VNI for a vlan or flat network');
    assert.equal(runs.filter((r) => ['net-vlan', 'net-flat'].includes(r.parameters.network_id as string)).length, 0, 'not even an attempt');
    const said = (id: string) => output(jobs.find((j) => j.parameters.network_id === id)!);
    assert.deepEqual([said('net-vlan').outcome, said('net-vlan').reason], ['not vxlan', 'a vlan network gets no VNI']);
    assert.deepEqual([said('net-flat').outcome, said('net-flat').reason], ['not vxlan', 'a flat network gets no VNI']);
  });

  test('one network event runs exactly one allocation: the vxlan_network_created rule, no rule of the openstack pack', async () => {
    const [eventId] = await notify('network.create.end', { network: { id: 'net-once', 'provider:network_type': 'vxlan' } });
    const jobs = await ended('remediation.vxlan_network_create', 56);
    const job = jobs.find((j) => j.context.triggerInstanceId === eventId)!;
    assert.equal(output(job).outcome, 'allocated (no fabric configured)');
    const fired = (await h.appliance.store.listEnforcements({ triggerInstanceId: eventId })).filter((e) => e.executionId);
    assert.deepEqual(
      fired.map((e) => e.ruleRef),
      ['remediation.vxlan_network_created'],
    );
    const allocations = (await h.appliance.store.listExecutions({ action: 'openstack.allocate_vni', limit: 1000 })).filter(
      (r) => r.parameters.network_id === 'net-once',
    );
    assert.deepEqual(
      allocations.map((r) => r.parentId),
      [job.id],
    );
    const onNetworkEvents = h.appliance.rules
      .all()
      .filter((r) => r.enabled && ['openstack.network_created', 'openstack.network_deleted'].includes(r.trigger.type))
      .map((r) => r.ref);
    assert.deepEqual(onNetworkEvents.sort(), ['remediation.vxlan_network_created', 'remediation.vxlan_network_deleted'], 'one owner per network event');
  });
});

function output(r: { result: unknown }): { outcome?: string; reason?: string } {
  return (r.result as { output?: { outcome?: string; reason?: string } })?.output ?? {};
}
