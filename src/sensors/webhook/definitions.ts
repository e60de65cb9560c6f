import { NrxError } from '../../core/errors.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import { newWebhookSecret, WEBHOOK_AUTH_MODES, type WebhookAuthMode } from './caller-auth.js';
import { WEBHOOK_KINDS, type WebhookKind } from './decode.js';
import { isPlainObject } from './malformed.js';

/** What an admin sees of a webhook: never its secret. */
export interface WebhookDefinition {
  name: string;
  kind: WebhookKind;
  auth: WebhookAuthMode;
  createdAt: string;
  createdBy: string | null;
}

/** Internal: the definition with its secret, for checking a caller. */
export interface WebhookWithSecret extends WebhookDefinition {
  secret: string;
}

/** A webhook name is a URL path segment: /api/v1/webhooks/<name>. */
export const WEBHOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SCOPE = 'system';
const PREFIX = 'webhook.';

type Kv = Pick<KeyValueStore, 'get' | 'set' | 'list' | 'delete'>;

/**
 * Webhook definitions, kept in the key-value store: system key `webhook.<name>`, the whole
 * definition (kind, auth, secret) sealed with the datastore's AES-256-GCM key, so the secret
 * is encrypted at rest and shows as ******** in key listings.
 */
export class WebhookDefinitions {
  constructor(private readonly kv: Kv) {}

  /** Create a webhook; the secret is returned here and never again. */
  async create(input: {
    name: string;
    kind: WebhookKind;
    auth: WebhookAuthMode;
    createdBy?: string | null;
  }): Promise<{ definition: WebhookDefinition; secret: string }> {
    if (typeof input.name !== 'string' || !WEBHOOK_NAME.test(input.name)) {
      throw new NrxError(
        'NRX_ERR_VALIDATION',
        `webhook name must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (got ${JSON.stringify(String(input.name)).slice(0, 80)})`,
        { location: { field: 'name' } },
      );
    }
    if (!(WEBHOOK_KINDS as readonly string[]).includes(input.kind))
      throw new NrxError('NRX_ERR_VALIDATION', `webhook kind must be one of ${WEBHOOK_KINDS.join(', ')}`, { location: { field: 'kind' } });
    if (!(WEBHOOK_AUTH_MODES as readonly string[]).includes(input.auth))
      throw new NrxError('NRX_ERR_VALIDATION', `webhook auth must be one of ${WEBHOOK_AUTH_MODES.join(', ')}`, { location: { field: 'auth' } });
    if (await this.kv.get(SCOPE, PREFIX + input.name))
      throw new NrxError('NRX_ERR_CONFLICT', `webhook '${input.name}' already exists; delete it first to get a new secret`);
    const secret = newWebhookSecret();
    const definition: WebhookDefinition = {
      name: input.name,
      kind: input.kind,
      auth: input.auth,
      createdAt: new Date().toISOString(),
      createdBy: input.createdBy ?? null,
    };
    const stored: WebhookWithSecret = { ...definition, secret };
    await this.kv.set(SCOPE, PREFIX + input.name, JSON.stringify(stored), { encrypt: true });
    return { definition, secret };
  }

  /** The definition with its secret; null when there is no such webhook. */
  async get(name: string): Promise<WebhookWithSecret | null> {
    if (!WEBHOOK_NAME.test(name)) return null;
    const view = await this.kv.get(SCOPE, PREFIX + name, { decrypt: true });
    if (!view) return null;
    const def = view.secret ? parseStored(view.value, name) : null;
    if (!def)
      throw new NrxError(
        'NRX_ERR_CONFIG',
        `datastore key system/${PREFIX}${name} is not a webhook definition (was it set by hand?); delete it and create the webhook again`,
      );
    return def;
  }

  /** Every webhook, without secrets, by name. Keys under webhook.* that are not definitions are skipped. */
  async list(): Promise<WebhookDefinition[]> {
    const out: WebhookDefinition[] = [];
    for (const view of await this.kv.list(SCOPE, PREFIX, { decrypt: true })) {
      const name = view.key.slice(PREFIX.length);
      const def = view.secret ? parseStored(view.value, name) : null;
      if (def) out.push(withoutSecret(def));
    }
    return out;
  }

  async delete(name: string): Promise<boolean> {
    if (!WEBHOOK_NAME.test(name)) return false;
    return this.kv.delete(SCOPE, PREFIX + name);
  }
}

export function withoutSecret(d: WebhookWithSecret): WebhookDefinition {
  return { name: d.name, kind: d.kind, auth: d.auth, createdAt: d.createdAt, createdBy: d.createdBy };
}

function parseStored(value: string, name: string): WebhookWithSecret | null {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return null;
  }
  if (!isPlainObject(v)) return null;
  if (v.name !== name || typeof v.secret !== 'string' || v.secret === '') return null;
  if (!(WEBHOOK_KINDS as readonly unknown[]).includes(v.kind) || !(WEBHOOK_AUTH_MODES as readonly unknown[]).includes(v.auth)) return null;
  return {
    name,
    kind: v.kind as WebhookKind,
    auth: v.auth as WebhookAuthMode,
    secret: v.secret,
    createdAt: typeof v.createdAt === 'string' ? v.createdAt : '',
    createdBy: typeof v.createdBy === 'string' ? v.createdBy : null,
  };
}
