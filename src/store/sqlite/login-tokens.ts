import type { LoginTokenRecord, LoginTokenRepository } from '../repositories/auth.js';
import type { SqliteConnection } from './connection.js';

interface TokenRow {
  token_hash: string;
  user_name: string;
  expires_at: string;
  created_at: string;
}

/** Table auth_tokens (migration 2). */
export class SqliteLoginTokens implements LoginTokenRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async add(t: LoginTokenRecord): Promise<void> {
    this.conn
      .stmt('INSERT INTO auth_tokens (token_hash, user_name, expires_at, created_at) VALUES (?, ?, ?, ?)')
      .run(t.tokenHash, t.user, t.expiresAt, t.createdAt);
  }

  async find(tokenHash: string): Promise<LoginTokenRecord | null> {
    const row = this.conn.stmt('SELECT * FROM auth_tokens WHERE token_hash = ?').get(tokenHash) as TokenRow | undefined;
    return row ? { tokenHash: row.token_hash, user: row.user_name, expiresAt: row.expires_at, createdAt: row.created_at } : null;
  }

  async delete(tokenHash: string): Promise<boolean> {
    return this.conn.stmt('DELETE FROM auth_tokens WHERE token_hash = ?').run(tokenHash).changes > 0;
  }

  async deleteForUser(user: string): Promise<void> {
    this.conn.stmt('DELETE FROM auth_tokens WHERE user_name = ?').run(user);
  }

  async deleteExpired(time: string): Promise<void> {
    this.conn.stmt('DELETE FROM auth_tokens WHERE expires_at < ?').run(time);
  }
}
