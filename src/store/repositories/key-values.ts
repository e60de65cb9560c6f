import type { KeyValueRecord } from '../records.js';

/**
 * The datastore's keys (`st2kv`). Values arrive sealed when secret; the store never sees a
 * secret in clear except inside `resealSecrets`, which the datastore drives.
 */
export interface KeyValueRepository {
  /** Keys past their expiry are gone for readers even before prune removes them. */
  get(scope: string, key: string, now?: Date): Promise<KeyValueRecord | null>;
  /**
   * `get`, answered synchronously: templates read `st2kv` keys while they render. A backend on
   * a database server answers from a local copy it keeps current.
   */
  peek(scope: string, key: string, now?: Date): KeyValueRecord | null;
  /** Keys of one scope whose name starts with `prefix`, by name. */
  list(scope: string, prefix?: string, now?: Date): Promise<KeyValueRecord[]>;
  /** Creates or replaces. */
  put(record: KeyValueRecord): Promise<void>;
  delete(scope: string, key: string): Promise<void>;
  /**
   * Creates the key only when no live key of that name exists (an expired one is replaced);
   * true when this call created it. Atomic against every writer of the store, other processes
   * included: two callers racing for one name never both get true (allocators build on it).
   */
  putIfAbsent(record: KeyValueRecord, now?: Date): Promise<boolean>;
  /** Deletes the key only while it still holds `value`; true when this call deleted it. Atomic like putIfAbsent. */
  deleteIfValue(scope: string, key: string, value: string): Promise<boolean>;
  /**
   * Key rotation: every live secret's value becomes `reseal(record)`, in one transaction;
   * expired secrets are deleted instead. If `reseal` throws, nothing changes and the error
   * comes back. `oldValuesErased` is false when the backend could not yet overwrite the old
   * values where it keeps history (SQLite: a reader held the WAL file).
   */
  resealSecrets(reseal: (secret: KeyValueRecord) => string, now?: Date): Promise<{ resealed: number; expiredDeleted: number; oldValuesErased: boolean }>;
}
