import { NrxError } from '../../core/errors.js';
import type { KeyValueRecord } from '../records.js';
import type { KeyValueRepository } from '../repositories/key-values.js';
import { keyValueRecord, keyValueRow, type KeyValueRow } from '../sqlite-rows.js';
import type { WriteOp } from '../store.js';
import type { PgConnection } from './connection.js';

const cacheKey = (scope: string, key: string): string => `${scope}\t${key}`;
const live = (r: KeyValueRecord, now: Date): boolean => r.expiresAt === null || r.expiresAt > now.toISOString();

/**
 * Table kv. Templates read keys while they render (synchronously), so this handle keeps every
 * key in memory: loaded at open, updated after its own commits, and per key when another
 * process changes one (the nrx_kv notification). Writes go through the store's commit.
 */
export class PgKeyValues implements KeyValueRepository {
  private readonly cache = new Map<string, KeyValueRecord>();

  constructor(
    private readonly conn: PgConnection,
    private readonly commit: (batch: WriteOp[]) => Promise<void>,
    private readonly afterPendingWrites: () => Promise<void>,
  ) {}

  async loadAll(): Promise<void> {
    const rows = (await this.conn.query<KeyValueRow & Record<string, unknown>>('SELECT * FROM kv')).rows;
    this.cache.clear();
    for (const r of rows) this.cache.set(cacheKey(r.scope, r.key), keyValueRecord(r));
  }

  /** Another process changed this key: read it again. */
  async reload(scope: string, key: string): Promise<void> {
    const row = (await this.conn.query<KeyValueRow & Record<string, unknown>>('SELECT * FROM kv WHERE scope = $1 AND key = $2', [scope, key])).rows[0];
    if (row) this.cache.set(cacheKey(scope, key), keyValueRecord(row));
    else this.cache.delete(cacheKey(scope, key));
  }

  /** This handle committed these writes. */
  noteCommitted(batch: readonly WriteOp[]): void {
    for (const w of batch) {
      if (w.op === 'kvPut') this.cache.set(cacheKey(w.value.scope, w.value.key), { ...w.value });
      else if (w.op === 'kvDelete') this.cache.delete(cacheKey(w.scope, w.key));
    }
  }

  peek(scope: string, key: string, now: Date = new Date()): KeyValueRecord | null {
    const r = this.cache.get(cacheKey(scope, key));
    return r && live(r, now) ? { ...r } : null;
  }

  async get(scope: string, key: string, now: Date = new Date()): Promise<KeyValueRecord | null> {
    const row = (
      await this.conn.query<KeyValueRow & Record<string, unknown>>(
        'SELECT * FROM kv WHERE scope = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)',
        [scope, key, now.toISOString()],
      )
    ).rows[0];
    return row ? keyValueRecord(row) : null;
  }

  async list(scope: string, prefix = '', now: Date = new Date()): Promise<KeyValueRecord[]> {
    const rows = (
      await this.conn.query<KeyValueRow & Record<string, unknown>>(
        'SELECT * FROM kv WHERE scope = $1 AND left(key, length($2)) = $2 AND (expires_at IS NULL OR expires_at > $3) ORDER BY key',
        [scope, prefix, now.toISOString()],
      )
    ).rows;
    return rows.map(keyValueRecord);
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
    // the primary key decides: a racing insert of the same name waits for the first and then does nothing
    const created = await this.conn.tx(async (q) => {
      await q('DELETE FROM kv WHERE scope = $1 AND key = $2 AND expires_at IS NOT NULL AND expires_at <= $3', [record.scope, record.key, now.toISOString()]);
      const r = await q(
        'INSERT INTO kv (scope, key, value, secret, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING',
        [row.scope, row.key, row.value, row.secret, row.expires_at, row.updated_at],
      );
      return r.rowCount === 1;
    });
    await this.reload(record.scope, record.key);
    return created;
  }

  async deleteIfValue(scope: string, key: string, value: string): Promise<boolean> {
    await this.afterPendingWrites();
    const deleted = ((await this.conn.query('DELETE FROM kv WHERE scope = $1 AND key = $2 AND value = $3', [scope, key, value])).rowCount ?? 0) === 1;
    await this.reload(scope, key);
    return deleted;
  }

  /**
   * Key rotation in one transaction. oldValuesErased is false: PostgreSQL keeps old row versions
   * (and its WAL) until vacuum and WAL recycling, which this call cannot force to overwrite.
   */
  async resealSecrets(
    reseal: (secret: KeyValueRecord) => string,
    now: Date = new Date(),
  ): Promise<{ resealed: number; expiredDeleted: number; oldValuesErased: boolean }> {
    await this.afterPendingWrites();
    const at = now.toISOString();
    const counts = await this.conn.tx(async (q) => {
      const expiredDeleted = (await q('DELETE FROM kv WHERE secret = 1 AND expires_at IS NOT NULL AND expires_at <= $1', [at])).rowCount ?? 0;
      const rows = (await q('SELECT * FROM kv WHERE secret = 1 ORDER BY scope, key FOR UPDATE')).rows as KeyValueRow[];
      for (const r of rows) {
        let sealed: string;
        try {
          sealed = reseal(keyValueRecord(r));
        } catch (e) {
          if (e instanceof NrxError) throw e;
          throw new NrxError('NRX_ERR_STORE', `database ${this.conn.location}: key rotation failed, nothing re-encrypted: ${(e as Error).message}`, {
            cause: e,
          });
        }
        await q('UPDATE kv SET value = $1 WHERE scope = $2 AND key = $3', [sealed, r.scope, r.key]);
      }
      return { resealed: rows.length, expiredDeleted };
    });
    await this.loadAll();
    return { ...counts, oldValuesErased: false };
  }
}
