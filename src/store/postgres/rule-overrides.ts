import type { RuleOverrideRepository, StoredRule } from '../repositories/rule-overrides.js';
import type { PgConnection } from './connection.js';

/** Tables api_rules and rule_overrides. */
export class PgRuleOverrides implements RuleOverrideRepository {
  constructor(private readonly conn: PgConnection) {}

  async putRule(ref: string, doc: unknown, updatedAt: string): Promise<void> {
    await this.conn.query(
      'INSERT INTO api_rules (ref, doc, updated_at) VALUES ($1, $2, $3) ON CONFLICT (ref) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
      [ref, JSON.stringify(doc), updatedAt],
    );
  }

  async hasRule(ref: string): Promise<boolean> {
    return (await this.conn.query('SELECT 1 FROM api_rules WHERE ref = $1', [ref])).rows.length > 0;
  }

  async deleteRule(ref: string): Promise<boolean> {
    return this.conn.tx(async (q) => {
      await q('DELETE FROM rule_overrides WHERE ref = $1', [ref]);
      return ((await q('DELETE FROM api_rules WHERE ref = $1', [ref])).rowCount ?? 0) > 0;
    });
  }

  async listRules(): Promise<StoredRule[]> {
    const rows = (await this.conn.query<{ ref: string; doc: string }>('SELECT ref, doc FROM api_rules ORDER BY ref')).rows;
    // parsed when read, so one damaged document is that rule's error, not the whole list's
    return rows.map((r) => ({
      ref: r.ref,
      get doc(): unknown {
        return JSON.parse(r.doc) as unknown;
      },
    }));
  }

  async setEnabled(ref: string, enabled: boolean, updatedAt: string): Promise<void> {
    await this.conn.query(
      'INSERT INTO rule_overrides (ref, enabled, updated_at) VALUES ($1, $2, $3) ON CONFLICT (ref) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at',
      [ref, enabled ? 1 : 0, updatedAt],
    );
  }

  async enabledOverrides(): Promise<Map<string, boolean>> {
    const rows = (await this.conn.query<{ ref: string; enabled: number }>('SELECT ref, enabled FROM rule_overrides')).rows;
    return new Map(rows.map((r) => [r.ref, r.enabled === 1]));
  }
}
