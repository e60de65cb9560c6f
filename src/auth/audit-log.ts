import type Database from 'better-sqlite3';
import { SECRET_MASK } from '../core/secrets.js';

/** One write through the API: who, what, when, from where, and how it ended. */
export interface AuditEntry {
  id: number;
  time: string;
  user: string | null;
  role: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  sourceIp: string | null;
  /** The request body with secrets replaced by '********'. */
  detail: unknown;
}

interface AuditRow {
  id: number;
  time: string;
  user_name: string | null;
  role: string | null;
  method: string;
  route: string;
  target: string | null;
  status: number;
  source_ip: string | null;
  detail: string | null;
}

const SECRET_FIELD = /^(password|new_password|secret|token|api_key|apikey|key_value|value|private_key|passphrase|credential)$/i;
export const REDACTED = SECRET_MASK;

/**
 * Replace anything that could be a secret before it is written to the audit log. Field names
 * decide (a password, a key's value, a private key); redaction is deep and never fails.
 */
export function redactForAudit(body: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (Array.isArray(body)) return body.slice(0, 50).map((v) => redactForAudit(v, depth + 1));
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = SECRET_FIELD.test(k) && v !== undefined && v !== null ? REDACTED : redactForAudit(v, depth + 1);
    return out;
  }
  if (typeof body === 'string' && body.length > 2000) return `${body.slice(0, 2000)}…`;
  return body;
}

export class AuditLog {
  constructor(private readonly db: Database.Database) {}

  record(e: Omit<AuditEntry, 'id'>): void {
    this.db
      .prepare('INSERT INTO audit_log (time, user_name, role, method, route, target, status, source_ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.time, e.user, e.role, e.method, e.route, e.target, e.status, e.sourceIp, e.detail === undefined ? null : JSON.stringify(e.detail));
  }

  /** Newest first; page with `before` (an entry id). */
  list(filter: { user?: string; limit?: number; before?: number } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.user !== undefined) {
      where.push('user_name = ?');
      args.push(filter.user);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      args.push(filter.before);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, filter.limit ?? 100) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      time: r.time,
      user: r.user_name,
      role: r.role,
      method: r.method,
      route: r.route,
      target: r.target,
      status: r.status,
      sourceIp: r.source_ip,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }
}
