import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NrxError } from '../core/errors.js';

/**
 * The secret key on disk: 32 random bytes in <dataDir>/secrets.key, readable by the
 * appliance's user only. During a rotation the previous key waits beside it as
 * secrets.key.<keyid>.retired until every secret is re-encrypted.
 */

export const KEY_FILE = 'secrets.key';
export const KEY_BYTES = 32;
const RETIRED = /^secrets\.key\.([0-9a-f]{8})\.retired$/;
const TEMP = /^secrets\.key\..*\.tmp$/;

/** First 8 hex digits of the key's SHA-256: names the key inside every ciphertext token. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE);
}

export function retiredKeyPath(dataDir: string, keyId: string): string {
  return path.join(dataDir, `${KEY_FILE}.${keyId}.retired`);
}

/** Read one key file, refusing one that other users could read (the key opens every secret). */
export function readKeyFile(file: string): Buffer {
  let st: fs.Stats;
  let key: Buffer;
  try {
    st = fs.statSync(file);
    key = fs.readFileSync(file);
  } catch (e) {
    throw new NrxError('NRX_ERR_SECRET', `cannot read key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new NrxError('NRX_ERR_SECRET', `key file ${file} has mode ${mode}: group or others may read it; refusing to use it. Run: chmod 600 ${file}`);
  }
  if (key.length !== KEY_BYTES) {
    throw new NrxError('NRX_ERR_SECRET', `key file ${file} holds ${key.length} bytes; a netreflex key file holds exactly ${KEY_BYTES} random bytes`);
  }
  return key;
}

/**
 * Write a key file atomically (temp file, fsync, rename): a crash leaves either the old
 * file or the new one, never half a key. `exclusive` fails with EEXIST instead of replacing.
 */
export function writeKeyFile(file: string, key: Buffer, opts: { exclusive?: boolean } = {}): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, key);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (opts.exclusive) {
      // link() fails if the target exists: two processes starting at once agree on one key.
      fs.linkSync(tmp, file);
      fs.unlinkSync(tmp);
    } else fs.renameSync(tmp, file);
    syncDir(path.dirname(file));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && opts.exclusive) throw e;
    throw new NrxError('NRX_ERR_SECRET', `cannot write key file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Retired keys left by a rotation that has not finished, by key id. */
export function listRetiredKeys(dataDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of safeReaddir(dataDir)) {
    const m = RETIRED.exec(name);
    if (m) out.set(m[1]!, path.join(dataDir, name));
  }
  return out;
}

/** Temp files an interrupted write left behind (they may hold key bytes). */
export function removeStaleTempKeys(dataDir: string): void {
  for (const name of safeReaddir(dataDir)) if (TEMP.test(name)) fs.rmSync(path.join(dataDir, name), { force: true });
}

/** Identity of the key file as it is now, to notice that a rotation replaced it. */
export function keyFileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
