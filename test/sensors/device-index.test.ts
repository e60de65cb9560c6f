import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aliasesOf, DeviceTable } from '../../src/sensors/device-index.js';
import { declaredLags, LagIndex } from '../../src/inventory/lag-index.js';
import type { ResolvedHost } from '../../src/inventory/model.js';

test('a device is found by its aliases (the syslog hostname OVS uses, a trap or sFlow source); an alias never takes another device', () => {
  const t = new DeviceTable([
    ['leaf1', '127.0.0.1', 'frr'],
    ['labsw1', '127.0.50.1', 'openvswitch', ['vm', '10.9.9.9', 'leaf1']],
  ]);
  assert.equal(t.byHostname('vm')?.name, 'labsw1');
  assert.equal(t.byHostname('VM')?.name, 'labsw1');
  assert.equal(t.byAddress('10.9.9.9')?.name, 'labsw1');
  assert.equal(t.byAddress('127.0.50.1')?.name, 'labsw1');
  assert.equal(t.byAddress('::ffff:127.0.50.1')?.name, 'labsw1');
  assert.equal(t.byHostname('leaf1')?.name, 'leaf1');
  assert.equal(t.byAddress('127.0.0.1')?.name, 'leaf1');
});

test('aliases and LAGs come from inventory data; malformed entries are skipped, never thrown', () => {
  assert.deepEqual(aliasesOf({ aliases: ['vm', ' 10.0.0.9 ', '', 7, null] }), ['vm', '10.0.0.9']);
  assert.deepEqual(aliasesOf({ aliases: 'vm' }), ['vm']);
  assert.deepEqual(aliasesOf({}), []);
  assert.deepEqual(
    declaredLags({ lags: { bondA: { members: ['lagx1-a', 'lagx2-a'], min_links: 2 }, bad: 'x', empty: { members: [] }, po1: { members: ['e1', 3] } } }),
    [
      { name: 'bondA', members: ['lagx1-a', 'lagx2-a'], minLinks: 2 },
      { name: 'po1', members: ['e1'], minLinks: 1 },
    ],
  );
  assert.deepEqual(declaredLags({ lags: ['x'] }), []);
});

test('the LAG index follows the inventory snapshot', () => {
  const host = (lags: unknown): ResolvedHost => ({
    name: 'labsw1',
    hostname: '127.0.50.1',
    platform: 'openvswitch',
    port: null,
    username: null,
    credential: null,
    connectionOptions: {},
    data: { lags },
    groups: [],
  });
  let hosts = new Map([['labsw1', host({ bondA: { members: ['lagx1-a'] } })]]);
  const idx = new LagIndex(() => hosts);
  assert.deepEqual(idx.lagOf('labsw1', 'LAGX1-A'), { name: 'bondA', minLinks: 1 });
  assert.equal(idx.lagOf('labsw1', 'lagx2-a'), null);
  hosts = new Map([['labsw1', host({ bondB: { members: ['lagx2-a'] } })]]);
  assert.deepEqual(idx.lagOf('labsw1', 'lagx2-a'), { name: 'bondB', minLinks: 1 });
  assert.equal(idx.lagOf('labsw1', 'lagx1-a'), null);
});
