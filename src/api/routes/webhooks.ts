import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NrxError } from '../../core/errors.js';
import { WEBHOOK_AUTH_MODES, type WebhookAuthMode } from '../../sensors/webhook/caller-auth.js';
import type { WebhookCounters } from '../../sensors/webhook/counters.js';
import { WEBHOOK_KINDS, type WebhookKind } from '../../sensors/webhook/decode.js';
import { WebhookDefinitions } from '../../sensors/webhook/definitions.js';
import { WebhookReceiver } from '../../sensors/webhook/receiver.js';
import { registerWebhookTriggers } from '../../sensors/webhook/triggers.js';
import { callerOf, type RouteContext } from '../context.js';
import { toNrxError } from '../error-handler.js';
import { errorResponses, listOf, nameParams } from '../schemas.js';

/** Largest webhook body accepted (Alertmanager groups and Neutron batches stay far below). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookRouteOptions {
  counters: WebhookCounters;
  bodyLimit?: number;
}

const webhookSchema = {
  type: 'object',
  // additionalProperties false: the serialiser drops anything else, so a secret can never leak here
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: [...WEBHOOK_KINDS] },
    auth: { type: 'string', enum: [...WEBHOOK_AUTH_MODES] },
    url: { type: 'string', description: 'where callers POST: /api/v1/webhooks/<name>' },
    createdAt: { type: 'string' },
    createdBy: { type: ['string', 'null'] },
  },
};

const createdSchema = {
  ...webhookSchema,
  properties: {
    ...webhookSchema.properties,
    secret: { type: 'string', description: 'the token (auth: token) or HMAC key (auth: hmac); shown this once' },
    header: { type: 'string', description: 'the header callers put the token or signature in' },
  },
};

const urlOf = (name: string): string => `/api/v1/webhooks/${name}`;

/**
 * Webhook sensors on the API port. Admins create, list and delete webhooks; machines POST to
 * /api/v1/webhooks/<name>, authenticated by the webhook's own token or HMAC signature, not by
 * an API user. The receiving route lives in its own fastify scope so it can keep the raw body
 * bytes (the HMAC is over them) without changing how the rest of the API parses JSON.
 */
export function webhookRoutes(app: FastifyInstance, ctx: RouteContext, opts: WebhookRouteOptions): void {
  const appliance = ctx.ports.webhooks;
  registerWebhookTriggers(appliance.triggers);
  const definitions = new WebhookDefinitions(ctx.deps.kv);
  const receiver = new WebhookReceiver({
    emit: (e) => appliance.emit(e),
    validate: (type, payload) => (appliance.triggers.has(type) ? appliance.triggers.validate(type, payload) : null),
    counters: opts.counters,
    log: appliance.log,
  });
  const bodyLimit = opts.bodyLimit ?? WEBHOOK_BODY_LIMIT;

  app.get('/api/v1/webhooks', {
    schema: {
      summary: 'Webhooks: name, kind and auth mode (never the secret).',
      tags: ['webhooks'],
      response: { 200: listOf(webhookSchema), ...errorResponses },
    },
    handler: async () => ({ items: (await definitions.list()).map((d) => ({ ...d, url: urlOf(d.name) })) }),
  });

  app.post<{ Body: { name: string; kind: WebhookKind; auth: WebhookAuthMode } }>('/api/v1/webhooks', {
    schema: {
      summary: 'Create a webhook (admin). The answer carries the generated secret once; it is stored encrypted and never shown again.',
      tags: ['webhooks'],
      body: {
        type: 'object',
        required: ['name', 'kind'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'the URL segment: /api/v1/webhooks/<name>' },
          kind: {
            type: 'string',
            enum: [...WEBHOOK_KINDS],
            description: 'generic -> core.webhook; neutron -> openstack.*; alertmanager -> prometheus.alert_*',
          },
          auth: {
            type: 'string',
            enum: [...WEBHOOK_AUTH_MODES],
            default: 'token',
            description:
              'token: X-Netreflex-Token or Authorization: Bearer; hmac: X-Netreflex-Signature or X-Hub-Signature-256 = sha256=<hex HMAC of the body>',
          },
        },
      },
      response: { 201: createdSchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      const p = callerOf(req);
      const { name, kind, auth } = req.body;
      const { definition, secret } = await definitions.create({ name, kind, auth, createdBy: p.user });
      req.auditInfo = { target: name, detail: { kind, auth } };
      return reply.status(201).send({ ...definition, url: urlOf(name), secret, header: auth === 'token' ? 'X-Netreflex-Token' : 'X-Netreflex-Signature' });
    },
  });

  app.delete<{ Params: { name: string } }>('/api/v1/webhooks/:name', {
    schema: {
      summary: 'Delete a webhook and its secret (admin).',
      tags: ['webhooks'],
      params: nameParams,
      response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (req) => {
      if (!(await definitions.delete(req.params.name))) throw new NrxError('NRX_ERR_NOT_FOUND', `no webhook '${req.params.name}'`);
      req.auditInfo = { target: req.params.name, detail: null };
      return { ok: true };
    },
  });

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

    // An oversized body fails before the handler; count it against its webhook like any malformed body.
    scope.setErrorHandler(async (e, req: FastifyRequest<{ Params: { name?: string } }>, reply) => {
      let err = toNrxError(e);
      if ((e as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        err = new NrxError('NRX_ERR_DECODE', `webhook body is larger than the ${bodyLimit}-byte limit`, { location: { field: 'body' } });
        const hook = await definitions.get(req.params.name ?? '').catch(() => null);
        if (hook) {
          opts.counters.of(hook.kind).received++;
          opts.counters.of(hook.kind).malformed++;
        }
      }
      if (err.status >= 500) req.log.error({ err: e }, 'webhook request failed');
      return reply.status(err.status).send(err.toJSON());
    });

    scope.post<{ Params: { name: string } }>('/api/v1/webhooks/:name', {
      bodyLimit,
      schema: {
        summary: "Deliver to a webhook. Not an API-user route: the caller proves itself with the webhook's token or HMAC signature.",
        description:
          'Headers: `X-Netreflex-Token: <secret>` or `Authorization: Bearer <secret>` (auth token), or `X-Netreflex-Signature` / `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (auth hmac). 202 with the ids of the events emitted.',
        tags: ['webhooks'],
        security: [],
        params: nameParams,
        response: {
          202: {
            type: 'object',
            required: ['webhook', 'events'],
            properties: {
              webhook: { type: 'string' },
              events: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } } },
            },
          },
          ...errorResponses,
        },
      },
      // Set before the body is read: the audit row must never fall back to the raw body.
      onRequest: async (req) => {
        req.auditInfo = { target: `webhook:${req.params.name}`, detail: null };
      },
      handler: async (req, reply) => {
        const hook = await definitions.get(req.params.name);
        if (!hook) throw new NrxError('NRX_ERR_NOT_FOUND', `no webhook '${req.params.name}'`);
        const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const events = await receiver.receive(
          hook,
          { method: req.method, headers: req.headers, query: { ...(req.query as Record<string, unknown>) }, rawBody },
          req.ip ?? null,
        );
        req.auditInfo = { target: `webhook:${hook.name}`, detail: { kind: hook.kind, events: events.length } };
        return reply.status(202).send({ webhook: hook.name, events: events.map((e) => ({ id: e.id, type: e.type })) });
      },
    });
  });
}
