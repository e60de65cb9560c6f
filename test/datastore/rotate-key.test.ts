import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { registerKeyRotate } from '../../src/cli/commands/key-local.js';
import { NrxError } from '../../src/core/errors.js';
import { rotateKey, SecretCipher } from '../../src/datastore/cipher.js';
import { KEY_FILE, keyIdOf, retiredKeyPath, writeKeyFile } from '../../src/datastore/key-file.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { DATABASE_FILE, openSqliteStore } from '../../src/store/sqlite-store.js';
import { tempDataDir, withDatastore } from './helpers.js';

function databaseBytes(dir: string): Buffer {
  return Buffer.concat(
    [DATABASE_FILE, `${DATABASE_FILE}-wal`]
      .map((f) => path.join(dir, f))
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f)),
  );
}

const SECRETS: Array<[string, string, string]> = [
  ['system', 'bgp.md5.leaf01', 'md5-one'],
  ['system', 'snmp.community', 'c0mmunity'],
  ['user:alice', 'api_token', 'tok-alice'],
  ['pack:network', 'enable', 'en-secret'],
];

describe('key rotation', () => {
  test('every secret is re-encrypted under a new key; values still decrypt; old tokens leave the SQLite files', async () => {
    await withDatastore(async ({ dir, store, kv, cipher }) => {
      for (const [scope, key, value] of SECRETS) await kv.set(scope, key, value, { encrypt: true });
      await kv.set('system', 'plain', 'not-secret');
      const oldId = cipher.keyId;
      const oldTokens = SECRETS.map(([scope, key]) => store.kvGetSync(scope, key)!.value);
      for (const t of oldTokens) assert.ok(databaseBytes(dir).includes(t), 'old token is on disk before rotation');

      const report = await rotateKey(dir, store);
      assert.equal(report.reencrypted, SECRETS.length);
      assert.notEqual(report.keyId, oldId);
      assert.equal(report.keyId, keyIdOf(fs.readFileSync(path.join(dir, KEY_FILE))));
      assert.equal(report.walTruncated, true);
      assert.equal(fs.statSync(path.join(dir, KEY_FILE)).mode & 0o777, 0o600);
      assert.deepEqual(
        fs.readdirSync(dir).filter((f) => f.startsWith(KEY_FILE)),
        [KEY_FILE],
        'no retired or temp key files remain',
      );

      for (const [scope, key, value] of SECRETS) {
        assert.match(store.kvGetSync(scope, key)!.value, new RegExp(`^nrx:v1:${report.keyId}:`));
        // The datastore opened before rotation notices the new key file.
        assert.equal((await kv.get(scope, key, { decrypt: true }))?.value, value);
      }
      assert.equal((await kv.get('system', 'plain'))?.value, 'not-secret');
      const fresh = new KeyValueStore(store, SecretCipher.loadOrCreate(dir));
      assert.equal((await fresh.get('system', 'snmp.community', { decrypt: true }))?.value, 'c0mmunity');
      // New secrets written by the old handle are sealed with the new key.
      await kv.set('system', 'after', 'x', { encrypt: true });
      assert.match(store.kvGetSync('system', 'after')!.value, new RegExp(`^nrx:v1:${report.keyId}:`));

      const bytes = databaseBytes(dir);
      for (const t of oldTokens) assert.ok(!bytes.includes(t.split(':')[3]!), 'an old ciphertext is still in the SQLite files');
      assert.equal(bytes.includes(`nrx:v1:${oldId}:`), false);
    });
  });

  test('expired secrets are deleted rather than re-encrypted', async () => {
    await withDatastore(async ({ dir, store, kv }) => {
      await kv.set('system', 'short', 'gone-soon', { encrypt: true, ttlSeconds: 1 });
      await kv.set('system', 'long', 'stays', { encrypt: true });
      await new Promise((r) => setTimeout(r, 1100));
      const report = await rotateKey(dir, store);
      assert.deepEqual([report.reencrypted, report.expiredDeleted], [1, 1]);
      assert.equal(store.kvGetSync('system', 'short', new Date(0)), null);
    });
  });

  test('an interrupted rotation still decrypts everything, and running it again finishes', async () => {
    await withDatastore(async ({ dir, store, kv, cipher }) => {
      for (const [scope, key, value] of SECRETS) await kv.set(scope, key, value, { encrypt: true });
      const oldId = cipher.keyId;
      // Simulate a crash after steps 1 and 2: old key retired, new key in place, rows not yet re-encrypted.
      writeKeyFile(retiredKeyPath(dir, oldId), fs.readFileSync(path.join(dir, KEY_FILE)));
      writeKeyFile(path.join(dir, KEY_FILE), Buffer.alloc(32, 7));
      const restarted = new KeyValueStore(store, SecretCipher.loadOrCreate(dir));
      for (const [scope, key, value] of SECRETS) assert.equal((await restarted.get(scope, key, { decrypt: true }))?.value, value);
      // A secret written during the interruption is under the new key; both kinds re-encrypt.
      await restarted.set('system', 'mid', 'written-mid-rotation', { encrypt: true });

      const report = await rotateKey(dir, store);
      assert.equal(report.reencrypted, SECRETS.length + 1);
      assert.equal(fs.existsSync(retiredKeyPath(dir, oldId)), false);
      for (const [scope, key, value] of SECRETS) assert.equal((await restarted.get(scope, key, { decrypt: true }))?.value, value);
      assert.equal((await restarted.get('system', 'mid', { decrypt: true }))?.value, 'written-mid-rotation');
    });
  });

  test('a secret no key can open stops the rotation before anything is re-encrypted, naming the key', async () => {
    await withDatastore(async ({ dir, store, kv }) => {
      await kv.set('system', 'good', 'fine', { encrypt: true });
      const foreign = SecretCipher.loadOrCreate(tempDataDir()).encrypt('from-elsewhere');
      await store.commit([
        { op: 'kvPut', value: { scope: 'system', key: 'alien', value: foreign, secret: true, expiresAt: null, updatedAt: new Date().toISOString() } },
      ]);
      const before = store.kvGetSync('system', 'good')!.value;
      await assert.rejects(
        rotateKey(dir, store),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_SECRET' && /system\/alien/.test(e.message) && !e.message.includes('from-elsewhere'),
      );
      assert.equal(store.kvGetSync('system', 'good')!.value, before, 'rows untouched');
      // The retired key is kept, so the untouched row still decrypts.
      assert.equal((await kv.get('system', 'good', { decrypt: true }))?.value, 'fine');
      await kv.delete('system', 'alien');
      const report = await rotateKey(dir, store);
      assert.equal(report.reencrypted, 1);
      assert.equal((await kv.get('system', 'good', { decrypt: true }))?.value, 'fine');
    });
  });

  test('refuses a data directory without a key file', async () => {
    const dir = tempDataDir();
    const store = openSqliteStore(dir);
    try {
      await assert.rejects(
        rotateKey(dir, store),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_SECRET' && e.message.includes(path.join(dir, KEY_FILE)),
      );
    } finally {
      await store.close();
    }
  });
});

describe('netreflex key rotate-key', () => {
  async function runCli(args: string[]): Promise<{ out: string; err: string; code: number }> {
    const program = new Command().exitOverride();
    registerKeyRotate(program.command('key'));
    const out: string[] = [];
    const err: string[] = [];
    const w = process.stdout.write.bind(process.stdout);
    const e = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    const saved = process.exitCode;
    process.exitCode = 0;
    try {
      await program.parseAsync(['node', 'netreflex', 'key', ...args]);
      return { out: out.join(''), err: err.join(''), code: Number(process.exitCode ?? 0) };
    } finally {
      process.stdout.write = w;
      process.stderr.write = e;
      process.exitCode = saved;
    }
  }

  test('rotates the key of a data directory and prints the new key id', async () => {
    const dir = tempDataDir();
    const store = openSqliteStore(dir);
    const kv = new KeyValueStore(store, SecretCipher.loadOrCreate(dir));
    await kv.set('system', 'a', 'alpha', { encrypt: true });
    await store.close();
    const r = await runCli(['rotate-key', '--data-dir', dir, '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as { keyId: string; reencrypted: number };
    assert.equal(report.reencrypted, 1);
    assert.equal(report.keyId, keyIdOf(fs.readFileSync(path.join(dir, KEY_FILE))));
    const again = openSqliteStore(dir);
    try {
      assert.equal((await new KeyValueStore(again, SecretCipher.loadOrCreate(dir)).get('system', 'a', { decrypt: true }))?.value, 'alpha');
    } finally {
      await again.close();
    }
  });

  test('a directory that is not a data directory is a usage error and gets no database', async () => {
    const dir = tempDataDir();
    const r = await runCli(['rotate-key', '--data-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.err, /NRX_ERR_USAGE.*no key file/);
    assert.equal(fs.existsSync(path.join(dir, DATABASE_FILE)), false);
  });
});
