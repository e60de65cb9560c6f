import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { CredentialStore } from '../../src/datastore/credentials.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { DATABASE_FILE, openSqliteStore } from '../../src/store/sqlite-store.js';
import { tempDataDir } from './helpers.js';

/** Every byte SQLite has on disk for this database: the main file and its write-ahead log. */
function databaseBytes(dir: string): Buffer {
  const parts = [DATABASE_FILE, `${DATABASE_FILE}-wal`].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  return Buffer.concat(parts.map((f) => fs.readFileSync(f)));
}

test('a secret set with encrypt is ciphertext in the SQLite files; the plaintext appears nowhere', async () => {
  const dir = tempDataDir();
  const store = openSqliteStore(dir);
  const kv = new KeyValueStore(store, SecretCipher.loadOrCreate(dir));
  const secret = 'BGP-md5-Corr3ct-Horse-B4ttery';
  const credPassword = 'Ssh-Pa55w0rd-Staple';
  await kv.set('system', 'bgp.md5.leaf01', secret, { encrypt: true });
  await kv.set('user:alice', 'token', secret, { encrypt: true });
  await new CredentialStore(kv).set('lab', { username: 'admin', password: credPassword });
  await kv.set('system', 'visible.marker', 'Plain-Marker-Value');

  // While the store is open (the secret is in the WAL) and after close (checkpointed into the main file).
  for (const phase of ['open', 'closed']) {
    if (phase === 'closed') await store.close();
    const bytes = databaseBytes(dir);
    assert.ok(bytes.includes('Plain-Marker-Value'), `${phase}: the test reads the right files (the plain marker is there)`);
    for (const needle of [secret, credPassword]) {
      const forms: Array<[string, Buffer]> = [
        ['utf8', Buffer.from(needle, 'utf8')],
        ['utf16le', Buffer.from(needle, 'utf16le')],
        ['base64', Buffer.from(Buffer.from(needle, 'utf8').toString('base64'), 'utf8')],
      ];
      for (const [form, b] of forms) assert.ok(!bytes.includes(b), `${phase}: plaintext (${form}) found on disk`);
    }
    assert.ok(bytes.includes('nrx:v1:'), `${phase}: ciphertext tokens are on disk`);
  }
});
