import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { NrxError } from '../core/errors.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { KEY_BYTES, keyFilePath, keyIdOf, listRetiredKeys, readKeyFile, removeStaleTempKeys, retiredKeyPath, writeKeyFile } from './key-file.js';
import { open, seal } from './sealed-token.js';

export interface RotationReport {
  /** Secret keys now sealed under the new key. */
  reencrypted: number;
  /** Id of the new key. */
  keyId: string;
  /** Expired secret keys deleted instead of re-encrypted. */
  expiredDeleted: number;
  /** False when a reader kept SQLite from emptying its WAL file (old pages may linger there until the next checkpoint). */
  walTruncated: boolean;
}

/**
 * Replace the secret key and re-encrypt every secret under the new one.
 *
 * Steps, each safe to interrupt:
 *  1. copy the current key to secrets.key.<oldid>.retired (0600);
 *  2. write a fresh secrets.key (atomic rename);
 *  3. in ONE SQLite transaction, open every secret with whichever key its token names
 *     (current or any retired one) and seal it with the new key;
 *  4. empty the WAL so old ciphertext pages leave the files (secure_delete zeroes freed space);
 *  5. delete every retired key.
 * After an interruption every secret still opens with secrets.key or a retired key, and
 * SecretCipher loads retired keys, so the appliance keeps working. Running rotate-key again
 * finishes the job (it simply rotates once more and then removes all retired keys).
 *
 * Run it with the appliance stopped: a running appliance picks up the new key for reads and
 * writes, but a secret it sealed with the old key between steps 3 and 5 would be lost.
 */
export async function rotateKey(dataDir: string, store: SqliteStore): Promise<RotationReport> {
  const file = keyFilePath(dataDir);
  if (!fs.existsSync(file)) {
    throw new NrxError('NRX_ERR_SECRET', `no key file ${file}: nothing to rotate (is --data-dir the appliance's data directory?)`);
  }
  if (store.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${store.file} is open read-only; key rotation writes every secret`);
  // Let the store's pending group commit land first, so no secret is written behind our back.
  await new Promise<void>((resolve) => setImmediate(resolve));

  const oldKey = readKeyFile(file);
  const oldId = keyIdOf(oldKey);
  const retiredFile = retiredKeyPath(dataDir, oldId);
  if (!fs.existsSync(retiredFile)) writeKeyFile(retiredFile, oldKey);

  const newKey = randomBytes(KEY_BYTES);
  const newId = keyIdOf(newKey);
  writeKeyFile(file, newKey);

  const keyring = new Map<string, Buffer>([[newId, newKey]]);
  for (const [id, f] of listRetiredKeys(dataDir)) keyring.set(id, readKeyFile(f));

  const { reencrypted, expiredDeleted, walTruncated } = resealAll(store.file, keyring, newKey, newId);

  for (const f of listRetiredKeys(dataDir).values()) fs.rmSync(f, { force: true });
  removeStaleTempKeys(dataDir);
  return { reencrypted, keyId: newId, expiredDeleted, walTruncated };
}

interface SecretRow {
  scope: string;
  key: string;
  value: string;
  expires_at: string | null;
}

/**
 * A connection of our own: `secure_delete` is per connection and must be on while the old
 * tokens are overwritten, so their bytes are zeroed rather than left in free page space.
 */
function resealAll(dbFile: string, keyring: Map<string, Buffer>, newKey: Buffer, newId: string): { reencrypted: number; expiredDeleted: number; walTruncated: boolean } {
  let db: Database.Database;
  try {
    db = new Database(dbFile, { fileMustExist: true });
  } catch (e) {
    throw new NrxError('NRX_ERR_STORE', `cannot open database ${dbFile} for key rotation: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    const now = new Date().toISOString();
    const reseal = db.transaction(() => {
      const expiredDeleted = db.prepare('DELETE FROM kv WHERE secret = 1 AND expires_at IS NOT NULL AND expires_at <= ?').run(now).changes;
      const rows = db.prepare('SELECT scope, key, value, expires_at FROM kv WHERE secret = 1 ORDER BY scope, key').all() as SecretRow[];
      const update = db.prepare('UPDATE kv SET value = ? WHERE scope = ? AND key = ?');
      for (const r of rows) {
        let plain: string;
        try {
          plain = open(r.value, (id) => keyring.get(id) ?? null);
        } catch (e) {
          throw new NrxError(
            'NRX_ERR_SECRET',
            `key rotation stopped, nothing re-encrypted: secret ${r.scope}/${r.key} cannot be decrypted (${(e as Error).message}); delete or re-set it, then run rotate-key again`,
            { cause: e },
          );
        }
        update.run(seal(newKey, newId, plain), r.scope, r.key);
      }
      return { reencrypted: rows.length, expiredDeleted };
    });
    let counts: { reencrypted: number; expiredDeleted: number };
    try {
      counts = reseal.immediate();
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError('NRX_ERR_STORE', `database ${dbFile}: key rotation failed, nothing re-encrypted: ${(e as Error).message}`, { cause: e });
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { ...counts, walTruncated: walSize(dbFile) === 0 };
  } finally {
    db.close();
  }
}

function walSize(dbFile: string): number {
  try {
    return fs.statSync(`${dbFile}-wal`).size;
  } catch {
    return 0;
  }
}
