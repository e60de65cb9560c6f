import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

function tempDir(prefix = 'nrx-invsvc-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function service(dataDir = tempDir()): { inv: InventoryService; dataDir: string } {
  const store = openSqliteStore(dataDir);
  stores.push(store);
  return { inv: new InventoryService(store), dataDir };
}

function isInventoryError(field?: string, msg?: RegExp) {
  return (e: unknown): boolean =>
    e instanceof NrxError &&
    e.code === 'NRX_ERR_INVENTORY_INVALID' &&
    (field === undefined || e.location.field === field) &&
    (msg === undefined || msg.test(e.message));
}

describe('InventoryService', () => {
  test('loadYaml loads the example inventory; listHosts resolves and filters', async () => {
    const { inv } = service();
    const r = await inv.loadYaml('inventory');
    assert.deepEqual(r.errors, []);
    assert.equal(r.hosts, 8);
    assert.equal(r.groups, 5);
    assert.equal((await inv.listHosts()).length, 8);
    assert.deepEqual(
      (await inv.listHosts('role=leaf and site=dc2')).map((h) => h.name),
      ['dc2-leaf1', 'dc2-leaf2'],
    );
    const leaf = (await inv.getHost('dc1-leaf1'))!;
    assert.equal(leaf.platform, 'arista_eos');
    assert.equal(leaf.username, 'netops');
    assert.equal(leaf.port, 22);
    assert.equal(await inv.getHost('nope'), null);
    await assert.rejects(inv.listHosts('role='), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_FILTER_INVALID');
  });

  test('loadYaml is all or nothing: an invalid file leaves the stored inventory alone', async () => {
    const { inv } = service();
    await inv.loadYaml('inventory');
    const bad = tempDir();
    cpSync('inventory', bad, { recursive: true });
    writeFileSync(path.join(bad, 'hosts.yaml'), readFileSync(path.join(bad, 'hosts.yaml'), 'utf8').replaceAll('groups: [dc2, leaves]', 'groups: [dc2, leafs]'));
    const r = await inv.loadYaml(bad);
    assert.equal(r.hosts, 0);
    assert.equal(r.errors.length, 2);
    assert.ok(r.errors.every((e) => /unknown group 'leafs'/.test(e.message) && /hosts\.yaml, line \d+/.test(e.message)));
    assert.equal((await inv.listHosts()).length, 8, 'nothing was replaced');
  });

  test('host CRUD: put validates, keeps order, get raw and resolved, delete', async () => {
    const { inv } = service();
    await inv.putGroup({ name: 'dc1', platform: 'frr', data: { site: 'dc1' } });
    await inv.putDefaults({ port: 22, username: 'automation' });
    await inv.putHost({ name: 'r2', hostname: '192.0.2.2', groups: ['dc1'] });
    await inv.putHost({ name: 'r1', hostname: '192.0.2.1', credential: 'lab' });
    assert.deepEqual(
      (await inv.listHosts()).map((h) => h.name),
      ['r2', 'r1'],
      'in the order they were added',
    );
    assert.deepEqual(await inv.getRawHost('r2'), { name: 'r2', hostname: '192.0.2.2', groups: ['dc1'] });
    const r2 = (await inv.getHost('r2'))!;
    assert.equal(r2.platform, 'frr');
    assert.equal(r2.username, 'automation');
    assert.deepEqual(r2.data, { site: 'dc1' });

    // An update keeps the host's place.
    await inv.putHost({ name: 'r2', hostname: '192.0.2.22', groups: ['dc1'], port: 830 });
    assert.deepEqual(
      (await inv.listHosts()).map((h) => [h.name, h.hostname, h.port]),
      [
        ['r2', '192.0.2.22', 830],
        ['r1', '192.0.2.1', 22],
      ],
    );

    await assert.rejects(inv.putHost({ name: 'r3', groups: ['dc9'] }), isInventoryError('r3.groups[0]', /unknown group 'dc9'/));
    await assert.rejects(inv.putHost({ name: 'r3', port: 0 }), isInventoryError('r3.port'));
    await assert.rejects(inv.putHost({ name: 'r3', password: 'x' } as never), isInventoryError('r3.password', /credential: <name>/));
    await assert.rejects(inv.putHost({ name: 'bad name' }), isInventoryError(undefined, /invalid host name/));
    assert.equal(await inv.getHost('r3'), null);

    assert.equal(await inv.deleteHost('r1'), true);
    assert.equal(await inv.deleteHost('r1'), false);
    assert.deepEqual(
      (await inv.listHosts()).map((h) => h.name),
      ['r2'],
    );
  });

  test('group CRUD: parents must exist, cycles are refused, a used group cannot be deleted', async () => {
    const { inv } = service();
    await inv.putGroup({ name: 'fabric', username: 'netops' });
    await inv.putGroup({ name: 'dc1', groups: ['fabric'] });
    await assert.rejects(inv.putGroup({ name: 'dc2', groups: ['nowhere'] }), isInventoryError('dc2.groups[0]', /unknown parent group 'nowhere'/));
    await assert.rejects(inv.putGroup({ name: 'fabric', groups: ['dc1'] }), isInventoryError('fabric.groups', /group cycle/));
    await assert.rejects(inv.putGroup({ name: 'dc1', groups: ['dc1'] }), isInventoryError(undefined, /group cycle dc1 -> dc1/));
    await inv.putHost({ name: 'r1', groups: ['dc1'] });
    assert.equal((await inv.getHost('r1'))!.username, 'netops');
    assert.deepEqual(
      (await inv.listGroups()).map((g) => g.name),
      ['fabric', 'dc1'],
    );
    await assert.rejects(inv.deleteGroup('dc1'), isInventoryError(undefined, /still used by host r1/));
    await assert.rejects(inv.deleteGroup('fabric'), isInventoryError(undefined, /still used by group dc1/));
    await inv.deleteHost('r1');
    assert.equal(await inv.deleteGroup('dc1'), true);
    assert.equal(await inv.deleteGroup('dc1'), false);
    await assert.rejects(inv.putDefaults({ groups: ['fabric'] }), isInventoryError('groups', /defaults cannot have groups/));
  });

  test('groupsOf is synchronous, includes inherited groups, and follows writes', async () => {
    const { inv } = service();
    await inv.loadYaml('inventory');
    assert.deepEqual(inv.groupsOf('dc1-leaf1'), ['dc1', 'leaves', 'fabric']);
    assert.deepEqual(inv.groupsOf('unknown-device'), []);
    await inv.putGroup({ name: 'maint-a' });
    await inv.putHost({ ...(await inv.getRawHost('dc1-leaf1'))!, groups: ['maint-a', 'dc1', 'leaves'] });
    assert.deepEqual(inv.groupsOf('dc1-leaf1'), ['maint-a', 'dc1', 'leaves', 'fabric']);
  });

  test('another connection writing to the same database is seen (data_version)', async () => {
    const { inv, dataDir } = service();
    await inv.loadYaml('inventory');
    assert.deepEqual(inv.groupsOf('dc2-border1'), ['dc2', 'fabric']);
    const other = service(dataDir).inv;
    await other.deleteHost('dc2-border1');
    assert.deepEqual(inv.groupsOf('dc2-border1'), []);
    assert.equal((await inv.listHosts()).length, 7);
  });

  test('a commit to other tables by another connection does not re-read the inventory', async () => {
    const { inv, dataDir } = service();
    await inv.loadYaml('inventory');
    const before = await inv.getHost('dc1-leaf1');
    const other = openSqliteStore(dataDir);
    stores.push(other);
    await other.commit([
      { op: 'kvPut', value: { scope: 'system', key: 'k', value: 'v', secret: false, expiresAt: null, updatedAt: new Date().toISOString() } },
    ]);
    assert.equal(await inv.getHost('dc1-leaf1'), before, 'same cached object');
    await new InventoryService(other).putHost({ name: 'extra' });
    assert.notEqual(await inv.getHost('dc1-leaf1'), before, 'an inventory write from elsewhere is noticed');
    assert.ok(await inv.getHost('extra'));
  });

  test('exportYaml then loadYaml round trips the inventory exactly', async () => {
    const { inv } = service();
    await inv.loadYaml('inventory');
    await inv.putHost({ name: 'new-leaf', hostname: '2001:db8::1', groups: ['dc2', 'leaves'], data: { asn: 65299, 'odd key': [1, { a: null }] } });
    const out = tempDir();
    await inv.exportYaml(out);
    const second = service().inv;
    const r = await second.loadYaml(out);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(await second.listHosts(), await inv.listHosts());
    assert.deepEqual(await second.listGroups(), await inv.listGroups());
    assert.deepEqual(await second.getDefaults(), await inv.getDefaults());
    for (const h of await inv.listHosts()) assert.deepEqual(await second.getRawHost(h.name), await inv.getRawHost(h.name));
    assert.match(readFileSync(path.join(out, 'hosts.yaml'), 'utf8'), /^new-leaf:\n {2}hostname: 2001:db8::1\n/m);
  });

  test('the inventory survives a restart (it lives in the database)', async () => {
    const dataDir = tempDir();
    const store = openSqliteStore(dataDir);
    await new InventoryService(store).loadYaml('inventory');
    await store.close();
    const { inv } = service(dataDir);
    assert.equal((await inv.listHosts('platform=frr')).length, 1);
  });
});
