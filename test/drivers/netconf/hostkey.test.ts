import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { fingerprint, openSshKeyOf, verifyHostKey } from '../../../drivers/transports/netconf-hostkey.js';

/** An SSH ed25519 public key blob: string "ssh-ed25519", string <32-byte key>. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
}

test('host key policy: known key accepted; known_hosts line accepted; mismatch, unknown and TOFU', () => {
  const blob = ed25519Blob();
  const other = ed25519Blob();
  const openssh = openSshKeyOf(blob);
  assert.match(openssh, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5/);
  assert.deepEqual(verifyHostKey({ knownKey: `${openssh} leaf1-host` }, blob, 'leaf1'), { ok: true });
  assert.deepEqual(verifyHostKey({ knownKey: `[127.0.0.1]:830 ${openssh}` }, blob, 'leaf1'), { ok: true });

  const mismatch = verifyHostKey({ knownKey: openssh }, other, 'leaf1');
  assert.equal(mismatch.ok, false);
  if (!mismatch.ok) {
    assert.equal(mismatch.error.code, 'NRX_ERR_HOSTKEY_MISMATCH');
    assert.ok(mismatch.error.message.includes(fingerprint(blob)) && mismatch.error.message.includes(fingerprint(other)));
  }
  // TOFU never overrides a known key.
  assert.equal(verifyHostKey({ knownKey: openssh, trustOnFirstUse: true }, other, 'leaf1').ok, false);

  const unknown = verifyHostKey({}, blob, 'leaf2');
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.equal(unknown.error.code, 'NRX_ERR_HOSTKEY_UNKNOWN');

  let learned = '';
  assert.deepEqual(verifyHostKey({ trustOnFirstUse: true, onLearned: (k) => (learned = k) }, blob, 'leaf2'), { ok: true });
  assert.equal(learned, openssh);
  assert.match(fingerprint(blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
});
