import { NrxError, describeError } from '../core/errors.js';
import { parseYaml, type YamlSource } from '../core/yaml.js';
import type { RuleIndex } from '../rules/matcher.js';
import { parseRule, type Rule } from '../rules/rule.js';
import type { RuleOverrideRepository } from '../store/repositories/rule-overrides.js';

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

/** What the store holds for the rule index: API rules (parsed) and enable/disable overrides. */
export interface SavedApiRules {
  rules: Rule[];
  /** Stored documents that no longer parse: reported, not fatal. */
  errors: NrxError[];
  overrides: Map<string, boolean>;
}

/**
 * Put API rules and overrides into the index. Synchronous, so a content reload can drop the
 * pack rules and put these back before any event sees the index in between.
 */
export function applySavedRules(index: RuleIndex, saved: SavedApiRules): { applied: number; errors: NrxError[] } {
  for (const r of saved.rules) index.add(r);
  for (const [ref, enabled] of saved.overrides) {
    const rule = index.get(ref);
    if (rule && rule.enabled !== enabled) index.add({ ...rule, enabled });
  }
  return { applied: saved.rules.length, errors: saved.errors };
}

/**
 * Rules created through the API (the document as given) and enable/disable overrides for any
 * rule, pack rules included, kept in the store's RuleOverrideRepository. Both are applied to
 * the appliance's RuleIndex at once and again at every start (applyTo).
 */
export class ApiRuleStore {
  constructor(
    private readonly saved: RuleOverrideRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async put(rule: Rule, doc: unknown): Promise<void> {
    await this.saved.putRule(rule.ref, doc, new Date(this.now()).toISOString());
  }

  async has(ref: string): Promise<boolean> {
    return this.saved.hasRule(ref);
  }

  async delete(ref: string): Promise<boolean> {
    return this.saved.deleteRule(ref);
  }

  async setEnabled(ref: string, enabled: boolean): Promise<void> {
    await this.saved.setEnabled(ref, enabled, new Date(this.now()).toISOString());
  }

  async overrides(): Promise<Map<string, boolean>> {
    return this.saved.enabledOverrides();
  }

  /** The stored documents, parsed; a document that no longer parses is reported, not fatal. */
  async load(): Promise<{ rules: Rule[]; errors: NrxError[] }> {
    const rules: Rule[] = [];
    const errors: NrxError[] = [];
    for (const stored of await this.saved.listRules()) {
      try {
        rules.push(parseApiRule(stored.doc, stored.ref.slice(stored.ref.indexOf('.') + 1)));
      } catch (e) {
        errors.push(e instanceof NrxError ? e : new NrxError('NRX_ERR_RULE_INVALID', `stored rule ${stored.ref}: ${describeError(e).message}`));
      }
    }
    return { rules, errors };
  }

  /** Everything applySavedRules needs, read at once. */
  async read(): Promise<SavedApiRules> {
    const { rules, errors } = await this.load();
    return { rules, errors, overrides: await this.overrides() };
  }

  /**
   * Put API rules and overrides into the index. Call after content (re)loads and before the
   * appliance starts taking events; calling it again is harmless (add replaces by ref).
   */
  async applyTo(index: RuleIndex): Promise<{ applied: number; errors: NrxError[] }> {
    return applySavedRules(index, await this.read());
  }
}
