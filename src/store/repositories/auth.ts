/**
 * The auth module's tables: local users, API keys, login tokens and the audit log. Secrets
 * arrive here already hashed; roles and grants are kept as given (the auth module checks them).
 */

export interface UserRecord {
  name: string;
  role: string;
  passwordHash: string;
  grants: unknown;
  createdAt: string;
}

export interface UserRepository {
  add(user: UserRecord): Promise<void>;
  get(name: string): Promise<UserRecord | null>;
  /** By name. */
  list(): Promise<UserRecord[]>;
  count(): Promise<number>;
  /** False when there is no such user. */
  setPasswordHash(name: string, passwordHash: string): Promise<boolean>;
  /** New role and grants (a directory user's after a login re-read its groups). False when there is no such user. */
  setRole(name: string, role: string, grants: unknown): Promise<boolean>;
  /** The user goes with every login token and API key of theirs, all at once. False when there was no such user. */
  delete(name: string): Promise<boolean>;
}

export interface ApiKeyRecord {
  id: string;
  keyHash: string;
  /** The first characters of the key, so an operator can tell keys apart. */
  prefix: string;
  user: string;
  role: string;
  grants: unknown;
  description: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface ApiKeyRepository {
  add(key: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Oldest first: one user's keys, or everybody's. */
  list(user?: string): Promise<ApiKeyRecord[]>;
  markUsed(id: string, at: string): Promise<void>;
  /** False when there was no such key. */
  delete(id: string): Promise<boolean>;
}

export interface LoginTokenRecord {
  tokenHash: string;
  user: string;
  expiresAt: string;
  createdAt: string;
}

export interface LoginTokenRepository {
  add(token: LoginTokenRecord): Promise<void>;
  find(tokenHash: string): Promise<LoginTokenRecord | null>;
  /** False when there was no such token. */
  delete(tokenHash: string): Promise<boolean>;
  deleteForUser(user: string): Promise<void>;
  /** Tokens that expired before `time` (ISO) go. */
  deleteExpired(time: string): Promise<void>;
}

/** One write through the API: who, what, when, from where, and how it ended. */
export interface AuditRecord {
  id: number;
  time: string;
  user: string | null;
  role: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  sourceIp: string | null;
  /** The request body with secrets already replaced; undefined is kept as null. */
  detail: unknown;
}

export interface AuditFilter {
  user?: string;
  limit: number;
  /** An entry id: only older entries. */
  before?: number;
}

export interface AuditRepository {
  /** The id is the store's: increasing, so newer entries have higher ids. */
  add(entry: Omit<AuditRecord, 'id'>): Promise<void>;
  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditRecord[]>;
}
