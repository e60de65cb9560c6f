import type Database from 'better-sqlite3';
import { NrxError, describeError } from '../core/errors.js';
import { parseYaml, type YamlSource } from '../core/yaml.js';
import type { RuleIndex } from '../rules/matcher.js';
import { parseRule, type Rule } from '../rules/rule.js';

/** Where rules made through the API say they came from (Rule.file). */
export const API_RULE_FILE_PREFIX = 'api:rules/';

export function isApiRule(rule: Rule): boolean {
  return rule.file.startsWith(API_RULE_FILE_PREFIX);
}

/**
 * A rule from an API body: YAML text (what an operator would put in rules/*.yaml) or the same
 * thing as a JSON object. Errors name `api:rules/<name>` and the field.
 */
export function parseApiRule(input: unknown, nameHint = 'new'): Rule {
  const file = `${API_RULE_FILE_PREFIX}${nameHint}`;
  const src: YamlSource = typeof input === 'string' ? parseYaml(input, file) : { file, doc: input, lineOf: () => undefined };
  if (src.doc && typeof src.doc === 'object' && !Array.isArray(src.doc)) {
    const name = (src.doc as Record<string, unknown>).name;
    if (typeof name === 'string' && name !== nameHint) return parseApiRule(input, name);
  }
  return parseRule(src);
}

/**
 * Rules created through the API (table api_rules, the document as given) and enable/disable
 * overrides for any rule, pack rules included (table rule_overrides). Both are applied to the
 * appliance's RuleIndex at once and again at every start (applyTo).
 */
export class ApiRuleStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  put(rule: Rule, doc: unknown): void {
    this.db
      .prepare('INSERT INTO api_rules (ref, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (ref) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at')
      .run(rule.ref, JSON.stringify(doc), new Date(this.now()).toISOString());
  }

  has(ref: string): boolean {
    return this.db.prepare('SELECT 1 FROM api_rules WHERE ref = ?').get(ref) !== undefined;
  }

  delete(ref: string): boolean {
    this.db.prepare('DELETE FROM rule_overrides WHERE ref = ?').run(ref);
    return this.db.prepare('DELETE FROM api_rules WHERE ref = ?').run(ref).changes > 0;
  }

  setEnabled(ref: string, enabled: boolean): void {
    this.db
      .prepare('INSERT INTO rule_overrides (ref, enabled, updated_at) VALUES (?, ?, ?) ON CONFLICT (ref) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at')
      .run(ref, enabled ? 1 : 0, new Date(this.now()).toISOString());
  }

  overrides(): Map<string, boolean> {
    const rows = this.db.prepare('SELECT ref, enabled FROM rule_overrides').all() as Array<{ ref: string; enabled: number }>;
    return new Map(rows.map((r) => [r.ref, r.enabled === 1]));
  }

  /** The stored documents, parsed; a document that no longer parses is reported, not fatal. */
  load(): { rules: Rule[]; errors: NrxError[] } {
    const rules: Rule[] = [];
    const errors: NrxError[] = [];
    for (const row of this.db.prepare('SELECT ref, doc FROM api_rules ORDER BY ref').all() as Array<{ ref: string; doc: string }>) {
      try {
        rules.push(parseApiRule(JSON.parse(row.doc) as unknown, row.ref.slice(row.ref.indexOf('.') + 1)));
      } catch (e) {
        errors.push(e instanceof NrxError ? e : new NrxError('NRX_ERR_RULE_INVALID', `stored rule ${row.ref}: ${describeError(e).message}`));
      }
    }
    return { rules, errors };
  }

  /**
   * Put API rules and overrides into the index. Call after content (re)loads and before the
   * appliance starts taking events; calling it again is harmless (add replaces by ref).
   */
  applyTo(index: RuleIndex): { applied: number; errors: NrxError[] } {
    const { rules, errors } = this.load();
    for (const r of rules) index.add(r);
    for (const [ref, enabled] of this.overrides()) {
      const rule = index.get(ref);
      if (rule && rule.enabled !== enabled) index.add({ ...rule, enabled });
    }
    return { applied: rules.length, errors };
  }
}
