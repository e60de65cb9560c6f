import { NrxError } from './errors.js';

/**
 * How `| decrypt_kv` finds a datastore. There is no process-wide one: the `st2kv` value a
 * caller puts in a template's context (rules, parameter defaults, workflows, pack configs)
 * carries its own datastore's decryption under this symbol, which no template can name. A
 * template rendered without `st2kv` cannot decrypt, and says so.
 */
export const TEMPLATE_DECRYPT: unique symbol = Symbol.for('netreflex.template.decrypt');

export type TemplateDecrypt = (value: unknown) => unknown;

/**
 * A caller may send every read of a datastore key through this: a workflow answers from the
 * reads it recorded and records the first one, so a replay sees the same value.
 */
export type KvReadThrough = (scope: string, key: string, read: () => string | null) => string | null;

/** The render context as nunjucks hands it to a filter (`this`). */
interface FilterThis {
  ctx?: Record<string, unknown>;
}

/** The `decrypt_kv` filter: the datastore behind the context's `st2kv` decrypts the value. */
export function decryptKvFilter(this: FilterThis | undefined, value: unknown): unknown {
  const kv = this?.ctx && Object.prototype.hasOwnProperty.call(this.ctx, 'st2kv') ? this.ctx.st2kv : undefined;
  const decrypt = kv !== null && typeof kv === 'object' ? (kv as { [TEMPLATE_DECRYPT]?: unknown })[TEMPLATE_DECRYPT] : undefined;
  if (typeof decrypt !== 'function') {
    throw new NrxError('NRX_ERR_TEMPLATE', 'decrypt_kv needs the datastore, and this template has none (st2kv is not in its context)');
  }
  return (decrypt as TemplateDecrypt)(value);
}
