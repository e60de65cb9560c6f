import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { NrxError } from '../core/errors.js';
import { KEY_BYTES, keyFilePath, keyFileStamp, keyIdOf, listRetiredKeys, readKeyFile, writeKeyFile } from './key-file.js';
import { isSealedToken, open, seal, tokenKeyId } from './sealed-token.js';

export { rotateKey } from './rotate-key.js';
export { isSealedToken, tokenKeyId } from './sealed-token.js';

/** A lone UTF-16 surrogate cannot survive UTF-8; refuse it rather than return a different string. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Encrypts datastore secrets under the appliance's key file (<dataDir>/secrets.key).
 *
 * It notices a rotation done by another process (`netreflex key rotate-key`): encryption
 * re-reads the key file when it changed on disk, and a token naming an unknown key id makes
 * it reload before giving up. Keys retired by an unfinished rotation still decrypt.
 */
export class SecretCipher {
  private keys = new Map<string, Buffer>();
  private currentId = '';
  private stamp = '';

  private constructor(readonly dataDir: string) {}

  /** Load the key, creating it on first start (directory 0700, file 0600). */
  static loadOrCreate(dataDir: string): SecretCipher {
    const file = keyFilePath(dataDir);
    if (!fs.existsSync(file)) {
      try {
        fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      } catch (e) {
        throw new NrxError('NRX_ERR_SECRET', `cannot create data directory ${dataDir} for the key file: ${(e as Error).message}`, { cause: e });
      }
      try {
        writeKeyFile(file, randomBytes(KEY_BYTES), { exclusive: true });
      } catch (e) {
        // Another process created it first: use theirs.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const c = new SecretCipher(dataDir);
    c.reload();
    return c;
  }

  /** Id of the key new secrets are sealed with (first 8 hex of its SHA-256). */
  get keyId(): string {
    return this.currentId;
  }

  /** Whether this cipher can open tokens sealed under `keyId`. */
  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  encrypt(plain: string): string {
    if (typeof plain !== 'string') throw new NrxError('NRX_ERR_SECRET', `only strings can be encrypted (got ${plain === null ? 'null' : typeof plain})`);
    if (LONE_SURROGATE.test(plain))
      throw new NrxError('NRX_ERR_SECRET', 'value is not well-formed Unicode (it holds a lone UTF-16 surrogate); it cannot be stored exactly');
    if (keyFileStamp(keyFilePath(this.dataDir)) !== this.stamp) this.reload();
    return seal(this.keys.get(this.currentId)!, this.currentId, plain);
  }

  decrypt(token: string): string {
    const id = typeof token === 'string' ? tokenKeyId(token) : null;
    if (id !== null && !this.keys.has(id) && keyFileStamp(keyFilePath(this.dataDir)) !== this.stamp) this.reload();
    return open(token, (k) => this.keys.get(k) ?? null);
  }

  static isToken(value: unknown): value is string {
    return isSealedToken(value);
  }

  private reload(): void {
    const file = keyFilePath(this.dataDir);
    const stamp = keyFileStamp(file);
    const current = readKeyFile(file);
    const keys = new Map<string, Buffer>();
    for (const [id, retired] of listRetiredKeys(this.dataDir)) keys.set(id, readKeyFile(retired));
    const id = keyIdOf(current);
    keys.set(id, current);
    this.keys = keys;
    this.currentId = id;
    this.stamp = stamp;
  }
}
