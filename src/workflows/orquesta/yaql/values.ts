/**
 * YAQL's view of values, which is Python's: what is true, what is equal, how a value reads as
 * text. Values are JSON-like (null, booleans, numbers, strings, lists, plain objects).
 */

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function hasKey(d: Dict, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, key);
}

/** Python truthiness: null, false, 0, '', [] and {} are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python `==` on data: lists and dicts compare by content, 1 = 1.0. */
export function equals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (depth > 64) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i], depth + 1));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasKey(b, k) && equals(a[k], b[k], depth + 1));
  }
  return false;
}

/** What a value is called in a message. */
export function kind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isDict(v)) return 'a dict';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a value';
}

/** YAQL's str(): null, true and false as YAQL writes them; lists and dicts as JSON. */
export function yaqlText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * A value placed inside a longer string (`"host <% ctx(h) %> is up"`): as orquesta writes it
 * (Python's str: True, False, None), except that lists and dicts are JSON, never
 * `[object Object]` or Python's repr.
 */
export function embeddedText(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** A new dict whose keys are set as own data (a `__proto__` key stays a key). */
export function newDict(entries: Iterable<[string, unknown]>): Dict {
  const out: Dict = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
