import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signWebhookBody } from '../../src/sensors/webhook/caller-auth.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { fixture, fixtureBytes, notification, osloEnvelope } from '../sensors/webhook/webhook-fixtures.js';
import { harness, type Harness } from './harness.js';

interface Created {
  name: string;
  kind: string;
  auth: string;
  secret: string;
  url: string;
  header: string;
}

describe('API: webhooks', () => {
  let h: Harness;
  const hooks: Record<string, Created> = {};
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  const create = (who: 'admin' | 'operator', body: object) => h.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: h.as(who), payload: body });
  const deliver = (name: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: `/api/v1/webhooks/${name}`, headers: { 'content-type': 'application/json', ...headers }, payload: body });
  const counters = async (kind: string): Promise<Record<string, number>> => {
    const text = (await h.app.inject({ method: 'GET', url: '/metrics', headers: h.as('observer') })).body;
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^netreflex_sensor_messages\{sensor="([^"]+)",counter="([^"]+)"\} (\d+)$/gm))
      if (m[1] === `webhook/${kind}`) out[m[2]!] = Number(m[3]);
    return out;
  };
  const eventsFrom = async (name: string, type?: string) =>
    (await h.appliance.store.listTriggerInstances({ ...(type ? { type } : {}), limit: 1000 })).filter((e) => e.source === `webhook:${name}`);

  test('admins create webhooks of each kind; the secret is shown once, stored encrypted, never listed', async () => {
    for (const [name, kind, auth] of [
      ['os-neutron', 'neutron', 'hmac'],
      ['am', 'alertmanager', 'token'],
      ['netbox', 'generic', 'token'],
    ] as const) {
      const r = await create('admin', { name, kind, auth });
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json() as Created;
      assert.deepEqual([c.name, c.kind, c.auth, c.url], [name, kind, auth, `/api/v1/webhooks/${name}`]);
      assert.equal(c.header, auth === 'token' ? 'X-Netreflex-Token' : 'X-Netreflex-Signature');
      assert.match(c.secret, /^[A-Za-z0-9_-]{43}$/);
      hooks[name] = c;
    }
    const forbidden = await create('operator', { name: 'op-made', kind: 'generic', auth: 'token' });
    assert.deepEqual([forbidden.statusCode, forbidden.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    const dup = await create('admin', { name: 'am', kind: 'generic' });
    assert.deepEqual([dup.statusCode, dup.json().code], [409, 'NRX_ERR_CONFLICT']);
    const badKind = await create('admin', { name: 'x', kind: 'github' });
    assert.deepEqual([badKind.statusCode, badKind.json().field], [400, 'body.kind']);
    const badName = await create('admin', { name: '../x', kind: 'generic' });
    assert.deepEqual([badName.statusCode, badName.json().field], [400, 'body.name']);

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: h.as('observer') });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().items.map((w: Created) => [w.name, w.kind, w.auth]),
      [
        ['am', 'alertmanager', 'token'],
        ['netbox', 'generic', 'token'],
        ['os-neutron', 'neutron', 'hmac'],
      ],
    );
    for (const c of Object.values(hooks)) assert.ok(!list.body.includes(c.secret), 'no secret in the listing');

    const view = await h.kv.get('system', 'webhook.am');
    assert.deepEqual([view?.secret, view?.value], [true, '********']);
    const raw = (h.appliance.store as SqliteStore).kvGetSync('system', 'webhook.am')!;
    assert.ok(!raw.value.includes(hooks.am!.secret), 'the stored value is ciphertext');
    const audit = JSON.stringify(await h.auth.audit.list({ limit: 50 }));
    for (const c of Object.values(hooks)) assert.ok(!audit.includes(c.secret), 'no secret in the audit log');
  });

  test('Neutron notifications with a good HMAC become openstack.* events (oslo envelope, list, flat)', async () => {
    const created = JSON.stringify(osloEnvelope(notification('networks.json', 'network.create.end')));
    const r = await deliver('os-neutron', created, { 'x-hub-signature-256': signWebhookBody(hooks['os-neutron']!.secret, created) });
    assert.equal(r.statusCode, 202, r.body);
    const [ack] = r.json().events;
    assert.equal(ack.type, 'openstack.network_created');
    const stored = await h.appliance.store.getTriggerInstance(ack.id);
    assert.equal(stored?.source, 'webhook:os-neutron');
    assert.equal(stored?.payload.provider_segmentation_id, 1004);
    assert.equal(stored?.payload.provider_network_type, 'vxlan');

    const batch = JSON.stringify([
      notification('ports.json', 'instance-create.port.create.end'),
      notification('subnets.json', 'subnet.delete.end'),
      notification('routers.json', 'router.create.end'),
    ]);
    const b = await deliver('os-neutron', batch, { 'x-netreflex-signature': signWebhookBody(hooks['os-neutron']!.secret, batch) });
    assert.equal(b.statusCode, 202, b.body);
    assert.deepEqual(
      b.json().events.map((e: { type: string }) => e.type),
      ['openstack.port_created', 'openstack.subnet_deleted', 'openstack.notification'],
    );
    const [port] = await eventsFrom('os-neutron', 'openstack.port_created');
    assert.deepEqual([port?.payload.binding_host_id, port?.payload.device_owner], ['devstack', 'compute:None']);
    const c = await counters('neutron');
    assert.deepEqual([c.received, c.decoded, c.normalised, c.unknown, c.refused], [2, 2, 3, 1, 0]);
  });

  test('a rule on openstack.network_created fires on a delivered notification', async () => {
    const rule = {
      name: 'vxlan_provision',
      pack: 'demo',
      enabled: true,
      trigger: { type: 'openstack.network_created' },
      criteria: { 'trigger.provider_network_type': { type: 'equals', pattern: 'vxlan' } },
      action: { ref: 'core.echo', parameters: { message: 'VNI {{ trigger.provider_segmentation_id }} for {{ trigger.name }}' } },
    };
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/rules', headers: h.as('admin'), payload: { rule } })).statusCode, 201);
    const body = JSON.stringify(notification('networks.json', 'network.create.end'));
    const r = await deliver('os-neutron', body, { 'x-hub-signature-256': signWebhookBody(hooks['os-neutron']!.secret, body) });
    assert.equal(r.statusCode, 202, r.body);
    await h.appliance.bus.drain();
    const [enf] = await h.appliance.store.listEnforcements({ triggerInstanceId: r.json().events[0].id });
    assert.deepEqual([enf?.ruleRef, enf?.outcome], ['demo.vxlan_provision', 'executed']);
    const rec = await h.appliance.engine.wait(enf!.executionId!);
    assert.equal((rec.result as { stdout: string }).stdout, 'VNI 1004 for test-network');
  });

  test('a bad or missing signature is refused (401), counted, and emits nothing', async () => {
    const before = (await eventsFrom('os-neutron')).length;
    const body = JSON.stringify(notification('networks.json', 'network.delete.end'));
    const tampered = body.replace('7a95', '7a96');
    for (const headers of [
      { 'x-hub-signature-256': signWebhookBody(hooks['os-neutron']!.secret, body) },
      { 'x-hub-signature-256': signWebhookBody('not-the-secret', tampered) },
      { 'x-netreflex-token': hooks['os-neutron']!.secret },
      {},
    ] as Array<Record<string, string>>) {
      const r = await deliver('os-neutron', tampered, headers);
      assert.deepEqual([r.statusCode, r.json().code], [401, 'NRX_ERR_UNAUTHORIZED'], r.body);
      assert.ok(!r.body.includes(hooks['os-neutron']!.secret));
    }
    const wrongToken = await deliver('am', '{}', { 'x-netreflex-token': hooks.netbox!.secret });
    assert.equal(wrongToken.statusCode, 401);
    assert.equal((await eventsFrom('os-neutron')).length, before);
    assert.equal((await counters('neutron')).refused, 4);
    assert.equal((await counters('alertmanager')).refused, 1);
  });

  test('an unknown webhook is 404', async () => {
    const r = await deliver('nope', '{}', { 'x-netreflex-token': hooks.am!.secret });
    assert.deepEqual([r.statusCode, r.json().code], [404, 'NRX_ERR_NOT_FOUND']);
  });

  test('Alertmanager groups with a good bearer token: one event per alert', async () => {
    const group = fixture('prom2teams/all_ok_multiple.json') as { alerts: Array<{ status: string }> };
    group.alerts[1]!.status = 'firing';
    // as Alertmanager sends it with http_config.authorization.credentials
    const r = await deliver('am', JSON.stringify(group), { authorization: `Bearer ${hooks.am!.secret}` });
    assert.equal(r.statusCode, 202, r.body);
    assert.deepEqual(
      r.json().events.map((e: { type: string }) => e.type),
      ['prometheus.alert_resolved', 'prometheus.alert_firing'],
    );
    const [firing] = await eventsFrom('am', 'prometheus.alert_firing');
    assert.deepEqual(
      [firing?.payload.alertname, firing?.payload.receiver, (firing?.payload.labels as Record<string, string>).instance],
      ['DiskSpace', 'test_webhook', 'cs31.evilcorp'],
    );
  });

  test('malformed bodies are 400 naming the field, counted, and emit nothing', async () => {
    const before = await counters('alertmanager');
    const missing = fixtureBytes('prom2teams/without_mandatory_field.json');
    const r = await deliver('am', missing, { 'x-netreflex-token': hooks.am!.secret });
    assert.deepEqual([r.statusCode, r.json().code, r.json().field], [400, 'NRX_ERR_DECODE', 'alerts[0].status']);
    const notJson = await deliver('am', '{"alerts": [', { 'x-netreflex-token': hooks.am!.secret });
    assert.deepEqual([notJson.statusCode, notJson.json().code, notJson.json().field], [400, 'NRX_ERR_DECODE', 'body']);
    // fits the decoder but not the trigger contract: a network name that is a number
    const badName = JSON.stringify({ event_type: 'network.create.end', payload: { network: { id: 'n9', name: 42 } } });
    const c = await deliver('os-neutron', badName, { 'x-hub-signature-256': signWebhookBody(hooks['os-neutron']!.secret, badName) });
    assert.deepEqual([c.statusCode, c.json().code, c.json().field], [400, 'NRX_ERR_DECODE', 'name']);
    assert.equal((await eventsFrom('os-neutron')).filter((e) => e.payload.id === 'n9').length, 0);
    const after = await counters('alertmanager');
    assert.equal(after.malformed! - before.malformed!, 2);
    assert.equal((await counters('neutron')).malformed, 1);
  });

  test('an oversized body is refused before it is read, and counted as malformed', async () => {
    const before = (await counters('generic')).malformed ?? 0;
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const r = await deliver('netbox', big, { 'x-netreflex-token': hooks.netbox!.secret });
    assert.deepEqual([r.statusCode, r.json().code, r.json().field], [400, 'NRX_ERR_DECODE', 'body']);
    assert.equal((await counters('generic')).malformed, before + 1);
  });

  test('a generic webhook (NetBox body) -> core.webhook without credential headers', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/netbox?site=dc1',
      headers: { 'content-type': 'application/json', 'x-netreflex-token': hooks.netbox!.secret, 'x-request-id': 'abc' },
      payload: fixtureBytes('netbox-site-created.json'),
    });
    assert.equal(r.statusCode, 202, r.body);
    const ev = await h.appliance.store.getTriggerInstance(r.json().events[0].id);
    assert.equal(ev?.type, 'core.webhook');
    assert.deepEqual([ev?.payload.url, ev?.payload.method, ev?.payload.query], ['netbox', 'POST', { site: 'dc1' }]);
    assert.equal((ev?.payload.body as { object_type: string }).object_type, 'dcim.site');
    const headers = ev?.payload.headers as Record<string, string>;
    assert.equal(headers['x-request-id'], 'abc');
    assert.equal(headers['x-netreflex-token'], undefined);
    assert.ok(!JSON.stringify(ev).includes(hooks.netbox!.secret));
    const noType = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/netbox',
      headers: { 'x-netreflex-token': hooks.netbox!.secret },
      payload: 'plain words',
    });
    assert.equal(noType.statusCode, 202, noType.body);
    assert.equal((await h.appliance.store.getTriggerInstance(noType.json().events[0].id))?.payload.body, 'plain words');
    const audit = (await h.auth.audit.list({ limit: 100 })).filter((a) => a.route === '/api/v1/webhooks/:name' && a.method === 'POST');
    assert.ok(audit.length > 0);
    assert.ok(
      audit.every((a) => a.user === null && !JSON.stringify(a.detail).includes('dcim.site')),
      'audit rows name the webhook, not the body',
    );
  });

  test('deleting a webhook removes its secret; operators may not', async () => {
    const del = (who: 'admin' | 'operator', name: string) => h.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${name}`, headers: h.as(who) });
    assert.equal((await del('operator', 'netbox')).statusCode, 403);
    assert.equal((await del('admin', 'netbox')).statusCode, 200);
    assert.equal((await del('admin', 'netbox')).statusCode, 404);
    assert.equal(await h.kv.get('system', 'webhook.netbox'), null);
    const r = await deliver('netbox', '{}', { 'x-netreflex-token': hooks.netbox!.secret });
    assert.equal(r.statusCode, 404);
  });
});
