import { SECRET_MASK } from './secrets.js';

/**
 * Plaintext secrets this process has handled (values of `secret: true` parameters, datastore
 * keys it decrypted), so that whatever an execution prints or returns can be masked before
 * anyone sees or stores it: a command that echoes its password shows `********`.
 *
 * Masking is by value, in every execution: the value may travel from a secret parameter
 * into a non-secret one (a workflow passing it on, a cmd that embeds it). Values shorter
 * than MIN_LENGTH are not masked; they would blank ordinary output ("1", "yes") and are
 * no secret anyway. The most recent MAX_KEPT values are kept.
 */

export const MIN_LENGTH = 4;
const MAX_KEPT = 1024;

const known = new Map<string, true>();
let ordered: string[] | null = null;

/** Remember a secret's plaintext (strings, numbers, and the leaves of lists and objects). */
export function rememberSecret(value: unknown): void {
  if (typeof value === 'string') {
    add(value);
    // a multi-line secret (a private key) printed line by line is masked line by line
    if (value.includes('\n')) for (const line of value.split(/\r?\n/)) add(line.trim());
  } else if (typeof value === 'number' || typeof value === 'bigint') add(String(value));
  else if (Array.isArray(value)) value.forEach(rememberSecret);
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(rememberSecret);
}

function add(s: string): void {
  if (s.length < MIN_LENGTH || s === SECRET_MASK) return;
  if (known.has(s)) known.delete(s);
  known.set(s, true);
  if (known.size > MAX_KEPT) known.delete(known.keys().next().value!);
  ordered = null;
}

/** Every remembered secret in `text` replaced by the mask (longest first, so a secret inside another goes too). */
export function maskSecretText(text: string): string {
  if (!known.size || text.length < MIN_LENGTH) return text;
  ordered ??= [...known.keys()].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
  return out;
}

/** A copy of a JSON-like value with every string masked (object keys too: a value can be a key). */
export function maskSecretsIn<T>(value: T): T {
  if (!known.size) return value;
  return mask(value) as T;
}

function mask(v: unknown): unknown {
  if (typeof v === 'string') return maskSecretText(v);
  if (Array.isArray(v)) return v.map(mask);
  if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    // defineProperty: a `__proto__` key from parsed JSON stays a key
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, maskSecretText(k), { value: mask(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** Forget every remembered secret (tests). */
export function forgetSecrets(): void {
  known.clear();
  ordered = null;
}
