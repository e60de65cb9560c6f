import { NrxError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ApiKeyRecord, UserRecord } from '../store/repositories/auth.js';
import type { Store } from '../store/store.js';
import { AuditLog } from './audit-log.js';
import type { Directory } from './ldap.js';
import { checkPasswordLength, hashPassword, randomSecret, sha256, verifyPassword } from './passwords.js';
import { isRole, narrowGrants, roleRank, type Grants, type Principal, type Role } from './roles.js';

export interface UserView {
  name: string;
  role: Role;
  grants: Grants;
  createdAt: string;
  /** local: password kept here; directory: logs in against LDAP, role and grants from its groups. */
  source: 'local' | 'directory';
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
  /** Directory logins (ldap.yaml): a name that is not a local user is tried there. */
  directory?: Directory | null;
}

const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const TOKEN_PREFIX = 'nrxt_';
const KEY_PREFIX = 'nrxk_';
const MIN_PASSWORD = 8;
/** The password hash of a directory user: no password verifies against it, so it logs in only through the directory. */
const DIRECTORY_USER = 'directory';

/** The store's repositories this service keeps its data in. */
export type AuthStore = Pick<Store, 'users' | 'apiKeys' | 'loginTokens' | 'audit'>;

function unauthorized(message: string): NrxError {
  return new NrxError('NRX_ERR_UNAUTHORIZED', message);
}

/**
 * Local users, API keys and login tokens, in the appliance's store. Secrets are kept only as
 * hashes: passwords under scrypt, API keys and tokens (random, high-entropy) as SHA-256, so a
 * copy of the database does not log anybody in.
 */
export class AuthService {
  readonly audit: AuditLog;
  private readonly store: AuthStore;
  private readonly now: () => number;
  private readonly tokenTtlMs: number;
  private readonly directory: Directory | null;

  constructor(store: AuthStore, opts: AuthServiceOptions = {}) {
    this.store = store;
    this.audit = new AuditLog(store.audit);
    this.now = opts.now ?? Date.now;
    this.tokenTtlMs = opts.tokenTtlMs ?? 24 * 3600_000;
    this.directory = opts.directory ?? null;
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  // ---- users

  async createUser(u: { name: string; password: string; role: Role; grants?: Grants }): Promise<UserView> {
    if (!USER_NAME.test(u.name))
      throw new NrxError('NRX_ERR_VALIDATION', `user name ${JSON.stringify(u.name)} may hold 1-64 letters, digits and . _ @ -`, {
        location: { field: 'name' },
      });
    if (!isRole(u.role))
      throw new NrxError('NRX_ERR_VALIDATION', `role must be admin, operator or observer, got ${JSON.stringify(u.role)}`, { location: { field: 'role' } });
    if (u.password.length < MIN_PASSWORD)
      throw new NrxError('NRX_ERR_VALIDATION', `password must have at least ${MIN_PASSWORD} characters`, { location: { field: 'password' } });
    checkPasswordLength(u.password);
    if (await this.getUser(u.name)) throw new NrxError('NRX_ERR_CONFLICT', `user '${u.name}' already exists`);
    const hash = await hashPassword(u.password);
    const createdAt = this.iso();
    await this.store.users.add({ name: u.name, role: u.role, passwordHash: hash, grants: u.grants ?? {}, createdAt });
    return { name: u.name, role: u.role, grants: u.grants ?? {}, createdAt, source: 'local' };
  }

  async getUser(name: string): Promise<UserView | null> {
    const user = await this.store.users.get(name);
    return user ? userView(user) : null;
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.store.users.list()).map(userView);
  }

  /** Deleting a user also revokes its tokens and API keys. */
  async deleteUser(name: string): Promise<boolean> {
    return this.store.users.delete(name);
  }

  /** Delete a user named by an operator: an unknown name and the last admin are refused. */
  async removeUser(name: string): Promise<void> {
    const u = await this.getUser(name);
    if (!u) throw new NrxError('NRX_ERR_NOT_FOUND', `no user '${name}'`);
    if (u.role === 'admin' && (await this.listUsers()).filter((x) => x.role === 'admin').length === 1)
      throw new NrxError('NRX_ERR_CONFLICT', `'${u.name}' is the last admin; create another admin first`);
    await this.deleteUser(u.name);
  }

  /** A user proving it knows its current password before changing it. */
  async checkPassword(name: string, password: string): Promise<void> {
    checkPasswordLength(password);
    const row = await this.store.users.get(name);
    if (!row || !(await verifyPassword(password, row.passwordHash))) throw unauthorized(`the current password of '${name}' is wrong`);
  }

  async setPassword(name: string, password: string): Promise<void> {
    if ((await this.store.users.get(name))?.passwordHash === DIRECTORY_USER)
      throw new NrxError('NRX_ERR_CONFLICT', `'${name}' logs in through the directory; change the password there`);
    if (password.length < MIN_PASSWORD)
      throw new NrxError('NRX_ERR_VALIDATION', `password must have at least ${MIN_PASSWORD} characters`, { location: { field: 'password' } });
    checkPasswordLength(password);
    const hash = await hashPassword(password);
    if (!(await this.store.users.setPasswordHash(name, hash))) throw new NrxError('NRX_ERR_NOT_FOUND', `no user '${name}'`);
    await this.store.loginTokens.deleteForUser(name);
  }

  /**
   * First start: with no user at all, create `admin` with NETREFLEX_ADMIN_PASSWORD or a random
   * password. A generated password is returned so the caller prints it once; it is not kept.
   */
  async ensureAdmin(env: NodeJS.ProcessEnv = process.env): Promise<{ created: boolean; user: string; password: string | null; fromEnvironment: boolean }> {
    if ((await this.store.users.count()) > 0) return { created: false, user: 'admin', password: null, fromEnvironment: false };
    const fromEnv = env.NETREFLEX_ADMIN_PASSWORD;
    const password = fromEnv && fromEnv.length > 0 ? fromEnv : randomSecret('', 18);
    await this.createUser({ name: 'admin', password, role: 'admin' });
    return { created: true, user: 'admin', password: fromEnv ? null : password, fromEnvironment: Boolean(fromEnv) };
  }

  // ---- tokens

  /** Check a password and hand out a short-lived bearer token. */
  async login(name: string, password: string): Promise<{ token: string; expiresAt: string; user: string; role: Role }> {
    checkPasswordLength(password);
    const row = await this.store.users.get(name);
    if (this.directory && (!row || row.passwordHash === DIRECTORY_USER)) return this.directoryLogin(this.directory, name, password, row !== null);
    // Hash even for an unknown user, so response time does not reveal which names exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    if (!row || !ok) throw unauthorized('wrong user name or password');
    return this.issueToken(name, row.role as Role);
  }

  /**
   * A login through the directory. The user is kept as a directory user (no password here) so
   * tokens and API keys work as for a local user; each login re-reads its groups, so a role
   * changed in the directory applies from that login on, and a user dropped from every mapped
   * group loses the account here with its tokens and API keys.
   */
  private async directoryLogin(
    directory: Directory,
    name: string,
    password: string,
    known: boolean,
  ): Promise<{ token: string; expiresAt: string; user: string; role: Role }> {
    if (!USER_NAME.test(name)) throw unauthorized('wrong user name or password');
    let who;
    try {
      who = await directory.login(name, password);
    } catch (e) {
      if (known && e instanceof NrxError && e.code === 'NRX_ERR_LDAP_NO_ROLE') await this.store.users.delete(name);
      throw e;
    }
    if (!known) await this.store.users.add({ name, role: who.role, passwordHash: DIRECTORY_USER, grants: who.grants, createdAt: this.iso() });
    else await this.store.users.setRole(name, who.role, who.grants);
    return this.issueToken(name, who.role);
  }

  private async issueToken(name: string, role: Role): Promise<{ token: string; expiresAt: string; user: string; role: Role }> {
    const token = randomSecret(TOKEN_PREFIX);
    const expiresAt = this.iso(this.tokenTtlMs);
    await this.store.loginTokens.deleteExpired(this.iso());
    await this.store.loginTokens.add({ tokenHash: sha256(token), user: name, expiresAt, createdAt: this.iso() });
    return { token, expiresAt, user: name, role };
  }

  async logout(token: string): Promise<boolean> {
    return this.store.loginTokens.delete(sha256(token));
  }

  // ---- API keys

  /**
   * A new API key, returned in clear this once. Its role and grants are the owner's unless
   * narrowed; a key is never wider than the user it belongs to.
   */
  async createApiKey(
    owner: { user: string; role: Role; grants: Grants },
    want: { role?: Role; grants?: Grants; description?: string } = {},
  ): Promise<ApiKeyView & { key: string }> {
    const role = want.role ?? owner.role;
    if (!isRole(role))
      throw new NrxError('NRX_ERR_VALIDATION', `role must be admin, operator or observer, got ${JSON.stringify(role)}`, { location: { field: 'role' } });
    if (roleRank(role) > roleRank(owner.role)) throw new NrxError('NRX_ERR_FORBIDDEN', `a ${owner.role} cannot create an API key with role ${role}`);
    const grants = narrowGrants(owner.grants, want.grants ?? {});
    const key = randomSecret(KEY_PREFIX);
    const view: ApiKeyView = {
      id: newId(),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      user: owner.user,
      role,
      grants,
      description: want.description ?? null,
      createdAt: this.iso(),
      lastUsedAt: null,
    };
    await this.store.apiKeys.add({ ...view, keyHash: sha256(key) });
    return { ...view, key };
  }

  async listApiKeys(user?: string): Promise<ApiKeyView[]> {
    return (await this.store.apiKeys.list(user)).map(keyView);
  }

  async getApiKey(id: string): Promise<ApiKeyView | null> {
    const key = await this.store.apiKeys.get(id);
    return key ? keyView(key) : null;
  }

  async deleteApiKey(id: string): Promise<boolean> {
    return this.store.apiKeys.delete(id);
  }

  // ---- authentication

  /**
   * Who is calling. Null when no credential was presented; NRX_ERR_UNAUTHORIZED when one was
   * presented but is unknown, revoked or expired.
   */
  async authenticate(cred: { apiKey?: string | undefined; bearer?: string | undefined }): Promise<Principal | null> {
    if (cred.apiKey) {
      const row = await this.store.apiKeys.findByHash(sha256(cred.apiKey));
      if (!row) throw unauthorized('unknown or revoked API key');
      const owner = await this.getUser(row.user);
      if (!owner) throw unauthorized('the API key belongs to a user that no longer exists');
      await this.store.apiKeys.markUsed(row.id, this.iso());
      // A key never outranks its owner, even if the owner was demoted after it was made.
      const role = roleRank(row.role as Role) > roleRank(owner.role) ? owner.role : (row.role as Role);
      return { user: row.user, role, grants: narrowGrants(owner.grants, row.grants as Grants), via: 'api_key', keyId: row.id };
    }
    if (cred.bearer) {
      const row = await this.store.loginTokens.find(sha256(cred.bearer));
      if (!row) throw unauthorized('unknown or revoked token; log in again');
      if (row.expiresAt <= this.iso()) throw unauthorized(`token expired at ${row.expiresAt}; log in again`);
      const user = await this.getUser(row.user);
      if (!user) throw unauthorized('the token belongs to a user that no longer exists');
      return { user: user.name, role: user.role, grants: user.grants, via: 'token' };
    }
    return null;
  }
}

function userView(r: UserRecord): UserView {
  return {
    name: r.name,
    role: r.role as Role,
    grants: r.grants as Grants,
    createdAt: r.createdAt,
    source: r.passwordHash === DIRECTORY_USER ? 'directory' : 'local',
  };
}

function keyView(r: ApiKeyRecord): ApiKeyView {
  return {
    id: r.id,
    prefix: r.prefix,
    user: r.user,
    role: r.role as Role,
    grants: r.grants as Grants,
    description: r.description,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
  };
}
