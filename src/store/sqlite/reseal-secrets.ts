import fs from 'node:fs';
import Database from 'better-sqlite3';
import { NrxError } from '../../core/errors.js';
import type { KeyValueRecord } from '../records.js';
import { keyValueRecord, type KeyValueRow } from '../sqlite-rows.js';

/**
 * Key rotation's database step. A connection of its own: `secure_delete` is per connection and
 * must be on while the old values are overwritten, so their bytes are zeroed rather than left
 * in free page space; then the WAL is emptied so old pages leave the files too.
 */
export function resealSqliteSecrets(
  dbFile: string,
  reseal: (secret: KeyValueRecord) => string,
  now: Date,
): { resealed: number; expiredDeleted: number; oldValuesErased: boolean } {
  let db: Database.Database;
  try {
    db = new Database(dbFile, { fileMustExist: true });
  } catch (e) {
    throw new NrxError('NRX_ERR_STORE', `cannot open database ${dbFile} for key rotation: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    const at = now.toISOString();
    const run = db.transaction(() => {
      const expiredDeleted = db.prepare('DELETE FROM kv WHERE secret = 1 AND expires_at IS NOT NULL AND expires_at <= ?').run(at).changes;
      const rows = db.prepare('SELECT * FROM kv WHERE secret = 1 ORDER BY scope, key').all() as KeyValueRow[];
      const update = db.prepare('UPDATE kv SET value = ? WHERE scope = ? AND key = ?');
      for (const r of rows) update.run(reseal(keyValueRecord(r)), r.scope, r.key);
      return { resealed: rows.length, expiredDeleted };
    });
    let counts: { resealed: number; expiredDeleted: number };
    try {
      counts = run.immediate();
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError('NRX_ERR_STORE', `database ${dbFile}: key rotation failed, nothing re-encrypted: ${(e as Error).message}`, { cause: e });
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { ...counts, oldValuesErased: walSize(dbFile) === 0 };
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
