import { NrxError } from '../../core/errors.js';
import type { KeyValueRecord } from '../records.js';
import type { KeyValueRepository } from '../repositories/key-values.js';
import { keyValueRecord, type KeyValueRow } from '../sqlite-rows.js';
import type { WriteOp } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { resealSqliteSecrets } from './reseal-secrets.js';

/**
 * Table kv (migration 1). Writes go through the store's commit, so they share its group commit
 * and its all-or-nothing batches (the `kvPut` and `kvDelete` write ops).
 */
export class SqliteKeyValues implements KeyValueRepository {
  constructor(
    private readonly conn: SqliteConnection,
    private readonly commit: (batch: WriteOp[]) => Promise<void>,
  ) {}

  peek(scope: string, key: string, now: Date = new Date()): KeyValueRecord | null {
    const row = this.conn.stmt('SELECT * FROM kv WHERE scope = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)').get(scope, key, now.toISOString()) as
      KeyValueRow | undefined;
    return row ? keyValueRecord(row) : null;
  }

  /** `list`, synchronously: SQLite answers at once. */
  listNow(scope: string, prefix = '', now: Date = new Date()): KeyValueRecord[] {
    const found = this.conn
      .stmt('SELECT * FROM kv WHERE scope = ? AND substr(key, 1, length(?)) = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key')
      .all(scope, prefix, prefix, now.toISOString()) as KeyValueRow[];
    return found.map(keyValueRecord);
  }

  async get(scope: string, key: string, now?: Date): Promise<KeyValueRecord | null> {
    return this.peek(scope, key, now);
  }

  async list(scope: string, prefix?: string, now?: Date): Promise<KeyValueRecord[]> {
    return this.listNow(scope, prefix, now);
  }

  put(record: KeyValueRecord): Promise<void> {
    return this.commit([{ op: 'kvPut', value: record }]);
  }

  delete(scope: string, key: string): Promise<void> {
    return this.commit([{ op: 'kvDelete', scope, key }]);
  }

  async resealSecrets(
    reseal: (secret: KeyValueRecord) => string,
    now: Date = new Date(),
  ): Promise<{ resealed: number; expiredDeleted: number; oldValuesErased: boolean }> {
    this.conn.guard();
    if (this.conn.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${this.conn.file} is open read-only; key rotation writes every secret`);
    // Let a pending group commit land first, so no secret is written behind the rotation's back.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return resealSqliteSecrets(this.conn.file, reseal, now);
  }
}
