import type Database from 'better-sqlite3';
import { NrxError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { AuditLog } from './audit-log.js';
import { checkPasswordLength, hashPassword, randomSecret, sha256, verifyPassword } from './passwords.js';
import { isRole, narrowGrants, roleRank, type Grants, type Principal, type Role } from './roles.js';

export interface UserView {
  name: string;
  role: Role;
  grants: Grants;
  createdAt: string;
}

export interface ApiKeyView {
  id: string;
  /** The first characters of the key, so an operator can tell keys apart. */
  prefix: string;
  user: string;
  role: Role;
  grants: Grants;
  description: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuthServiceOptions {
  now?: () => number;
  /** Lifetime of a login token (default 24 h). */
  tokenTtlMs?: number;
}

const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const TOKEN_PREFIX = 'nrxt_';
const KEY_PREFIX = 'nrxk_';
const MIN_PASSWORD = 8;

interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  grants: string;
  created_at: string;
}
interface KeyRow {
  id: string;
  key_hash: string;
  prefix: string;
  user_name: string;
  role: string;
  grants: string;
  description: string | null;
  created_at: string;
  last_used_at: string | null;
}

function unauthorized(message: string): NrxError {
  return new NrxError('NRX_ERR_UNAUTHORIZED', message);
}

/**
 * Local users, API keys and login tokens, in the appliance's SQLite file. Secrets are kept
 * only as hashes: passwords under scrypt, API keys and tokens (random, high-entropy) as
 * SHA-256, so a copy of the database file does not log anybody in.
 */
export class AuthService {
  readonly audit: AuditLog;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly tokenTtlMs: number;

  constructor(store: SqliteStore, opts: AuthServiceOptions = {}) {
    this.db = store.database;
    this.audit = new AuditLog(this.db);
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = opts.tokenTtlMs ?? 24 * 3600_000;
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  // ---- users

  async createUser(u: { name: string; password: string; role: Role; grants?: Grants }): Promise<UserView> {
    if (!USER_NAME.test(u.name)) throw new NrxError('NRX_ERR_VALIDATION', `user name ${JSON.stringify(u.name)} may hold 1-64 letters, digits and . _ @ -`, { location: { field: 'name' } });
    if (!isRole(u.role)) throw new NrxError('NRX_ERR_VALIDATION', `role must be admin, operator or observer, got ${JSON.stringify(u.role)}`, { location: { field: 'role' } });
    if (u.password.length < MIN_PASSWORD) throw new NrxError('NRX_ERR_VALIDATION', `password must have at least ${MIN_PASSWORD} characters`, { location: { field: 'password' } });
    checkPasswordLength(u.password);
    if (this.getUser(u.name)) throw new NrxError('NRX_ERR_CONFLICT', `user '${u.name}' already exists`);
    const hash = await hashPassword(u.password);
    const createdAt = this.iso();
    this.db.prepare('INSERT INTO auth_users (name, role, password_hash, grants, created_at) VALUES (?, ?, ?, ?, ?)').run(u.name, u.role, hash, JSON.stringify(u.grants ?? {}), createdAt);
    return { name: u.name, role: u.role, grants: u.grants ?? {}, createdAt };
  }

  getUser(name: string): UserView | null {
    const row = this.db.prepare('SELECT * FROM auth_users WHERE name = ?').get(name) as UserRow | undefined;
    return row ? userView(row) : null;
  }

  listUsers(): UserView[] {
    return (this.db.prepare('SELECT * FROM auth_users ORDER BY name').all() as UserRow[]).map(userView);
  }

  /** Deleting a user also revokes its tokens and API keys. */
  deleteUser(name: string): boolean {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM auth_tokens WHERE user_name = ?').run(name);
      this.db.prepare('DELETE FROM auth_api_keys WHERE user_name = ?').run(name);
      return this.db.prepare('DELETE FROM auth_users WHERE name = ?').run(name).changes > 0;
    });
    return tx.immediate();
  }

  async setPassword(name: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD) throw new NrxError('NRX_ERR_VALIDATION', `password must have at least ${MIN_PASSWORD} characters`, { location: { field: 'password' } });
    checkPasswordLength(password);
    const hash = await hashPassword(password);
    if (this.db.prepare('UPDATE auth_users SET password_hash = ? WHERE name = ?').run(hash, name).changes === 0) throw new NrxError('NRX_ERR_NOT_FOUND', `no user '${name}'`);
    this.db.prepare('DELETE FROM auth_tokens WHERE user_name = ?').run(name);
  }

  /**
   * First start: with no user at all, create `admin` with NETREFLEX_ADMIN_PASSWORD or a random
   * password. A generated password is returned so the caller prints it once; it is not kept.
   */
  async ensureAdmin(env: NodeJS.ProcessEnv = process.env): Promise<{ created: boolean; user: string; password: string | null; fromEnvironment: boolean }> {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM auth_users').get() as { n: number }).n;
    if (count > 0) return { created: false, user: 'admin', password: null, fromEnvironment: false };
    const fromEnv = env.NETREFLEX_ADMIN_PASSWORD;
    const password = fromEnv && fromEnv.length > 0 ? fromEnv : randomSecret('', 18);
    await this.createUser({ name: 'admin', password, role: 'admin' });
    return { created: true, user: 'admin', password: fromEnv ? null : password, fromEnvironment: Boolean(fromEnv) };
  }

  // ---- tokens

  /** Check a password and hand out a short-lived bearer token. */
  async login(name: string, password: string): Promise<{ token: string; expiresAt: string; user: string; role: Role }> {
    checkPasswordLength(password);
    const row = this.db.prepare('SELECT * FROM auth_users WHERE name = ?').get(name) as UserRow | undefined;
    // Hash even for an unknown user, so response time does not reveal which names exist.
    const ok = await verifyPassword(password, row?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    if (!row || !ok) throw unauthorized('wrong user name or password');
    const token = randomSecret(TOKEN_PREFIX);
    const expiresAt = this.iso(this.tokenTtlMs);
    this.db.prepare('DELETE FROM auth_tokens WHERE expires_at < ?').run(this.iso());
    this.db.prepare('INSERT INTO auth_tokens (token_hash, user_name, expires_at, created_at) VALUES (?, ?, ?, ?)').run(sha256(token), name, expiresAt, this.iso());
    return { token, expiresAt, user: name, role: row.role as Role };
  }

  logout(token: string): boolean {
    return this.db.prepare('DELETE FROM auth_tokens WHERE token_hash = ?').run(sha256(token)).changes > 0;
  }

  // ---- API keys

  /**
   * A new API key, returned in clear this once. Its role and grants are the owner's unless
   * narrowed; a key is never wider than the user it belongs to.
   */
  createApiKey(owner: { user: string; role: Role; grants: Grants }, want: { role?: Role; grants?: Grants; description?: string } = {}): ApiKeyView & { key: string } {
    const role = want.role ?? owner.role;
    if (!isRole(role)) throw new NrxError('NRX_ERR_VALIDATION', `role must be admin, operator or observer, got ${JSON.stringify(role)}`, { location: { field: 'role' } });
    if (roleRank(role) > roleRank(owner.role)) throw new NrxError('NRX_ERR_FORBIDDEN', `a ${owner.role} cannot create an API key with role ${role}`);
    const grants = narrowGrants(owner.grants, want.grants ?? {});
    const key = randomSecret(KEY_PREFIX);
    const view: ApiKeyView = { id: newId(), prefix: key.slice(0, KEY_PREFIX.length + 6), user: owner.user, role, grants, description: want.description ?? null, createdAt: this.iso(), lastUsedAt: null };
    this.db
      .prepare('INSERT INTO auth_api_keys (id, key_hash, prefix, user_name, role, grants, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(view.id, sha256(key), view.prefix, view.user, view.role, JSON.stringify(grants), view.description, view.createdAt);
    return { ...view, key };
  }

  listApiKeys(user?: string): ApiKeyView[] {
    const rows = (user === undefined ? this.db.prepare('SELECT * FROM auth_api_keys ORDER BY created_at').all() : this.db.prepare('SELECT * FROM auth_api_keys WHERE user_name = ? ORDER BY created_at').all(user)) as KeyRow[];
    return rows.map(keyView);
  }

  getApiKey(id: string): ApiKeyView | null {
    const row = this.db.prepare('SELECT * FROM auth_api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? keyView(row) : null;
  }

  deleteApiKey(id: string): boolean {
    return this.db.prepare('DELETE FROM auth_api_keys WHERE id = ?').run(id).changes > 0;
  }

  // ---- authentication

  /**
   * Who is calling. Null when no credential was presented; NRX_ERR_UNAUTHORIZED when one was
   * presented but is unknown, revoked or expired.
   */
  authenticate(cred: { apiKey?: string | undefined; bearer?: string | undefined }): Principal | null {
    if (cred.apiKey) {
      const row = this.db.prepare('SELECT * FROM auth_api_keys WHERE key_hash = ?').get(sha256(cred.apiKey)) as KeyRow | undefined;
      if (!row) throw unauthorized('unknown or revoked API key');
      const owner = this.getUser(row.user_name);
      if (!owner) throw unauthorized('the API key belongs to a user that no longer exists');
      this.db.prepare('UPDATE auth_api_keys SET last_used_at = ? WHERE id = ?').run(this.iso(), row.id);
      // A key never outranks its owner, even if the owner was demoted after it was made.
      const role = roleRank(row.role as Role) > roleRank(owner.role) ? owner.role : (row.role as Role);
      return { user: row.user_name, role, grants: narrowGrants(owner.grants, JSON.parse(row.grants) as Grants), via: 'api_key', keyId: row.id };
    }
    if (cred.bearer) {
      const row = this.db.prepare('SELECT user_name, expires_at FROM auth_tokens WHERE token_hash = ?').get(sha256(cred.bearer)) as { user_name: string; expires_at: string } | undefined;
      if (!row) throw unauthorized('unknown or revoked token; log in again');
      if (row.expires_at <= this.iso()) throw unauthorized(`token expired at ${row.expires_at}; log in again`);
      const user = this.getUser(row.user_name);
      if (!user) throw unauthorized('the token belongs to a user that no longer exists');
      return { user: user.name, role: user.role, grants: user.grants, via: 'token' };
    }
    return null;
  }
}

function userView(r: UserRow): UserView {
  return { name: r.name, role: r.role as Role, grants: JSON.parse(r.grants) as Grants, createdAt: r.created_at };
}

function keyView(r: KeyRow): ApiKeyView {
  return { id: r.id, prefix: r.prefix, user: r.user_name, role: r.role as Role, grants: JSON.parse(r.grants) as Grants, description: r.description, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}
