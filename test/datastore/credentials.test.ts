import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { CredentialStore, type Credential } from '../../src/datastore/credentials.js';
import { MASKED } from '../../src/datastore/keyvalue.js';
import { withDatastore } from './helpers.js';

describe('device credentials', () => {
  test('set, get, list, delete; kept as encrypted system keys credential.<name>', async () => {
    await withDatastore(async ({ kv, store }) => {
      const creds = new CredentialStore(kv);
      await creds.set('lab-admin', { username: 'admin', password: 'Fr0g!' });
      await creds.set('core.ro', { username: 'netops', private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n', passphrase: 'k3y' });
      assert.deepEqual(await creds.get('lab-admin'), { username: 'admin', password: 'Fr0g!' });
      assert.deepEqual(await creds.get('core.ro'), { username: 'netops', private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n', passphrase: 'k3y' });
      assert.deepEqual(await creds.list(), ['core.ro', 'lab-admin']);
      const view = await kv.get('system', 'credential.lab-admin');
      assert.equal(view?.secret, true);
      assert.equal(view?.value, MASKED);
      assert.ok(!store.kvGetSync('system', 'credential.lab-admin')!.value.includes('Fr0g!'));
      assert.equal(await creds.get('nobody'), null);
      assert.equal(await creds.delete('lab-admin'), true);
      assert.equal(await creds.delete('lab-admin'), false);
      assert.deepEqual(await creds.list(), ['core.ro']);
    });
  });

  test('shape is validated; the error names the field and never the secret', async () => {
    await withDatastore(async ({ kv }) => {
      const creds = new CredentialStore(kv);
      const cases: Array<[unknown, string]> = [
        [{ password: 'Xyzzy123' }, 'username'],
        [{ username: '', password: 'Xyzzy123' }, 'username'],
        [{ username: 'admin' }, 'password'],
        [{ username: 'admin', password: '' }, 'password'],
        [{ username: 'admin', password: 'Xyzzy123', passphrase: 'Xyzzy456' }, 'passphrase'],
        [{ username: 'admin', password: 'Xyzzy123', enable: 'Xyzzy789' }, 'enable'],
        [{ username: 'admin', password: 12345678 }, 'password'],
        ['Xyzzy123', 'credential'],
      ];
      for (const [c, field] of cases) {
        await assert.rejects(
          creds.set('r1', c as Credential),
          (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_KV_INVALID' && e.location.field === field && !/Xyzzy|12345678/.test(e.message),
          JSON.stringify(c),
        );
      }
      await assert.rejects(creds.set('bad name', { username: 'a', password: 'b' }), (e: unknown) => e instanceof NrxError && e.location.field === 'name');
      assert.deepEqual(await creds.list(), []);
    });
  });

  test('a credential key that was overwritten unencrypted is refused, not handed out', async () => {
    await withDatastore(async ({ kv }) => {
      const creds = new CredentialStore(kv);
      await kv.set('system', 'credential.r1', JSON.stringify({ username: 'a', password: 'b' }));
      await assert.rejects(creds.get('r1'), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_SECRET' && /unencrypted/.test(e.message));
    });
  });
});
