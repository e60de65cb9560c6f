import type { ApiKeyRecord, ApiKeyRepository } from '../repositories/auth.js';
import { apiKeyRecord, type ApiKeyRow } from '../auth-rows.js';
import type { SqliteConnection } from './connection.js';

/** Table auth_api_keys (migration 2). */
export class SqliteApiKeys implements ApiKeyRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async add(k: ApiKeyRecord): Promise<void> {
    this.conn
      .stmt(
        'INSERT INTO auth_api_keys (id, key_hash, prefix, user_name, role, grants, description, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(k.id, k.keyHash, k.prefix, k.user, k.role, JSON.stringify(k.grants ?? {}), k.description, k.createdAt, k.lastUsedAt);
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const row = this.conn.stmt('SELECT * FROM auth_api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
    return row ? apiKeyRecord(row) : null;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = this.conn.stmt('SELECT * FROM auth_api_keys WHERE key_hash = ?').get(keyHash) as ApiKeyRow | undefined;
    return row ? apiKeyRecord(row) : null;
  }

  async list(user?: string): Promise<ApiKeyRecord[]> {
    const rows =
      user === undefined
        ? this.conn.stmt('SELECT * FROM auth_api_keys ORDER BY created_at').all()
        : this.conn.stmt('SELECT * FROM auth_api_keys WHERE user_name = ? ORDER BY created_at').all(user);
    return (rows as ApiKeyRow[]).map(apiKeyRecord);
  }

  async markUsed(id: string, at: string): Promise<void> {
    this.conn.stmt('UPDATE auth_api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async delete(id: string): Promise<boolean> {
    return this.conn.stmt('DELETE FROM auth_api_keys WHERE id = ?').run(id).changes > 0;
  }
}
