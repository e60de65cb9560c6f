import { NrxError } from '../../core/errors.js';
import type { KeyValueRecord } from '../records.js';
import type { KeyValueRepository } from '../repositories/key-values.js';
import { keyValueRecord, keyValueRow, type KeyValueRow } from '../sqlite-rows.js';
import type { WriteOp } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { resealSqliteSecrets } from './reseal-secrets.js';

const INSERT_IF_ABSENT =
  'INSERT INTO kv (scope, key, value, secret, expires_at, updated_at) VALUES (@scope, @key, @value, @secret, @expires_at, @updated_at) ON CONFLICT (scope, key) DO NOTHING';

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

  async putIfAbsent(record: KeyValueRecord, now: Date = new Date()): Promise<boolean> {
    await this.afterPendingWrites();
    const row = keyValueRow(record);
    // One IMMEDIATE transaction: SQLite's write lock makes the check and the insert one step for every process.
    return this.conn.write(() => {
      this.conn
        .stmt('DELETE FROM kv WHERE scope = ? AND key = ? AND expires_at IS NOT NULL AND expires_at <= ?')
        .run(record.scope, record.key, now.toISOString());
      return this.conn.stmt(INSERT_IF_ABSENT).run(row).changes === 1;
    });
  }

  async deleteIfValue(scope: string, key: string, value: string): Promise<boolean> {
    await this.afterPendingWrites();
    return this.conn.write(() => this.conn.stmt('DELETE FROM kv WHERE scope = ? AND key = ? AND value = ?').run(scope, key, value).changes === 1);
  }

  /** Conditional writes answer at once, outside the group commit; a write queued before them lands first. */
  private async afterPendingWrites(): Promise<void> {
    this.conn.guard();
    if (this.conn.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${this.conn.file} is open read-only; cannot write`);
    // The group commit flushes on setImmediate; one turn later it has landed.
    await new Promise<void>((resolve) => setImmediate(resolve));
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
