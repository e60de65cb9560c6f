import type { UserRecord, UserRepository } from '../repositories/auth.js';
import { userRecord, type UserRow } from '../auth-rows.js';
import type { SqliteConnection } from './connection.js';

/** Table auth_users (migration 2). */
export class SqliteUsers implements UserRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async add(u: UserRecord): Promise<void> {
    this.conn
      .stmt('INSERT INTO auth_users (name, role, password_hash, grants, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.name, u.role, u.passwordHash, JSON.stringify(u.grants ?? {}), u.createdAt);
  }

  async get(name: string): Promise<UserRecord | null> {
    const row = this.conn.stmt('SELECT * FROM auth_users WHERE name = ?').get(name) as UserRow | undefined;
    return row ? userRecord(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (this.conn.stmt('SELECT * FROM auth_users ORDER BY name').all() as UserRow[]).map(userRecord);
  }

  async count(): Promise<number> {
    return (this.conn.stmt('SELECT COUNT(*) AS n FROM auth_users').get() as { n: number }).n;
  }

  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return this.conn.stmt('UPDATE auth_users SET password_hash = ? WHERE name = ?').run(passwordHash, name).changes > 0;
  }

  async setRole(name: string, role: string, grants: unknown): Promise<boolean> {
    return this.conn.stmt('UPDATE auth_users SET role = ?, grants = ? WHERE name = ?').run(role, JSON.stringify(grants ?? {}), name).changes > 0;
  }

  async delete(name: string): Promise<boolean> {
    return this.conn.write(() => {
      this.conn.stmt('DELETE FROM auth_tokens WHERE user_name = ?').run(name);
      this.conn.stmt('DELETE FROM auth_api_keys WHERE user_name = ?').run(name);
      return this.conn.stmt('DELETE FROM auth_users WHERE name = ?').run(name).changes > 0;
    });
  }
}
