import type { KvReadThrough } from '../core/template-datastore.js';

/**
 * The datastore keys one workflow read, with the value its first read saw. A workflow's
 * templates render inside conductor steps, which may be replayed after a restart; answering
 * every later read of a key from here means a resumed workflow sees the value it saw before,
 * not today's. Missing keys are recorded too (as null). Values are what the store holds: a
 * secret stays its ciphertext token (it is decrypted by `| decrypt_kv` where it is used).
 */

/** One recorded read, as it is kept in the workflow's persisted state. */
export interface KvRead {
  scope: string;
  key: string;
  value: string | null;
}

export class KvReadBook {
  private readonly seen = new Map<string, KvRead>();

  /** `saved`: the reads kept with the workflow's state (anything malformed is skipped). */
  constructor(saved: unknown = []) {
    if (!Array.isArray(saved)) return;
    for (const r of saved) {
      if (r === null || typeof r !== 'object') continue;
      const { scope, key, value } = r as Record<string, unknown>;
      if (typeof scope === 'string' && typeof key === 'string' && (typeof value === 'string' || value === null))
        this.seen.set(slot(scope, key), { scope, key, value });
    }
  }

  /** The recorded value of a key, or `read()` now, recorded for every later read. */
  readonly through: KvReadThrough = (scope, key, read) => {
    const id = slot(scope, key);
    const hit = this.seen.get(id);
    if (hit) return hit.value;
    const value = read();
    this.seen.set(id, { scope, key, value });
    return value;
  };

  /** Every read so far, in the order first made, for the persisted state. */
  list(): KvRead[] {
    return [...this.seen.values()].map((r) => ({ ...r }));
  }
}

function slot(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}
