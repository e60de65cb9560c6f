import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { NrxError } from '../core/errors.js';

/**
 * Password hashing with scrypt (node:crypto). The parameters travel with the hash
 * (`scrypt$N$r$p$salt$hash`), so they can be raised later without breaking old hashes.
 */

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** False for a wrong password and for a hash this code cannot read (never throws on input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length === 0) return false;
  let key: Buffer;
  try {
    key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  } catch {
    return false;
  }
  return timingSafeEqual(key, expected);
}

/** A fresh random secret (API key, token, generated password), URL-safe. */
export function randomSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** API keys and tokens are high-entropy, so a plain SHA-256 is enough to store them. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Longest password accepted, in UTF-8 bytes: far beyond any passphrase, and it keeps a
 * multi-megabyte "password" from costing hashing time (login, user creation, password change).
 */
export const MAX_PASSWORD_BYTES = 1024;

export function checkPasswordLength(password: string): void {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES)
    throw new NrxError('NRX_ERR_VALIDATION', `password is ${bytes} bytes; at most ${MAX_PASSWORD_BYTES} are accepted`, { location: { field: 'password' } });
}
