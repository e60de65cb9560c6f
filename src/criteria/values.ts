import { NrxError } from '../core/errors.js';

/**
 * Value semantics of StackStorm's operators, which are Python expressions (`==`, `in`, `<`)
 * over JSON values. Reproducing them here keeps a rule meaning the same thing on both
 * systems: `1 == true`, `'a' in {a: 1}` tests keys, `'x' < 1` is an error, not `false`.
 */

export type PathSegment = string | number;

function criteriaError(message: string): NrxError {
  return new NrxError('NRX_ERR_CRITERIA', message);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Python's name for a JSON value's type, as its error messages say it. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

const isNumeric = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';

/** Python `a == b` on JSON values (booleans are the integers 0 and 1). */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !pyEquals(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Python `item in container`: substring, list membership, or dict key. */
export function pyContains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw criteriaError(`'in <string>' requires a string, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (isPlainObject(container)) {
    if (Array.isArray(item) || isPlainObject(item)) throw criteriaError(`unhashable type: '${pyTypeName(item)}'`);
    return typeof item === 'string' && hasOwn(container, item);
  }
  throw criteriaError(`argument of type '${pyTypeName(container)}' is not iterable`);
}

/** Python `a < b`: numbers with numbers, strings with strings, lists element by element. */
export function pyLessThan(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return Number(a) < Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!pyEquals(a[i], b[i])) return pyLessThan(a[i], b[i]);
    return a.length < b.length;
  }
  throw criteriaError(`'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** The string an operator like startswith needs; anything else is an operator error. */
export function requireString(v: unknown, op: string, role: 'value' | 'pattern'): string {
  if (typeof v === 'string') return v;
  throw criteriaError(`${op} needs a string ${role}, got ${pyTypeName(v)}`);
}

/**
 * A criteria key as a path: `trigger.peer#2` -> ['trigger', 'peer']; `trigger.nbrs[0].ip`
 * -> ['trigger', 'nbrs', 0, 'ip']. Everything from the first '#' is a label that lets the
 * same field be tested twice.
 */
export function parseKeyPath(key: string): PathSegment[] {
  const hash = key.indexOf('#');
  const bare = hash === -1 ? key : key.slice(0, hash);
  const out: PathSegment[] = [];
  for (const part of bare.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== '' || !m[2]) out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Follow a path into a context; anything missing is null (never a prototype property). */
export function lookupPath(context: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = context;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      if (i < 0 || i >= cur.length) return null;
      cur = cur[i];
    } else if (isPlainObject(cur)) {
      const k = String(seg);
      if (!hasOwn(cur, k)) return null;
      cur = cur[k];
    } else return null;
  }
  return cur === undefined ? null : cur;
}
