import type { Item, Items } from './items.js';

/**
 * What differs between two readings of one device. Pure. A change is one of:
 * - a watched field of an item present in both readings has another value (`changed`);
 * - an item is new (`added`) or gone (`removed`).
 * Values compare by content (lists and objects too); a missing field equals null.
 */
export type Change =
  | { kind: 'changed'; key: string; field: string; previous: unknown; value: unknown; item: Item; previousItem: Item }
  | { kind: 'added'; key: string; item: Item }
  | { kind: 'removed'; key: string; previousItem: Item };

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` compare equal. */
export function canonical(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? JSON.stringify(String(v)) : (JSON.stringify(v) ?? 'null');
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonical(a) === canonical(b);
}

/**
 * @param watch fields whose change counts; null: every field either item has.
 * Changes come out in a stable order: by key as in `current` (then removed keys), fields in
 * the order watched (or sorted when the whole item is watched).
 */
export function detectChanges(previous: Items, current: Items, watch: readonly string[] | null): Change[] {
  const changes: Change[] = [];
  for (const [key, item] of current) {
    const before = previous.get(key);
    if (!before) {
      changes.push({ kind: 'added', key, item });
      continue;
    }
    const fields = watch ?? [...new Set([...Object.keys(before), ...Object.keys(item)])].sort();
    for (const field of fields) {
      if (!sameValue(before[field] ?? null, item[field] ?? null)) {
        changes.push({ kind: 'changed', key, field, previous: before[field] ?? null, value: item[field] ?? null, item, previousItem: before });
      }
    }
  }
  for (const [key, before] of previous) if (!current.has(key)) changes.push({ kind: 'removed', key, previousItem: before });
  return changes;
}
