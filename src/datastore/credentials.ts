import { NrxError } from '../core/errors.js';
import type { KeyValueStore } from './keyvalue.js';

/**
 * Named device credentials. The inventory names one (`credential: lab-admin`); the secret
 * itself lives here, as the encrypted system key `credential.<name>` holding JSON.
 */
export interface Credential {
  username: string;
  password?: string;
  private_key?: string;
  passphrase?: string;
}

export const CREDENTIAL_PREFIX = 'credential.';
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const FIELDS = new Set(['username', 'password', 'private_key', 'passphrase']);

export class CredentialStore {
  constructor(private readonly kv: KeyValueStore) {}

  async set(name: string, credential: Credential): Promise<void> {
    checkName(name);
    const c = validateCredential(name, credential);
    await this.kv.set('system', CREDENTIAL_PREFIX + name, JSON.stringify(c), { encrypt: true });
  }

  /** The decrypted credential, for drivers about to log in; never for display. */
  async get(name: string): Promise<Credential | null> {
    checkName(name);
    const v = await this.kv.get('system', CREDENTIAL_PREFIX + name, { decrypt: true });
    if (!v) return null;
    if (!v.secret)
      throw new NrxError(
        'NRX_ERR_SECRET',
        `credential ${name} is stored unencrypted (system key ${CREDENTIAL_PREFIX}${name}); set it again with the credential commands`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(v.value);
    } catch {
      // Not quoting the value: it is the decrypted secret.
      throw new NrxError('NRX_ERR_SECRET', `credential ${name}: stored value is not JSON; set it again`);
    }
    return validateCredential(name, parsed);
  }

  /** Credential names, sorted. */
  async list(): Promise<string[]> {
    return (await this.kv.list('system', CREDENTIAL_PREFIX)).map((v) => v.key.slice(CREDENTIAL_PREFIX.length));
  }

  async delete(name: string): Promise<boolean> {
    checkName(name);
    return this.kv.delete('system', CREDENTIAL_PREFIX + name);
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new NrxError(
      'NRX_ERR_KV_INVALID',
      `credential name ${JSON.stringify(String(name)).slice(0, 140)} must be letters, digits, '_', '.', '-' (up to 128)`,
      { location: { field: 'name' } },
    );
  }
}

/**
 * A credential has a username and a password or a private key (a passphrase only with a key).
 * Errors name the field, never its value.
 */
export function validateCredential(name: string, input: unknown): Credential {
  const bad = (field: string, msg: string): NrxError => new NrxError('NRX_ERR_KV_INVALID', `credential ${name}: ${msg}`, { location: { field } });
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw bad('credential', 'must be an object with username and password or private_key');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) throw bad(k, `unknown field '${k}' (allowed: username, password, private_key, passphrase)`);
  for (const k of FIELDS) if (o[k] !== undefined && typeof o[k] !== 'string') throw bad(k, `${k} must be a string`);
  if (typeof o.username !== 'string' || o.username.trim() === '') throw bad('username', 'username is required');
  const hasPassword = typeof o.password === 'string' && o.password !== '';
  const hasKey = typeof o.private_key === 'string' && o.private_key.trim() !== '';
  if (!hasPassword && !hasKey) throw bad('password', 'needs a password or a private_key');
  if (o.passphrase !== undefined && !hasKey) throw bad('passphrase', 'a passphrase only goes with a private_key');
  return {
    username: o.username,
    ...(hasPassword ? { password: o.password as string } : {}),
    ...(hasKey ? { private_key: o.private_key as string } : {}),
    ...(o.passphrase !== undefined ? { passphrase: o.passphrase as string } : {}),
  };
}
