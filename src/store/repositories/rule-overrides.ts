/**
 * The rules made through the API (their documents as given) and the enable/disable overrides
 * of any rule, pack rules included. The rules module parses and applies them.
 */

export interface StoredRule {
  ref: string;
  /** The document as given. Reading it throws if the stored copy is damaged. */
  readonly doc: unknown;
}

export interface RuleOverrideRepository {
  /** Creates or replaces the rule's document. */
  putRule(ref: string, doc: unknown, updatedAt: string): Promise<void>;
  hasRule(ref: string): Promise<boolean>;
  /** The rule goes with its override. False when there was no such rule. */
  deleteRule(ref: string): Promise<boolean>;
  /** By ref. */
  listRules(): Promise<StoredRule[]>;
  setEnabled(ref: string, enabled: boolean, updatedAt: string): Promise<void>;
  /** ref -> enabled, for every rule that has an override. */
  enabledOverrides(): Promise<Map<string, boolean>>;
}
