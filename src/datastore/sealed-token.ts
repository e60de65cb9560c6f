import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NrxError } from '../core/errors.js';

/**
 * The ciphertext token: `nrx:v1:<keyid>:<base64(iv | tag | ciphertext)>`, AES-256-GCM.
 * The header (`nrx:v1:<keyid>`) is authenticated data, so changing the key id, the IV, the
 * tag or any ciphertext byte makes decryption fail instead of returning garbage.
 * Error messages never quote the token or the plaintext.
 */

const PREFIX = 'nrx:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TOKEN = /^nrx:v1:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;

export function isSealedToken(s: unknown): s is string {
  return typeof s === 'string' && TOKEN.test(s);
}

/** The key id named in a token, or null when it is not a token. */
export function tokenKeyId(token: string): string | null {
  return TOKEN.exec(token)?.[1] ?? null;
}

export function seal(key: Buffer, keyId: string, plain: string): string {
  const header = `${PREFIX}${keyId}`;
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(header, 'utf8'));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${header}:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
}

/** Open a token with the key it names; `keyFor` answers null when that key is not here. */
export function open(token: string, keyFor: (keyId: string) => Buffer | null): string {
  const m = TOKEN.exec(typeof token === 'string' ? token : '');
  if (!m) throw new NrxError('NRX_ERR_SECRET', 'value is not a netreflex ciphertext token (expected nrx:v1:<keyid>:<base64>)');
  const keyId = m[1]!;
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new NrxError('NRX_ERR_SECRET', `ciphertext under key ${keyId} is truncated`);
  const key = keyFor(keyId);
  if (!key)
    throw new NrxError(
      'NRX_ERR_SECRET',
      `ciphertext was sealed with key ${keyId}, which is not in this data directory (wrong secrets.key, or a retired key was removed)`,
    );
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(`${PREFIX}${keyId}`, 'utf8'));
    d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  } catch (e) {
    throw new NrxError(
      'NRX_ERR_SECRET',
      `ciphertext under key ${keyId} failed authentication: it was altered, truncated, or sealed with another key of the same id`,
      { cause: e },
    );
  }
}
