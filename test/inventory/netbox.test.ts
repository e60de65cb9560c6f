import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { devicesFromJson, fetchNetboxDevices, mapNetboxDevices, mapPlatform } from '../../src/inventory/netbox.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const FIXTURES = path.join('test', 'inventory', 'fixtures', 'netbox');
const devicesPage = JSON.parse(readFileSync(path.join(FIXTURES, 'dcim_devices.json'), 'utf8')) as { results: Array<Record<string, unknown>> };
const oneDevice = JSON.parse(readFileSync(path.join(FIXTURES, 'dcim_device.json'), 'utf8')) as Record<string, unknown>;

const stores: SqliteStore[] = [];
const servers: Server[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const s of servers) await new Promise((r) => s.close(r));
});

function service(): InventoryService {
  const store = openSqliteStore(mkdtempSync(path.join(tmpdir(), 'nrx-netbox-')));
  stores.push(store);
  return new InventoryService(store);
}

/** A NetBox stand-in on a free port: /api/dcim/devices/ in pages of `pageSize`, `next` written with another host name. */
async function fakeNetbox(devices: unknown[], pageSize: number, opts: { token?: string } = {}): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const u = new URL(req.url!, 'http://x');
    if (opts.token && req.headers.authorization !== `Token ${opts.token}`) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"detail":"Invalid token"}');
      return;
    }
    if (u.pathname !== '/api/dcim/devices/') return void res.writeHead(404).end();
    const offset = Number(u.searchParams.get('offset') ?? 0);
    const rest = offset + pageSize < devices.length;
    // Like NetBox behind a proxy: the link names a host this client must not send the token to.
    const next = rest ? `http://netbox.internal.example/api/dcim/devices/?limit=${pageSize}&offset=${offset + pageSize}` : null;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ count: devices.length, next, previous: null, results: devices.slice(offset, offset + pageSize) }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('NetBox import', () => {
  test('platform slugs map to our platform names; unknown ones are kept', () => {
    assert.equal(mapPlatform('ios'), 'cisco_ios');
    assert.equal(mapPlatform('iosxe'), 'cisco_ios');
    assert.equal(mapPlatform('cisco-ios-xe'), 'cisco_ios');
    assert.equal(mapPlatform('nxos'), 'cisco_nxos');
    assert.equal(mapPlatform('eos'), 'arista_eos');
    assert.equal(mapPlatform('junos'), 'juniper_junos');
    assert.equal(mapPlatform('juniper-junos'), 'juniper_junos');
    assert.equal(mapPlatform('iosxr'), 'cisco_iosxr');
    assert.equal(mapPlatform('frr'), 'frr');
    assert.equal(mapPlatform('opengear'), 'opengear');
  });

  test('the pynetbox devices page: hosts, groups, and every device without an address reported by name', () => {
    const m = mapNetboxDevices(devicesFromJson(devicesPage));
    assert.deepEqual(
      m.hosts.map((h) => [h.name, h.hostname, h.platform]),
      [
        ['test1-core1', '10.0.254.1', 'juniper_junos'],
        ['test1-core2', '10.0.254.2', 'juniper_junos'],
        ['test1-edge1', '10.0.255.1', 'juniper_junos'],
        ['test1-edge2', '10.0.255.2', 'juniper_junos'],
      ],
    );
    assert.deepEqual(m.hosts[0], {
      name: 'test1-core1',
      hostname: '10.0.254.1',
      platform: 'juniper_junos',
      groups: ['site-test1', 'role-core-switch'],
      data: { site: 'test1', role: 'core-switch', netbox_id: 2 },
    });
    assert.deepEqual(
      m.groups.map((g) => g.name),
      ['site-test1', 'role-core-switch', 'role-router'],
    );
    assert.equal(m.errors.length, 7);
    for (const name of ['test1-leaf1', 'test1-leaf2', 'test1-oob1', 'test1-pdu1', 'test1-pdu2', 'test1-spine1', 'test1-spine2']) {
      assert.ok(
        m.errors.some((e) => e.includes(`'${name}'`) && /no primary IPv4 or IPv6 address/.test(e)),
        `${name} is reported`,
      );
    }
  });

  test('tags, tenant, IPv6-only, older device_role, unnamed and duplicate devices', () => {
    const m = mapNetboxDevices([
      { ...oneDevice, tags: [{ id: 1, name: 'Edge', slug: 'edge' }, 'evpn'], tenant: { id: 3, name: 'Acme', slug: 'acme' } },
      { id: 20, name: 'v6-only', primary_ip6: { address: '2001:db8::20/128' }, device_role: { slug: 'leaf' }, platform: { slug: 'eos' } },
      { id: 21, name: null, primary_ip: { address: '192.0.2.21/32' } },
      { id: 22, name: 'test1-edge1', primary_ip: { address: '192.0.2.22/32' } },
      'garbage',
    ]);
    assert.deepEqual(m.hosts[0]!.data, { site: 'test1', role: 'router', tenant: 'acme', tags: ['edge', 'evpn'], netbox_id: 1 });
    assert.deepEqual(m.hosts[1], {
      name: 'v6-only',
      hostname: '2001:db8::20',
      platform: 'arista_eos',
      groups: ['role-leaf'],
      data: { role: 'leaf', netbox_id: 20 },
    });
    assert.equal(m.hosts.length, 2);
    assert.match(m.errors[0]!, /device id 21: has no name/);
    assert.match(m.errors[1]!, /'test1-edge1' \(id 22\): the name is also used by device id 1/);
    assert.match(m.errors[2]!, /device #5: not a JSON object/);
  });

  test('JSON that is not a device list is refused', () => {
    assert.throws(
      () => devicesFromJson({ detail: 'Not found.' }),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_INVENTORY_INVALID',
    );
    assert.equal(devicesFromJson(oneDevice).length, 1);
    assert.equal(devicesFromJson([devicesPage, devicesPage]).length, 22);
  });

  test('importNetbox from the fixture JSON merges into the stored inventory and keeps local fields', async () => {
    const inv = service();
    await inv.putGroup({ name: 'core' });
    await inv.putGroup({ name: 'site-old' });
    await inv.putHost({
      name: 'test1-core1',
      hostname: '198.51.100.1',
      credential: 'core-cred',
      groups: ['core', 'site-old'],
      data: { asn: 65000, site: 'old' },
    });
    const r = await inv.importNetbox({ json: devicesPage });
    assert.equal(r.hosts, 4);
    assert.equal(r.groups, 3);
    assert.equal(r.errors.length, 7);
    const core1 = (await inv.getRawHost('test1-core1'))!;
    assert.equal(core1.hostname, '10.0.254.1');
    assert.equal(core1.credential, 'core-cred', 'what NetBox does not know is kept');
    assert.deepEqual(core1.groups, ['site-test1', 'role-core-switch', 'core'], 'the old site group is dropped, others kept');
    assert.deepEqual(core1.data, { asn: 65000, site: 'test1', role: 'core-switch', netbox_id: 2 });
    assert.deepEqual(
      (await inv.listHosts('group=role-router')).map((h) => h.name),
      ['test1-edge1', 'test1-edge2'],
    );
    assert.deepEqual(
      (await inv.listHosts('site=test1, platform=juniper_junos')).map((h) => h.name),
      ['test1-core1', 'test1-core2', 'test1-edge1', 'test1-edge2'],
    );
  });

  test('importNetbox from a URL follows next across two pages, sends the token, never to another host', async () => {
    const { url, requests } = await fakeNetbox(devicesPage.results, 6, { token: 's3cr3t' });
    const inv = service();
    const r = await inv.importNetbox({ url, token: 's3cr3t' });
    assert.equal(requests.length, 2, 'two pages');
    assert.ok(requests.every((q) => q.headers.authorization === 'Token s3cr3t' && q.headers.host!.startsWith('127.0.0.1:')));
    assert.match(requests[1]!.url!, /offset=6/);
    assert.equal(r.hosts, 4);
    assert.equal(r.errors.length, 7);
    assert.equal((await inv.listHosts()).length, 4);
  });

  test('HTTP errors name the URL and hint at the token, without printing it', async () => {
    const { url } = await fakeNetbox(devicesPage.results, 100, { token: 'right' });
    await assert.rejects(
      fetchNetboxDevices(url, { token: 'wrong' }),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_HTTP' && /HTTP 403 \(check the API token\)/.test(e.message) && !e.message.includes('wrong'),
    );
    await assert.rejects(fetchNetboxDevices('ftp://netbox'), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_USAGE');
    await assert.rejects(service().importNetbox({}), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_USAGE');
  });

  test('a next link that points back at a page already read stops with an error', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ next: '/api/dcim/devices/?limit=1000', results: [] })),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dcim/devices/`;
    await assert.rejects(fetchNetboxDevices(url), (e: unknown) => e instanceof NrxError && /links back to itself/.test(e.message));
  });
});

test('property: any JSON as NetBox devices maps to hosts or named errors, never a crash', () => {
  const device = fc.record(
    {
      id: fc.oneof(fc.integer(), fc.string()),
      name: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
      primary_ip: fc.oneof(fc.constant(null), fc.record({ address: fc.oneof(fc.string(), fc.integer()) })),
      platform: fc.oneof(fc.constant(null), fc.jsonValue(), fc.record({ slug: fc.string() })),
      site: fc.jsonValue(),
      tags: fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.string(), fc.record({ slug: fc.string() })))),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(device, fc.jsonValue())), (devices) => {
      const m = mapNetboxDevices(devices);
      assert.equal(m.hosts.length + m.errors.length, devices.length);
      for (const h of m.hosts) assert.equal(typeof h.hostname, 'string');
    }),
    { numRuns: 500 },
  );
});
