import { NrxError } from '../../core/errors.js';

/**
 * The one error every webhook decoder throws: NRX_ERR_DECODE (400) naming the field of the
 * body that is wrong, e.g. `alerts[2].status` or `oslo.message.payload.network.id`.
 */
export function malformed(field: string, problem: string): NrxError {
  return new NrxError('NRX_ERR_DECODE', `webhook body: ${problem}`, field ? { location: { field } } : {});
}

/** `base` + `key` as a field path: `alerts` + 2 -> `alerts[2]`, `payload` + `network` -> `payload.network`. */
export function fieldOf(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, printable description of a value for an error message (never the whole body). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/**
 * JSON values nested deeper than this are refused: later hops (storage, templates) walk
 * payloads recursively, and a 1 MiB body of `[[[[...` must not reach them.
 */
export const MAX_JSON_DEPTH = 64;

/** The path of the first value nested deeper than `max`, or null. Recursion stops at `max`. */
export function tooDeep(v: unknown, max = MAX_JSON_DEPTH, path = '', depth = 0): string | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth >= max) return path || '(top)';
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = tooDeep(v[i], max, fieldOf(path, i), depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  for (const [k, child] of Object.entries(v)) {
    const p = tooDeep(child, max, fieldOf(path, k), depth + 1);
    if (p !== null) return p;
  }
  return null;
}

/** Parse a JSON body, refusing bad UTF-8, bad JSON and runaway nesting with a field-naming error. */
export function parseJsonBody(raw: Buffer, field = 'body'): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw malformed(field, 'is not UTF-8 text');
  }
  if (text.trim() === '') throw malformed(field, 'is empty; JSON was expected');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw malformed(field, `is not JSON (${(e as Error).message.slice(0, 120)})`);
  }
  const deep = tooDeep(value);
  if (deep !== null) throw malformed(deep === '(top)' ? field : deep, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}
