import type { AuditFilter, AuditRecord, AuditRepository } from '../repositories/auth.js';
import { auditRecord, type AuditRow } from '../auth-rows.js';
import type { SqliteConnection } from './connection.js';

/** Table audit_log (migration 2). */
export class SqliteAudit implements AuditRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async add(e: Omit<AuditRecord, 'id'>): Promise<void> {
    this.conn
      .stmt('INSERT INTO audit_log (time, user_name, role, method, route, target, status, source_ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.time, e.user, e.role, e.method, e.route, e.target, e.status, e.sourceIp, e.detail === undefined ? null : JSON.stringify(e.detail));
  }

  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.user !== undefined) (where.push('user_name = ?'), args.push(filter.user));
    if (filter.before !== undefined) (where.push('id < ?'), args.push(filter.before));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.conn.stmt(sql).all(...args, filter.limit) as AuditRow[];
    return rows.map(auditRecord);
  }
}
