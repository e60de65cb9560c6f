import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/roles.js';
import { roleAllows } from '../../auth/roles.js';
import { NrxError } from '../../core/errors.js';
import { callerOf, type RouteContext } from '../context.js';
import { errorResponses, listOf } from '../schemas.js';

const keySchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    scope: { type: 'string' },
    key: { type: 'string' },
    value: { type: 'string', description: "'********' for a secret unless decrypted (admin, ?decrypt=true)" },
    secret: { type: 'boolean' },
    expiresAt: { type: ['string', 'null'] },
    updatedAt: { type: 'string' },
  },
};
const keyParams = {
  type: 'object',
  required: ['scope', 'key'],
  properties: { scope: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } },
};
const decryptQuery = { type: 'boolean', default: false, description: 'show secret values in clear (admin only)' };

/**
 * `user` alone means the caller's own scope (`user:<caller>`). Reading another user's keys
 * takes an admin, as in StackStorm.
 */
function resolveScope(p: Principal, scope: string): string {
  const full = scope === 'user' ? `user:${p.user}` : scope;
  if (full.startsWith('user:') && full !== `user:${p.user}` && p.role !== 'admin')
    throw new NrxError('NRX_ERR_FORBIDDEN', `${p.user} may read only its own user scope, not ${full}`);
  return full;
}

function checkDecrypt(p: Principal, decrypt: boolean): void {
  if (decrypt && !roleAllows(p.role, 'secrets:read')) throw new NrxError('NRX_ERR_FORBIDDEN', `${p.user} (${p.role}) may not decrypt secrets`);
}

export function keyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const kv = ctx.deps.kv;

  app.get<{ Querystring: { scope: string; prefix?: string; decrypt: boolean } }>('/api/v1/keys', {
    schema: {
      summary: 'Datastore keys of a scope (system, user, user:<name>, pack:<ref>), by prefix. Secrets show as ********.',
      tags: ['keys'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { scope: { type: 'string', default: 'system' }, prefix: { type: 'string' }, decrypt: decryptQuery },
      },
      response: { 200: listOf(keySchema), ...errorResponses },
    },
    handler: async (req) => {
      const p = callerOf(req);
      checkDecrypt(p, req.query.decrypt);
      return { items: await kv.list(resolveScope(p, req.query.scope), req.query.prefix ?? '', { decrypt: req.query.decrypt }) };
    },
  });

  app.get<{ Params: { scope: string; key: string }; Querystring: { decrypt: boolean } }>('/api/v1/keys/:scope/:key', {
    schema: {
      summary: 'One key. Secrets show as ******** unless ?decrypt=true (admin).',
      tags: ['keys'],
      params: keyParams,
      querystring: { type: 'object', additionalProperties: false, properties: { decrypt: decryptQuery } },
      response: { 200: keySchema, ...errorResponses },
    },
    handler: async (req) => {
      const p = callerOf(req);
      checkDecrypt(p, req.query.decrypt);
      const scope = resolveScope(p, req.params.scope);
      const view = await kv.get(scope, req.params.key, { decrypt: req.query.decrypt });
      if (!view) throw new NrxError('NRX_ERR_NOT_FOUND', `no key '${req.params.key}' in scope ${scope}`);
      return view;
    },
  });

  app.put<{ Params: { scope: string; key: string }; Body: { value: string; encrypt?: boolean; ttl?: number } }>('/api/v1/keys/:scope/:key', {
    schema: {
      summary: 'Set a key (admin). `encrypt` seals the value with AES-256-GCM; `ttl` (seconds) makes it expire.',
      tags: ['keys'],
      params: keyParams,
      body: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: { value: { type: 'string' }, encrypt: { type: 'boolean' }, ttl: { type: 'integer', minimum: 1 } },
      },
      response: { 200: keySchema, ...errorResponses },
    },
    handler: async (req) => {
      const p = callerOf(req);
      const scope = resolveScope(p, req.params.scope);
      const b = req.body;
      await kv.set(scope, req.params.key, b.value, {
        ...(b.encrypt !== undefined ? { encrypt: b.encrypt } : {}),
        ...(b.ttl !== undefined ? { ttlSeconds: b.ttl } : {}),
      });
      req.auditInfo = { target: `${scope}/${req.params.key}`, detail: { encrypt: b.encrypt ?? false, ttl: b.ttl ?? null } };
      return (await kv.get(scope, req.params.key))!;
    },
  });

  app.delete<{ Params: { scope: string; key: string } }>('/api/v1/keys/:scope/:key', {
    schema: {
      summary: 'Delete a key (admin).',
      tags: ['keys'],
      params: keyParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      const scope = resolveScope(callerOf(req), req.params.scope);
      if (!(await kv.delete(scope, req.params.key))) throw new NrxError('NRX_ERR_NOT_FOUND', `no key '${req.params.key}' in scope ${scope}`);
      req.auditInfo = { target: `${scope}/${req.params.key}`, detail: null };
      return { ok: true };
    },
  });
}
