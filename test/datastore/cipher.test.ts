import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { KEY_FILE } from '../../src/datastore/key-file.js';
import { codeOf, tempDataDir } from './helpers.js';

const isSecretError = (e: unknown): boolean => e instanceof NrxError && e.code === 'NRX_ERR_SECRET';

describe('the key file', () => {
  test('is created on first use: 32 bytes, mode 0600, in a 0700 directory; the same key is used afterwards', () => {
    const dir = tempDataDir();
    const c = SecretCipher.loadOrCreate(dir);
    const file = path.join(dir, KEY_FILE);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.readFileSync(file).length, 32);
    assert.match(c.keyId, /^[0-9a-f]{8}$/);
    const again = SecretCipher.loadOrCreate(dir);
    assert.equal(again.keyId, c.keyId);
    assert.equal(again.decrypt(c.encrypt('hunter2')), 'hunter2');
  });

  test('a group- or world-readable key file is refused with the chmod to run', () => {
    const dir = tempDataDir();
    SecretCipher.loadOrCreate(dir);
    const file = path.join(dir, KEY_FILE);
    for (const mode of [0o644, 0o640, 0o604]) {
      fs.chmodSync(file, mode);
      assert.throws(
        () => SecretCipher.loadOrCreate(dir),
        (e: unknown) => isSecretError(e) && (e as Error).message.includes(`chmod 600 ${file}`) && (e as Error).message.includes(mode.toString(8)),
      );
    }
    fs.chmodSync(file, 0o600);
    assert.doesNotThrow(() => SecretCipher.loadOrCreate(dir));
  });

  test('a key file of the wrong length is refused', () => {
    const dir = tempDataDir();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, KEY_FILE), 'short', { mode: 0o600 });
    assert.throws(
      () => SecretCipher.loadOrCreate(dir),
      (e: unknown) => isSecretError(e) && /holds 5 bytes/.test((e as Error).message),
    );
  });
});

describe('encrypting secrets', () => {
  const cipher = SecretCipher.loadOrCreate(tempDataDir());

  test('tokens name the key, differ each time for the same value, and decrypt back', () => {
    const a = cipher.encrypt('s3cret');
    const b = cipher.encrypt('s3cret');
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^nrx:v1:${cipher.keyId}:[A-Za-z0-9+/]+=*$`));
    assert.ok(!a.includes('s3cret'));
    assert.equal(cipher.decrypt(a), 's3cret');
    assert.equal(cipher.decrypt(cipher.encrypt('')), '');
  });

  test('decrypt(encrypt(x)) is x for any well-formed string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => cipher.decrypt(cipher.encrypt(s)) === s));
  });

  test('a string with a lone surrogate is refused rather than changed', () => {
    assert.throws(
      () => cipher.encrypt('pass\ud800word'),
      (e: unknown) => isSecretError(e) && !(e as Error).message.includes('pass'),
    );
  });

  test("another appliance's key cannot open the token", () => {
    const other = SecretCipher.loadOrCreate(tempDataDir());
    const token = cipher.encrypt('p@ss');
    assert.throws(
      () => other.decrypt(token),
      (e: unknown) => isSecretError(e) && (e as Error).message.includes(cipher.keyId),
    );
  });

  test('a token relabelled with another key id fails authentication', () => {
    const other = SecretCipher.loadOrCreate(tempDataDir());
    const token = cipher.encrypt('p@ss');
    const relabelled = token.replace(`:${cipher.keyId}:`, `:${other.keyId}:`);
    assert.throws(
      () => other.decrypt(relabelled),
      (e: unknown) => isSecretError(e) && /failed authentication/.test((e as Error).message),
    );
  });

  test('any changed byte of iv, tag or ciphertext is detected', () => {
    const token = cipher.encrypt('enable secret 5 abc');
    const raw = Buffer.from(token.split(':')[3]!, 'base64');
    for (let i = 0; i < raw.length; i++) {
      const t = Buffer.from(raw);
      t[i] = t[i]! ^ 0x01;
      const tampered = `nrx:v1:${cipher.keyId}:${t.toString('base64')}`;
      assert.throws(() => cipher.decrypt(tampered), isSecretError, `byte ${i}`);
    }
  });

  test('hostile tokens give NRX_ERR_SECRET, never another exception, and never echo the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }).map((s) => `nrx:v1:${cipher.keyId}:${s}`),
          fc.uint8Array({ maxLength: 64 }).map((b) => `nrx:v1:${cipher.keyId}:${Buffer.from(b).toString('base64')}`),
        ),
        (token) => {
          try {
            cipher.decrypt(token);
            return false;
          } catch (e) {
            return codeOf(e) === 'NRX_ERR_SECRET' && (token.length < 12 || !(e as Error).message.includes(token));
          }
        },
      ),
    );
  });
});
