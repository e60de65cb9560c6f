import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { berError } from './ber.js';

/** SNMPv3 USM (RFC 3414, RFC 3826 AES, RFC 7860 SHA-2) for received traps. */
export type AuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type PrivProtocol = 'des' | 'aes';

export interface UsmUser {
  user: string;
  authProtocol?: AuthProtocol;
  authKey?: string;
  privProtocol?: PrivProtocol;
  privKey?: string;
  /** Accept this user only from these authoritative engine IDs (hex); absent: any engine. */
  engineIds?: string[];
}

const HASH: Record<AuthProtocol, { alg: string; macLength: number }> = {
  md5: { alg: 'md5', macLength: 12 },
  sha: { alg: 'sha1', macLength: 12 },
  sha224: { alg: 'sha224', macLength: 16 },
  sha256: { alg: 'sha256', macLength: 24 },
  sha384: { alg: 'sha384', macLength: 32 },
  sha512: { alg: 'sha512', macLength: 48 },
};

export function macLength(p: AuthProtocol): number {
  return HASH[p].macLength;
}

/**
 * Password to localized key (RFC 3414 A.2): hash a megabyte of the repeated password, then
 * hash(Ku | engineID | Ku). Costly (about 2 ms), so results are cached per engine.
 */
const keyCache = new Map<string, Buffer>();
export function localizedKey(protocol: AuthProtocol, password: string, engineId: Buffer): Buffer {
  const cacheKey = `${protocol}\0${password}\0${engineId.toString('hex')}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const alg = HASH[protocol].alg;
  const pw = Buffer.from(password, 'utf8');
  if (pw.length === 0) throw berError(0, 'usm', 'empty USM password');
  // Buffer.alloc with a fill repeats the password pattern across the whole megabyte
  const ku = createHash(alg).update(Buffer.alloc(1048576, pw)).digest();
  const kul = createHash(alg)
    .update(Buffer.concat([ku, engineId, ku]))
    .digest();
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(cacheKey, kul);
  return kul;
}

/** Check the HMAC of a whole message whose authentication parameters sit at `paramsAt`. */
export function verifyAuth(msg: Buffer, paramsAt: number, params: Buffer, protocol: AuthProtocol, key: Buffer): boolean {
  const n = HASH[protocol].macLength;
  if (params.length !== n) return false;
  const copy = Buffer.from(msg);
  copy.fill(0, paramsAt, paramsAt + n);
  const mac = createHmac(HASH[protocol].alg, key).update(copy).digest().subarray(0, n);
  return timingSafeEqual(mac, params);
}

/** Decrypt a scoped PDU. DES runs as 3DES with one key thrice (OpenSSL 3 dropped single DES; the result is identical). */
export function decryptScopedPdu(protocol: PrivProtocol, key: Buffer, salt: Buffer, boots: number, time: number, data: Buffer): Buffer {
  if (salt.length !== 8) throw berError(0, 'msgPrivacyParameters', `privacy parameters must be 8 octets, got ${salt.length}`, 'NRX_ERR_SNMP_AUTH');
  if (protocol === 'aes') {
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(boots >>> 0, 0);
    iv.writeUInt32BE(time >>> 0, 4);
    salt.copy(iv, 8);
    const d = createDecipheriv('aes-128-cfb', key.subarray(0, 16), iv);
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (data.length % 8 !== 0) throw berError(0, 'encryptedPDU', `DES ciphertext length ${data.length} is not a multiple of 8`, 'NRX_ERR_SNMP_AUTH');
  const k = key.subarray(0, 8);
  const iv = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) iv[i] = key[8 + i]! ^ salt[i]!;
  const d = createDecipheriv('des-ede3-cbc', Buffer.concat([k, k, k]), iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}
