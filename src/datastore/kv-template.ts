import { NrxError } from '../core/errors.js';
import { rememberSecret } from '../core/secret-values.js';
import { TEMPLATE_VALUE } from '../core/template.js';
import { noteMaskedSecret, templateMayRevealSecrets } from '../core/template-budget.js';
import { SECRET_MASK } from '../core/secrets.js';
import type { SecretCipher } from './cipher.js';
import { isSealedToken, tokenKeyId } from './sealed-token.js';

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

export function kvTemplateScope(read: ReadKey): object {
  return node(read, '');
}

/** `st2kv.user` without a user: using a key there is an error that says why. */
export function missingTemplateScope(scope: string, why: string): object {
  return node(() => null, '', (key) => {
    throw new NrxError('NRX_ERR_TEMPLATE', `st2kv.${scope}.${key} is not available: ${why}`);
  });
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

/** Ciphers of the datastores in this process, for `decrypt_kv` on a bare ciphertext token. */
const ciphers = new Set<SecretCipher>();

export function registerTemplateCipher(cipher: SecretCipher): void {
  ciphers.add(cipher);
}

/**
 * The `decrypt_kv` filter: a ciphertext token becomes its plaintext (templates are written by
 * operators, so they may read secrets, as in StackStorm). Values that are not tokens pass
 * through; a missing key stays null. In a preview for a caller without secrets:read it gives
 * '********' and decrypts nothing.
 */
export function decryptForTemplate(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (!isSealedToken(value)) return value;
  // A preview for a caller who could not read the secret anyway (the rule tester) shows the mask.
  if (!templateMayRevealSecrets()) {
    noteMaskedSecret();
    return SECRET_MASK;
  }
  const id = tokenKeyId(value)!;
  const all = [...ciphers];
  const cipher = all.find((c) => c.hasKey(id)) ?? all[all.length - 1];
  if (!cipher) throw new NrxError('NRX_ERR_SECRET', 'decrypt_kv: no secret key is loaded in this process (no datastore was opened)');
  const plain = cipher.decrypt(value);
  rememberSecret(plain); // masked wherever an execution prints or returns it
  return plain;
}
