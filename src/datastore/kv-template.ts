import { NrxError } from '../core/errors.js';
import { rememberSecret } from '../core/secret-values.js';
import { TEMPLATE_VALUE } from '../core/template.js';
import { TEMPLATE_DECRYPT, type KvReadThrough } from '../core/template-datastore.js';
import { noteMaskedSecret, templateMayRevealSecrets } from '../core/template-budget.js';
import { SECRET_MASK } from '../core/secrets.js';
import type { SecretCipher } from './cipher.js';
import { isSealedToken } from './sealed-token.js';

/**
 * `st2kv` for Jinja templates. Templates walk it one name at a time (`st2kv.system.dc1.ntp`),
 * and a key may itself contain dots, so each step returns a node that only remembers the path
 * so far; the key is read when the node is used: rendered as text (toString / toPrimitive),
 * returned by an expression-only template or passed to a filter (TEMPLATE_VALUE), or
 * serialised (toJSON).
 *
 * Known limit: a node is an object, so `{% if st2kv.system.flag %}` is always true inside a
 * text template; compare it (`== 'yes'`), pipe it (`| string`), or write the condition as an
 * expression-only `when:` (those see the plain value).
 */

type ReadKey = (key: string) => string | null;

/** The stored text of one key (a secret's ciphertext token), or null when there is none. */
export type KvRead = (scope: string, key: string) => string | null;

export interface KvTemplateOptions {
  /** Whose keys `st2kv.user` reads; without one, using it is an error that says why. */
  user?: string;
  /** Which pack's keys `st2kv.pack` reads. */
  pack?: string;
  /** Every read goes through this (a workflow's recorded reads, src/workflows/kv-reads.ts). */
  through?: KvReadThrough;
}

/**
 * The value of `st2kv` in a template context: `system`, `user` and `pack` scopes read through
 * `read`, and `| decrypt_kv` in the same render opens tokens with `cipher` (the datastore's own).
 */
export function kvTemplateRoot(read: KvRead, cipher: SecretCipher, opts: KvTemplateOptions = {}): Record<string, unknown> {
  const through = opts.through;
  const scope =
    (name: string): ReadKey =>
    (key) =>
      key === '' ? null : through ? through(name, key, () => read(name, key)) : read(name, key);
  const root: Record<string, unknown> = {
    system: kvTemplateScope(scope('system')),
    user: opts.user
      ? kvTemplateScope(scope(`user:${opts.user}`))
      : missingTemplateScope('user', 'this template runs without a user (st2kv.user reads the keys of the user who started the execution)'),
    pack: opts.pack ? kvTemplateScope(scope(`pack:${opts.pack}`)) : missingTemplateScope('pack', 'this template does not belong to a pack'),
  };
  // A symbol no template can name, and not enumerable: spreading or serialising the context leaves it out.
  Object.defineProperty(root, TEMPLATE_DECRYPT, { value: (v: unknown) => decryptForTemplate(cipher, v) });
  return root;
}

export function kvTemplateScope(read: ReadKey): object {
  return node(read, '');
}

/** `st2kv.user` without a user: using a key there is an error that says why. */
export function missingTemplateScope(scope: string, why: string): object {
  return node(
    () => null,
    '',
    (key) => {
      throw new NrxError('NRX_ERR_TEMPLATE', `st2kv.${scope}.${key} is not available: ${why}`);
    },
  );
}

function node(read: ReadKey, path: string, onStep?: (key: string) => never): object {
  const resolve = (): string | null => (path === '' ? null : maskInPreview(read(path)));
  return new Proxy(Object.create(null) as object, {
    get(_target, prop) {
      if (prop === TEMPLATE_VALUE || prop === 'toJSON') return resolve;
      if (prop === Symbol.toPrimitive || prop === 'toString' || prop === 'valueOf') return () => resolve() ?? '';
      // Not a key: promise checks, inspection and iteration probes see a plain empty object.
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      const next = path === '' ? prop : `${path}.${prop}`;
      if (onStep) onStep(next);
      return node(read, next, onStep);
    },
    set() {
      return false;
    },
  });
}

/**
 * A secret's ciphertext token, in a preview for a caller who may not read secrets, is the mask
 * too: not even its length shows.
 */
function maskInPreview(value: string | null): string | null {
  if (value === null || templateMayRevealSecrets() || !isSealedToken(value)) return value;
  noteMaskedSecret();
  return SECRET_MASK;
}

/**
 * `| decrypt_kv` with this datastore's cipher: a ciphertext token becomes its plaintext (templates are written by
 * operators, so they may read secrets, as in StackStorm). Values that are not tokens pass
 * through; a missing key stays null. In a preview for a caller without secrets:read it gives
 * '********' and decrypts nothing.
 */
export function decryptForTemplate(cipher: SecretCipher, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (!isSealedToken(value)) return value;
  // A preview for a caller who could not read the secret anyway (the rule tester) shows the mask.
  if (!templateMayRevealSecrets()) {
    noteMaskedSecret();
    return SECRET_MASK;
  }
  const plain = cipher.decrypt(value);
  rememberSecret(plain); // masked wherever an execution prints or returns it
  return plain;
}
