import type { ApiKeyRecord, AuditRecord, UserRecord } from './repositories/auth.js';

/**
 * Rows of the auth tables (auth_users, auth_api_keys, audit_log) -> records, the same for the
 * SQLite and the PostgreSQL store: the columns are the same, grants and details are JSON text.
 */

export type UserRow = {
  name: string;
  role: string;
  password_hash: string;
  grants: string;
  created_at: string;
};

export function userRecord(r: UserRow): UserRecord {
  return { name: r.name, role: r.role, passwordHash: r.password_hash, grants: JSON.parse(r.grants) as unknown, createdAt: r.created_at };
}

export type ApiKeyRow = {
  id: string;
  key_hash: string;
  prefix: string;
  user_name: string;
  role: string;
  grants: string;
  description: string | null;
  created_at: string;
  last_used_at: string | null;
};

export function apiKeyRecord(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    keyHash: r.key_hash,
    prefix: r.prefix,
    user: r.user_name,
    role: r.role,
    grants: JSON.parse(r.grants) as unknown,
    description: r.description,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

export type AuditRow = {
  /** PostgreSQL's BIGSERIAL may arrive as a string. */
  id: number | string;
  time: string;
  user_name: string | null;
  role: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  source_ip: string | null;
  detail: string | null;
};

export function auditRecord(r: AuditRow): AuditRecord {
  return {
    id: Number(r.id),
    time: r.time,
    user: r.user_name,
    role: r.role,
    method: r.method,
    route: r.route,
    target: r.target,
    status: r.status,
    sourceIp: r.source_ip,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
  };
}
