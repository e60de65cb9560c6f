import type {
  ApiKeyRecord,
  ApiKeyRepository,
  AuditFilter,
  AuditRecord,
  AuditRepository,
  LoginTokenRecord,
  LoginTokenRepository,
  UserRecord,
  UserRepository,
} from '../repositories/auth.js';
import type { PgConnection } from './connection.js';
import { apiKeyRecord, auditRecord, userRecord, type ApiKeyRow, type AuditRow, type UserRow } from '../auth-rows.js';

/** Table auth_users. */
export class PgUsers implements UserRepository {
  constructor(private readonly conn: PgConnection) {}
  async add(u: UserRecord): Promise<void> {
    await this.conn.query('INSERT INTO auth_users (name, role, password_hash, grants, created_at) VALUES ($1, $2, $3, $4, $5)', [
      u.name,
      u.role,
      u.passwordHash,
      JSON.stringify(u.grants ?? {}),
      u.createdAt,
    ]);
  }
  async get(name: string): Promise<UserRecord | null> {
    const r = await this.conn.query<UserRow>('SELECT * FROM auth_users WHERE name = $1', [name]);
    return r.rows[0] ? userRecord(r.rows[0]) : null;
  }
  async list(): Promise<UserRecord[]> {
    return (await this.conn.query<UserRow>('SELECT * FROM auth_users ORDER BY name COLLATE "C"')).rows.map(userRecord);
  }
  async count(): Promise<number> {
    return Number((await this.conn.query('SELECT COUNT(*) AS n FROM auth_users')).rows[0]!.n);
  }
  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    return ((await this.conn.query('UPDATE auth_users SET password_hash = $1 WHERE name = $2', [passwordHash, name])).rowCount ?? 0) > 0;
  }
  async setRole(name: string, role: string, grants: unknown): Promise<boolean> {
    const r = await this.conn.query('UPDATE auth_users SET role = $1, grants = $2 WHERE name = $3', [role, JSON.stringify(grants ?? {}), name]);
    return (r.rowCount ?? 0) > 0;
  }
  async delete(name: string): Promise<boolean> {
    return this.conn.tx(async (q) => {
      await q('DELETE FROM auth_tokens WHERE user_name = $1', [name]);
      await q('DELETE FROM auth_api_keys WHERE user_name = $1', [name]);
      return ((await q('DELETE FROM auth_users WHERE name = $1', [name])).rowCount ?? 0) > 0;
    });
  }
}

/** Table auth_api_keys. */
export class PgApiKeys implements ApiKeyRepository {
  constructor(private readonly conn: PgConnection) {}
  async add(k: ApiKeyRecord): Promise<void> {
    await this.conn.query(
      'INSERT INTO auth_api_keys (id, key_hash, prefix, user_name, role, grants, description, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [k.id, k.keyHash, k.prefix, k.user, k.role, JSON.stringify(k.grants ?? {}), k.description, k.createdAt, k.lastUsedAt],
    );
  }
  async get(id: string): Promise<ApiKeyRecord | null> {
    const r = await this.conn.query<ApiKeyRow>('SELECT * FROM auth_api_keys WHERE id = $1', [id]);
    return r.rows[0] ? apiKeyRecord(r.rows[0]) : null;
  }
  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const r = await this.conn.query<ApiKeyRow>('SELECT * FROM auth_api_keys WHERE key_hash = $1', [keyHash]);
    return r.rows[0] ? apiKeyRecord(r.rows[0]) : null;
  }
  async list(user?: string): Promise<ApiKeyRecord[]> {
    const r =
      user === undefined
        ? await this.conn.query<ApiKeyRow>('SELECT * FROM auth_api_keys ORDER BY created_at')
        : await this.conn.query<ApiKeyRow>('SELECT * FROM auth_api_keys WHERE user_name = $1 ORDER BY created_at', [user]);
    return r.rows.map(apiKeyRecord);
  }
  async markUsed(id: string, at: string): Promise<void> {
    await this.conn.query('UPDATE auth_api_keys SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
  async delete(id: string): Promise<boolean> {
    return ((await this.conn.query('DELETE FROM auth_api_keys WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
}

/** Table auth_tokens. */
export class PgLoginTokens implements LoginTokenRepository {
  constructor(private readonly conn: PgConnection) {}
  async add(t: LoginTokenRecord): Promise<void> {
    await this.conn.query('INSERT INTO auth_tokens (token_hash, user_name, expires_at, created_at) VALUES ($1, $2, $3, $4)', [
      t.tokenHash,
      t.user,
      t.expiresAt,
      t.createdAt,
    ]);
  }
  async find(tokenHash: string): Promise<LoginTokenRecord | null> {
    const row = (await this.conn.query('SELECT * FROM auth_tokens WHERE token_hash = $1', [tokenHash])).rows[0];
    return row ? { tokenHash: row.token_hash, user: row.user_name, expiresAt: row.expires_at, createdAt: row.created_at } : null;
  }
  async delete(tokenHash: string): Promise<boolean> {
    return ((await this.conn.query('DELETE FROM auth_tokens WHERE token_hash = $1', [tokenHash])).rowCount ?? 0) > 0;
  }
  async deleteForUser(user: string): Promise<void> {
    await this.conn.query('DELETE FROM auth_tokens WHERE user_name = $1', [user]);
  }
  async deleteExpired(time: string): Promise<void> {
    await this.conn.query('DELETE FROM auth_tokens WHERE expires_at < $1', [time]);
  }
}

/** Table audit_log. */
export class PgAudit implements AuditRepository {
  constructor(private readonly conn: PgConnection) {}
  async add(e: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.conn.query(
      'INSERT INTO audit_log (time, user_name, role, method, route, target, status, source_ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [e.time, e.user, e.role, e.method, e.route, e.target, e.status, e.sourceIp, e.detail === undefined ? null : JSON.stringify(e.detail)],
    );
  }
  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.user !== undefined) (args.push(filter.user), where.push(`user_name = $${args.length}`));
    if (filter.before !== undefined) (args.push(filter.before), where.push(`id < $${args.length}`));
    args.push(filter.limit);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`;
    return (await this.conn.query<AuditRow>(sql, args)).rows.map(auditRecord);
  }
}
