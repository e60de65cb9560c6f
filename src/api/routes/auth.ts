import type { FastifyInstance } from 'fastify';
import type { Grants, Role } from '../../auth/roles.js';
import { NrxError } from '../../core/errors.js';
import { callerOf, type RouteContext } from '../context.js';
import { guardedLogin, LOGIN_BODY_LIMIT, logRefusedLogin } from '../login-guard.js';
import { errorResponses, grantsSchema, idParams, limitQuery, listOf, nameParams, okSchema, roleSchema } from '../schemas.js';

const userSchema = {
  type: 'object',
  additionalProperties: true,
  properties: { name: { type: 'string' }, role: roleSchema, grants: grantsSchema, createdAt: { type: 'string' } },
};
const keySchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    prefix: { type: 'string', description: 'the start of the key, to tell keys apart' },
    user: { type: 'string' },
    role: roleSchema,
    grants: grantsSchema,
    description: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    lastUsedAt: { type: ['string', 'null'] },
  },
};

export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const auth = ctx.deps.auth;

  app.post<{ Body: { user: string; password: string } }>('/api/v1/auth/login', {
    bodyLimit: LOGIN_BODY_LIMIT,
    onSend: logRefusedLogin,
    schema: {
      summary: 'Log in with a local user; returns a short-lived bearer token (default 24 h).',
      description:
        'Failed logins are throttled per user name (5 free failures) and per source address (20): then each failure locks for twice as long (1 s up to 15 min), and a locked attempt gets 429 NRX_ERR_THROTTLED with Retry-After without its password being checked. Passwords over 1,024 bytes are a 400.',
      tags: ['auth'],
      security: [],
      body: {
        type: 'object',
        required: ['user', 'password'],
        additionalProperties: false,
        properties: {
          user: { type: 'string', minLength: 1, maxLength: 256 },
          password: { type: 'string', minLength: 1, maxLength: 1024, description: 'at most 1,024 bytes (UTF-8)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['token', 'expiresAt'],
          properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, user: { type: 'string' }, role: roleSchema },
        },
        ...errorResponses,
      },
    },
    handler: guardedLogin(auth, ctx.deps.loginThrottle),
  });

  app.post('/api/v1/auth/logout', {
    schema: { summary: 'Revoke the bearer token this request carries.', tags: ['auth'], response: { 200: okSchema, ...errorResponses } },
    handler: async (req) => {
      const authz = req.headers.authorization ?? '';
      const token = /^bearer\s+/i.test(authz) ? authz.replace(/^bearer\s+/i, '').trim() : '';
      return { ok: token ? await auth.logout(token) : false };
    },
  });

  app.get('/api/v1/auth/whoami', {
    schema: {
      summary: 'Who this credential is: user, role, grants.',
      tags: ['auth'],
      response: {
        200: {
          type: 'object',
          additionalProperties: true,
          properties: { user: { type: 'string' }, role: roleSchema, grants: grantsSchema, via: { type: 'string' } },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => callerOf(req),
  });

  app.get<{ Querystring: { user?: string } }>('/api/v1/auth/keys', {
    schema: {
      summary: "API keys: the caller's own; an admin sees everybody's (or one user's with ?user=).",
      tags: ['auth'],
      querystring: { type: 'object', additionalProperties: false, properties: { user: { type: 'string' } } },
      response: { 200: listOf(keySchema), ...errorResponses },
    },
    handler: async (req) => {
      const p = callerOf(req);
      const user = p.role === 'admin' ? req.query.user : p.user;
      return { items: await auth.listApiKeys(user) };
    },
  });

  app.post<{ Body: { role?: Role; grants?: Grants; description?: string; user?: string } }>('/api/v1/auth/keys', {
    schema: {
      summary: 'Create an API key. The key is in this response only; it is stored hashed.',
      description: "The key gets the caller's role and grants unless narrowed; it can never be wider. An admin may create a key for another user (`user`).",
      tags: ['auth'],
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { role: roleSchema, grants: grantsSchema, description: { type: 'string', maxLength: 200 }, user: { type: 'string' } },
      },
      response: {
        201: {
          ...keySchema,
          required: ['id', 'key'],
          properties: { ...keySchema.properties, key: { type: 'string', description: 'send as the X-API-Key header; shown once' } },
        },
        ...errorResponses,
      },
    },
    handler: async (req, reply) => {
      const p = callerOf(req);
      let owner: { user: string; role: Role; grants: Grants } = p;
      if (req.body.user && req.body.user !== p.user) {
        if (p.role !== 'admin') throw new NrxError('NRX_ERR_FORBIDDEN', `${p.user} may create API keys only for itself`);
        const u = await auth.getUser(req.body.user);
        if (!u) throw new NrxError('NRX_ERR_NOT_FOUND', `no user '${req.body.user}'`);
        owner = { user: u.name, role: u.role, grants: u.grants };
      }
      const created = await auth.createApiKey(owner, {
        ...(req.body.role ? { role: req.body.role } : {}),
        ...(req.body.grants ? { grants: req.body.grants } : {}),
        ...(req.body.description ? { description: req.body.description } : {}),
      });
      req.auditInfo = { target: created.id, detail: { user: created.user, role: created.role, grants: created.grants } };
      return reply.status(201).send(created);
    },
  });

  app.delete<{ Params: { id: string } }>('/api/v1/auth/keys/:id', {
    schema: { summary: 'Revoke an API key (own keys; an admin any key).', tags: ['auth'], params: idParams, response: { 200: okSchema, ...errorResponses } },
    handler: async (req) => {
      const p = callerOf(req);
      const key = await auth.getApiKey(req.params.id);
      if (!key || (p.role !== 'admin' && key.user !== p.user)) throw new NrxError('NRX_ERR_NOT_FOUND', `no API key ${req.params.id}`);
      return { ok: await auth.deleteApiKey(key.id) };
    },
  });

  app.get('/api/v1/users', {
    schema: { summary: 'Local users (admin).', tags: ['users'], response: { 200: listOf(userSchema), ...errorResponses } },
    handler: async () => ({ items: await auth.listUsers() }),
  });

  app.post<{ Body: { name: string; password: string; role: Role; grants?: Grants } }>('/api/v1/users', {
    schema: {
      summary: 'Create a local user (admin).',
      tags: ['users'],
      body: {
        type: 'object',
        required: ['name', 'password', 'role'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64 },
          password: { type: 'string', minLength: 8 },
          role: roleSchema,
          grants: grantsSchema,
        },
      },
      response: { 201: userSchema, ...errorResponses },
    },
    handler: async (req, reply) => reply.status(201).send(await auth.createUser(req.body)),
  });

  app.delete<{ Params: { name: string } }>('/api/v1/users/:name', {
    schema: {
      summary: 'Delete a user and revoke its tokens and API keys (admin). The last admin cannot be deleted.',
      tags: ['users'],
      params: nameParams,
      response: { 200: okSchema, ...errorResponses },
    },
    handler: async (req) => {
      await auth.removeUser(req.params.name);
      return { ok: true };
    },
  });

  app.put<{ Params: { name: string }; Body: { password: string; currentPassword?: string } }>('/api/v1/users/:name/password', {
    schema: {
      summary: "Set a user's password (admin: anybody's; a user: its own, with currentPassword). The user's login tokens are revoked.",
      tags: ['users'],
      params: nameParams,
      body: {
        type: 'object',
        required: ['password'],
        additionalProperties: false,
        properties: { password: { type: 'string', minLength: 8, maxLength: 1024 }, currentPassword: { type: 'string', maxLength: 1024 } },
      },
      response: { 200: okSchema, ...errorResponses },
    },
    handler: async (req) => {
      const p = callerOf(req);
      if (p.role !== 'admin') {
        if (p.user !== req.params.name) throw new NrxError('NRX_ERR_FORBIDDEN', `${p.user} may change only its own password`);
        await auth.checkPassword(p.user, req.body.currentPassword ?? '');
      }
      await auth.setPassword(req.params.name, req.body.password);
      req.auditInfo = { target: req.params.name, detail: null };
      return { ok: true };
    },
  });

  app.get<{ Querystring: { user?: string; limit: number; before?: number } }>('/api/v1/audit', {
    schema: {
      summary: 'The audit log: every write through the API, newest first (admin). Page with `before` (an entry id).',
      tags: ['users'],
      querystring: { type: 'object', additionalProperties: false, properties: { user: { type: 'string' }, limit: limitQuery, before: { type: 'integer' } } },
      response: {
        200: listOf(
          {
            type: 'object',
            additionalProperties: true,
            properties: {
              id: { type: 'integer' },
              time: { type: 'string' },
              user: { type: ['string', 'null'] },
              role: { type: ['string', 'null'] },
              method: { type: 'string' },
              route: { type: 'string' },
              target: { type: ['string', 'null'] },
              status: { type: 'integer' },
              sourceIp: { type: ['string', 'null'] },
              detail: {},
            },
          },
          { next: { type: ['integer', 'null'] } },
        ),
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const items = await auth.audit.list({
        ...(req.query.user !== undefined ? { user: req.query.user } : {}),
        limit: req.query.limit,
        ...(req.query.before !== undefined ? { before: req.query.before } : {}),
      });
      return { items, next: items.length === req.query.limit ? items[items.length - 1]!.id : null };
    },
  });
}
