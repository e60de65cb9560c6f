import type { RuleOverrideRepository, StoredRule } from '../repositories/rule-overrides.js';
import type { SqliteConnection } from './connection.js';

/** Tables api_rules and rule_overrides (migration 2). */
export class SqliteRuleOverrides implements RuleOverrideRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async putRule(ref: string, doc: unknown, updatedAt: string): Promise<void> {
    this.conn
      .stmt(
        'INSERT INTO api_rules (ref, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (ref) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
      )
      .run(ref, JSON.stringify(doc), updatedAt);
  }

  async hasRule(ref: string): Promise<boolean> {
    return this.conn.stmt('SELECT 1 FROM api_rules WHERE ref = ?').get(ref) !== undefined;
  }

  async deleteRule(ref: string): Promise<boolean> {
    this.conn.stmt('DELETE FROM rule_overrides WHERE ref = ?').run(ref);
    return this.conn.stmt('DELETE FROM api_rules WHERE ref = ?').run(ref).changes > 0;
  }

  async listRules(): Promise<StoredRule[]> {
    const rows = this.conn.stmt('SELECT ref, doc FROM api_rules ORDER BY ref').all() as Array<{ ref: string; doc: string }>;
    // parsed when read, so one damaged document is that rule's error, not the whole list's
    return rows.map((r) => ({
      ref: r.ref,
      get doc(): unknown {
        return JSON.parse(r.doc) as unknown;
      },
    }));
  }

  async setEnabled(ref: string, enabled: boolean, updatedAt: string): Promise<void> {
    this.conn
      .stmt(
        'INSERT INTO rule_overrides (ref, enabled, updated_at) VALUES (?, ?, ?) ON CONFLICT (ref) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at',
      )
      .run(ref, enabled ? 1 : 0, updatedAt);
  }

  async enabledOverrides(): Promise<Map<string, boolean>> {
    const rows = this.conn.stmt('SELECT ref, enabled FROM rule_overrides').all() as Array<{ ref: string; enabled: number }>;
    return new Map(rows.map((r) => [r.ref, r.enabled === 1]));
  }
}
