import { NrxError } from '../core/errors.js';
import type { KeyValueRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { SecretCipher } from './cipher.js';
import { kvTemplateRoot, type KvTemplateOptions } from './kv-template.js';
import { SECRET_MASK } from '../core/secrets.js';
import { rememberSecret } from '../core/secret-values.js';

/** What readers see instead of a secret value they did not ask to decrypt. */
export const MASKED = SECRET_MASK;

/** A stored key as readers see it: the record, with `value` '********' when secret and not decrypted. */
export type KeyView = KeyValueRecord;

export interface SetKeyOptions {
  /** Seal the value with AES-256-GCM; readers get '********' unless they decrypt. */
  encrypt?: boolean;
  /** The key disappears this many seconds after it is set. */
  ttlSeconds?: number;
}

/** `system`, `user:<name>` or `pack:<ref>`, as KeyValueRecord.scope stores them. */
const SCOPE = /^(?:system|user:[^\s\x00-\x1f\x7f:][^\s\x00-\x1f\x7f]{0,127}|pack:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;
const KEY = /^[^\s\x00-\x1f\x7f]{1,512}$/;
const MAX_VALUE_CHARS = 1024 * 1024;

export function isValidScope(scope: string): boolean {
  return typeof scope === 'string' && SCOPE.test(scope);
}

/**
 * The datastore: keys by scope with optional TTL and encryption, in the appliance's store.
 * StackStorm's scopes: `system` for everyone, `user:<name>` per user, `pack:<ref>` per pack.
 */
export class KeyValueStore {
  constructor(
    private readonly store: Pick<Store, 'kv'>,
    private readonly cipher: SecretCipher,
  ) {}

  async set(scope: string, key: string, value: string, opts: SetKeyOptions = {}): Promise<void> {
    await this.store.kv.put(this.record(scope, key, value, opts));
  }

  /**
   * `set`, but only when no live key of that name exists: true when this call created it.
   * Atomic against every writer of the datastore, so racing callers never both win a name.
   */
  async setIfAbsent(scope: string, key: string, value: string, opts: SetKeyOptions = {}): Promise<boolean> {
    return this.store.kv.putIfAbsent(this.record(scope, key, value, opts));
  }

  /** Delete the key only while it still holds `value` (a plain, unencrypted key); true when this call deleted it. */
  async deleteIfValue(scope: string, key: string, value: string): Promise<boolean> {
    checkScope(scope);
    checkKey(key);
    return this.store.kv.deleteIfValue(scope, key, value);
  }

  private record(scope: string, key: string, value: string, opts: SetKeyOptions): KeyValueRecord {
    checkScope(scope);
    checkKey(key);
    if (typeof value !== 'string')
      throw new NrxError('NRX_ERR_KV_INVALID', `key ${scope}/${key}: value must be a string (got ${value === null ? 'null' : typeof value})`, {
        location: { field: 'value' },
      });
    if (value.length > MAX_VALUE_CHARS)
      throw new NrxError('NRX_ERR_KV_INVALID', `key ${scope}/${key}: value is ${value.length} characters; the limit is ${MAX_VALUE_CHARS}`, {
        location: { field: 'value' },
      });
    const now = Date.now();
    let expiresAt: string | null = null;
    if (opts.ttlSeconds !== undefined) {
      const ttl = opts.ttlSeconds;
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 100 * 365 * 86400) {
        throw new NrxError('NRX_ERR_KV_INVALID', `key ${scope}/${key}: ttl must be a whole number of seconds from 1 to 100 years (got ${String(ttl)})`, {
          location: { field: 'ttl' },
        });
      }
      expiresAt = new Date(now + ttl * 1000).toISOString();
    }
    let stored = value;
    if (opts.encrypt) {
      try {
        stored = this.cipher.encrypt(value);
      } catch (e) {
        throw new NrxError('NRX_ERR_SECRET', `key ${scope}/${key}: ${(e as Error).message}`, { cause: e });
      }
    }
    return { scope, key, value: stored, secret: opts.encrypt === true, expiresAt, updatedAt: new Date(now).toISOString() };
  }

  async get(scope: string, key: string, opts: { decrypt?: boolean } = {}): Promise<KeyView | null> {
    checkScope(scope);
    checkKey(key);
    const rec = await this.store.kv.get(scope, key);
    return rec ? this.view(rec, opts.decrypt === true) : null;
  }

  /** Keys of one scope whose name starts with `prefix`, sorted by name. */
  async list(scope: string, prefix = '', opts: { decrypt?: boolean } = {}): Promise<KeyView[]> {
    checkScope(scope);
    return (await this.store.kv.list(scope, prefix)).map((r) => this.view(r, opts.decrypt === true));
  }

  /** True when a (live) key was there. Expired rows go too. */
  async delete(scope: string, key: string): Promise<boolean> {
    checkScope(scope);
    checkKey(key);
    const existed = (await this.store.kv.get(scope, key)) !== null;
    await this.store.kv.delete(scope, key);
    return existed;
  }

  /**
   * The `st2kv` template variable: `{{ st2kv.system.domain }}`, `{{ st2kv.system.dc1.ntp }}`
   * (key 'dc1.ntp'), `{{ st2kv.user.favourite }}` (needs `user`), `{{ st2kv.pack.x }}` (needs
   * `pack`). Keys are read when the template uses them (through `through` when given). A secret
   * renders as its ciphertext token unless piped through `| decrypt_kv`, which this datastore's
   * cipher opens; a missing key renders as null (empty text).
   */
  templateContext(opts: KvTemplateOptions = {}): Record<string, unknown> {
    return kvTemplateRoot((scope, key) => this.store.kv.peek(scope, key)?.value ?? null, this.cipher, opts);
  }

  /** The names this datastore lends a template context: `{ st2kv }`. */
  templateNames(opts: KvTemplateOptions = {}): Record<string, unknown> {
    return { st2kv: this.templateContext(opts) };
  }

  private view(r: KeyValueRecord, decrypt: boolean): KeyView {
    let value = r.value;
    if (r.secret) {
      if (!decrypt) value = MASKED;
      else {
        try {
          value = this.cipher.decrypt(r.value);
          rememberSecret(value); // device logins and API reads: masked if an execution prints it
        } catch (e) {
          throw new NrxError('NRX_ERR_SECRET', `key ${r.scope}/${r.key}: ${(e as Error).message}`, { cause: e });
        }
      }
    }
    return { scope: r.scope, key: r.key, value, secret: r.secret, expiresAt: r.expiresAt, updatedAt: r.updatedAt };
  }
}

function checkScope(scope: string): void {
  if (!isValidScope(scope)) {
    throw new NrxError('NRX_ERR_KV_INVALID', `scope ${JSON.stringify(String(scope)).slice(0, 140)} is not one of system, user:<name>, pack:<ref>`, {
      location: { field: 'scope' },
    });
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new NrxError(
      'NRX_ERR_KV_INVALID',
      `key name must be 1 to 512 characters without spaces or control characters (got ${typeof key === 'string' ? `${key.length} characters` : typeof key})`,
      { location: { field: 'key' } },
    );
  }
}
