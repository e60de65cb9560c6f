import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateHostKey } from './ssh-host-key.js';
import { fingerprint, KnownHosts, knownHostsName, parsePublicKeyLine } from '../../drivers/transports/known-hosts.js';
import { isNrxError } from '../../src/core/errors.js';

const keyA = parsePublicKeyLine(generateHostKey().public);
const keyB = parsePublicKeyLine(generateHostKey().public);
const file = (content: string): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'nrx-kh-')), 'known_hosts');
  writeFileSync(f, content);
  return f;
};

test('names follow OpenSSH: bare host on port 22, [host]:port otherwise', () => {
  assert.equal(knownHostsName('10.0.0.1', 22), '10.0.0.1');
  assert.equal(knownHostsName('127.0.0.1', 2222), '[127.0.0.1]:2222');
});

test('fingerprints read like ssh-keygen -l (SHA256, no padding)', () => {
  assert.match(fingerprint(keyA), /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('plain, comma-listed and hashed host names match; comments and markers are skipped', () => {
  const salt = randomBytes(20);
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[r2]:2200').digest('base64')}`;
  const kh = new KnownHosts(
    file(
      `# lab\n@revoked [r1]:2200 ssh-ed25519 ${keyB.toString('base64')}\nr0,[r1]:2200 ssh-ed25519 ${keyA.toString('base64')}\n${hashed} ssh-ed25519 ${keyB.toString('base64')}\n`,
    ),
  );
  assert.deepEqual(kh.lookup('r1', 2200), [keyA]);
  assert.deepEqual(kh.lookup('r0', 22), [keyA]);
  assert.deepEqual(kh.lookup('r2', 2200), [keyB]);
  assert.deepEqual(kh.lookup('r3', 22), []);
  assert.deepEqual(new KnownHosts('/nonexistent/known_hosts').lookup('r1', 22), []);
});

test('verify: known key trusted, other key refused under any policy, unknown host only trusted (and recorded) under tofu', () => {
  const f = file(`[r1]:2200 ssh-ed25519 ${keyA.toString('base64')}\n`);
  const kh = new KnownHosts(f);
  assert.deepEqual(kh.verify('r1', 'r1', 2200, keyA, 'strict'), { trusted: true, recorded: false, fingerprint: fingerprint(keyA) });
  for (const policy of ['strict', 'tofu'] as const) {
    assert.throws(
      () => kh.verify('r1', 'r1', 2200, keyB, policy),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_HOSTKEY_MISMATCH' && e.message.includes(fingerprint(keyA)) && e.message.includes(fingerprint(keyB)),
    );
  }
  assert.throws(
    () => kh.verify('r9', 'r9', 22, keyB, 'strict'),
    (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_HOSTKEY_UNKNOWN' && /r9/.test(e.message),
  );
  assert.equal(kh.verify('r9', 'r9', 22, keyB, 'tofu').recorded, true);
  assert.match(readFileSync(f, 'utf8'), new RegExp(`^r9 ssh-ed25519 ${keyB.toString('base64').replace(/[+/]/g, '\\$&')}$`, 'm'));
  assert.equal(kh.verify('r9', 'r9', 22, keyB, 'strict').recorded, false, 'recorded once, then known');
});
