import { SECRET_MASK } from '../core/secrets.js';
import type { AuditRecord, AuditRepository } from '../store/repositories/auth.js';

/** One write through the API: who, what, when, from where, and how it ended; `detail` is the request body with secrets replaced by '********'. */
export type AuditEntry = AuditRecord;

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
    for (const [k, v] of Object.entries(body as Record<string, unknown>))
      out[k] = SECRET_FIELD.test(k) && v !== undefined && v !== null ? REDACTED : redactForAudit(v, depth + 1);
    return out;
  }
  if (typeof body === 'string' && body.length > 2000) return `${body.slice(0, 2000)}…`;
  return body;
}

export class AuditLog {
  constructor(private readonly entries: AuditRepository) {}

  async record(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.entries.add(e);
  }

  /** Newest first; page with `before` (an entry id). */
  async list(filter: { user?: string; limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    return this.entries.list({ ...filter, limit: filter.limit ?? 100 });
  }
}
