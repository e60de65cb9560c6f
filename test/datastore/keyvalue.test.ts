import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { MASKED } from '../../src/datastore/keyvalue.js';
import { codeOf, withDatastore } from './helpers.js';

const invalid =
  (field: string) =>
  (e: unknown): boolean =>
    e instanceof NrxError && e.code === 'NRX_ERR_KV_INVALID' && e.location.field === field;

describe('key-value datastore', () => {
  test('set and get a plain key in each scope; scopes do not see each other', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'ntp_server', '10.0.0.1');
      await kv.set('user:alice', 'ntp_server', '10.9.9.9');
      await kv.set('pack:network', 'ntp_server', '192.0.2.1');
      assert.equal((await kv.get('system', 'ntp_server'))?.value, '10.0.0.1');
      assert.equal((await kv.get('user:alice', 'ntp_server'))?.value, '10.9.9.9');
      assert.equal((await kv.get('pack:network', 'ntp_server'))?.value, '192.0.2.1');
      assert.equal(await kv.get('user:bob', 'ntp_server'), null);
      const v = await kv.get('system', 'ntp_server');
      assert.deepEqual({ ...v, updatedAt: 'x' }, { scope: 'system', key: 'ntp_server', value: '10.0.0.1', secret: false, expiresAt: null, updatedAt: 'x' });
      await kv.set('system', 'ntp_server', '10.0.0.2');
      assert.equal((await kv.get('system', 'ntp_server'))?.value, '10.0.0.2');
    });
  });

  test('list by prefix, sorted by key, within one scope', async () => {
    await withDatastore(async ({ kv }) => {
      for (const k of ['dc1.ntp', 'dc1.dns', 'dc2.ntp', 'dc10.ntp', 'dc1']) await kv.set('system', k, k.toUpperCase());
      await kv.set('user:alice', 'dc1.ntp', 'mine');
      assert.deepEqual(
        (await kv.list('system', 'dc1.')).map((v) => v.key),
        ['dc1.dns', 'dc1.ntp'],
      );
      assert.deepEqual(
        (await kv.list('system', 'dc1')).map((v) => v.key),
        ['dc1', 'dc1.dns', 'dc1.ntp', 'dc10.ntp'],
      );
      assert.equal((await kv.list('system')).length, 5);
      assert.deepEqual(
        (await kv.list('user:alice')).map((v) => v.value),
        ['mine'],
      );
      // A LIKE wildcard in the prefix is a literal character.
      assert.deepEqual(await kv.list('system', 'dc_'), []);
    });
  });

  test('secrets read as ******** unless decrypted, and are ciphertext in the store', async () => {
    await withDatastore(async ({ kv, store }) => {
      await kv.set('system', 'snmp_community', 'n0t-public', { encrypt: true });
      const masked = await kv.get('system', 'snmp_community');
      assert.equal(masked?.value, MASKED);
      assert.equal(masked?.secret, true);
      assert.equal((await kv.get('system', 'snmp_community', { decrypt: true }))?.value, 'n0t-public');
      assert.deepEqual(
        (await kv.list('system')).map((v) => v.value),
        [MASKED],
      );
      assert.deepEqual(
        (await kv.list('system', '', { decrypt: true })).map((v) => v.value),
        ['n0t-public'],
      );
      const raw = store.kvGetSync('system', 'snmp_community');
      assert.match(raw!.value, /^nrx:v1:[0-9a-f]{8}:/);
      assert.ok(!raw!.value.includes('n0t-public'));
    });
  });

  test('expired keys are invisible to get and list, delete reports them gone, prune removes the row', async () => {
    await withDatastore(async ({ kv, store }) => {
      await kv.set('system', 'maint.dc1', 'on', { ttlSeconds: 60 });
      await kv.set('system', 'maint.dc2', 'on');
      const v = await kv.get('system', 'maint.dc1');
      const ttl = Date.parse(v!.expiresAt!) - Date.now();
      assert.ok(ttl > 55_000 && ttl <= 60_000, `expires in ${ttl} ms`);
      const later = new Date(Date.now() + 61_000);
      assert.equal(store.kvGetSync('system', 'maint.dc1', later), null);
      assert.deepEqual(
        store.kvListSync('system', 'maint.', later).map((r) => r.key),
        ['maint.dc2'],
      );
      const report = await store.prune({ maxAgeDays: 3650, maxExecutions: 1_000_000, maxEvents: 1_000_000 }, later);
      assert.equal(report.keys, 1);
      // The row itself is gone (not merely hidden): even a reader at an earlier time sees nothing.
      assert.equal(store.kvGetSync('system', 'maint.dc1', new Date(0)), null);
      assert.equal(store.kvGetSync('system', 'maint.dc2', new Date(0))?.value, 'on');
      assert.equal((await kv.list('system', 'maint.')).length, 1);
    });
  });

  test('a key set with a one-second TTL is gone a second later', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'flap.lock', 'held', { ttlSeconds: 1 });
      assert.equal((await kv.get('system', 'flap.lock'))?.value, 'held');
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await kv.get('system', 'flap.lock'), null);
      assert.equal(await kv.delete('system', 'flap.lock'), false);
    });
  });

  test('delete answers whether the key was there', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('pack:network', 'x', '1');
      assert.equal(await kv.delete('pack:network', 'x'), true);
      assert.equal(await kv.delete('pack:network', 'x'), false);
      assert.equal(await kv.get('pack:network', 'x'), null);
    });
  });

  test('bad scopes, keys and TTLs are refused, naming the field', async () => {
    await withDatastore(async ({ kv }) => {
      for (const scope of ['', 'global', 'user:', 'user:a b', 'pack:', 'pack:a/b', 'System']) {
        await assert.rejects(kv.set(scope, 'k', 'v'), invalid('scope'), scope);
      }
      for (const key of ['', 'a b', 'tab\tkey', 'x'.repeat(513)]) await assert.rejects(kv.set('system', key, 'v'), invalid('key'), JSON.stringify(key));
      for (const ttl of [0, -5, 1.5, Number.NaN]) await assert.rejects(kv.set('system', 'k', 'v', { ttlSeconds: ttl }), invalid('ttl'), String(ttl));
      await assert.rejects(kv.set('system', 'k', 42 as unknown as string), invalid('value'));
      await assert.rejects(kv.list('nope'), invalid('scope'));
    });
  });

  test('an error about a secret never contains its value', async () => {
    await withDatastore(async ({ kv }) => {
      await assert.rejects(
        kv.set('system', 'k', 'pl41n\ud800text', { encrypt: true }),
        (e: unknown) => codeOf(e) === 'NRX_ERR_SECRET' && !(e as Error).message.includes('pl41n'),
      );
      await assert.rejects(
        kv.set('system', 'k', 'x'.repeat(1024 * 1024 + 1), { encrypt: true }),
        (e: unknown) => codeOf(e) === 'NRX_ERR_KV_INVALID' && (e as Error).message.length < 300,
      );
    });
  });
});
