import type { ApiKeyRepository, AuditRepository, LoginTokenRepository, UserRepository } from './auth.js';
import type { InventoryRepository } from './inventory.js';
import type { KeyValueRepository } from './key-values.js';
import type { RuleOverrideRepository } from './rule-overrides.js';
import type { WorkQueueRepository } from './work-queue.js';

export type * from './auth.js';
export type * from './inventory.js';
export type * from './key-values.js';
export type * from './rule-overrides.js';
export type * from './throttle-counters.js';
export type * from './work-queue.js';

/**
 * Each module's tables, behind an interface of the module's own words. The store hands these
 * out; nothing outside src/store sees a table or a query, so another backend is another set of
 * implementations (see src/store/sqlite/ for the SQLite one).
 */
export interface Repositories {
  readonly users: UserRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly loginTokens: LoginTokenRepository;
  readonly audit: AuditRepository;
  readonly inventory: InventoryRepository;
  readonly ruleOverrides: RuleOverrideRepository;
  readonly kv: KeyValueRepository;
  readonly workQueue: WorkQueueRepository;
}
