import type { FastifyInstance } from 'fastify';
import { netreflexVersion } from '../../core/version.js';
import { typeFilter } from '../../events/bus.js';
import { packAllowed } from '../grants.js';
import type { RouteContext } from '../context.js';
import { errorResponses } from '../schemas.js';
import { openSse } from '../sse.js';
import type { StreamMessage } from '../stream.js';

const KINDS = ['event', 'execution', 'enforcement'] as const;

export function systemRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const started = Date.now();

  app.get('/api/v1/health', {
    schema: {
      summary: "Liveness: the API answers and the store is open; version is netreflex's (as `netreflex --version` prints it). Anonymous.",
      tags: ['system'],
      response: {
        200: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' }, version: { type: 'string' } },
        },
        ...errorResponses,
      },
    },
    handler: async () => {
      await ctx.ports.health.store.listControlRequests(); // proves the store answers
      return { status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000), version: netreflexVersion() };
    },
  });

  app.get('/api/v1/cluster', {
    schema: {
      summary:
        "The nodes sharing this appliance's store (name, roles, host, pid, last heartbeat, timer leader), the store, and the event bus backlog (`netreflex cluster status`).",
      tags: ['system'],
      response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
    },
    handler: async () => (ctx.deps.cluster ? ctx.deps.cluster() : { store: { kind: 'sqlite', location: '' }, bus: null, nodes: [] }),
  });

  app.get('/openapi.json', {
    schema: {
      summary: 'The OpenAPI document of this API (rendered for people at /docs). Anonymous.',
      tags: ['system'],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    handler: async () => app.swagger(),
  });

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics (text exposition format). Needs observer or above.',
      tags: ['system'],
      response: { 200: { type: 'string' }, ...errorResponses },
    },
    handler: async (_req, reply) => {
      const { contentType, body } = await ctx.metrics.text();
      return reply.type(contentType).send(body);
    },
  });

  app.get<{ Querystring: { kinds?: string; type?: string; action?: string; execution?: string; device?: string; max?: number } }>('/api/v1/stream', {
    schema: {
      summary: 'Live server-sent events: `event`, `execution` (status updates) and `enforcement` messages, each one JSON `data:` line.',
      description:
        'Filters combine with and. `type` and `action` accept exact refs or `pack.*`, comma-separated. `max` closes the stream after that many messages (scripts, tests).',
      tags: ['system'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kinds: { type: 'string', pattern: '^(event|execution|enforcement)(,(event|execution|enforcement))*$', description: 'comma-separated; default all' },
          type: { type: 'string', description: 'trigger types of events (e.g. network.*)' },
          action: { type: 'string', description: 'actions of executions (e.g. network.*)' },
          execution: { type: 'string', description: 'only this execution and the executions under it (root id)' },
          device: { type: 'string', description: 'events of this device' },
          max: { type: 'integer', minimum: 1 },
        },
      },
      response: { 200: { type: 'string', description: 'text/event-stream' }, ...errorResponses },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const kinds = new Set(q.kinds ? q.kinds.split(',') : KINDS);
      const wantsType = typeFilter(q.type?.split(','));
      const wantsAction = typeFilter(q.action?.split(','));
      const principal = req.principal;
      let left = q.max ?? Infinity;
      const sse = openSse(req, reply);
      const accept = (m: StreamMessage): boolean => {
        if (!kinds.has(m.kind)) return false;
        if (m.kind === 'event') return wantsType(m.event.type) && (!q.device || m.event.device === q.device);
        if (m.kind === 'execution') {
          const x = m.execution;
          return wantsAction(x.action) && (!q.execution || x.id === q.execution || x.rootId === q.execution) && packAllowed(principal, x.action.split('.')[0]!);
        }
        return !q.action || wantsAction(m.enforcement.actionRef ?? '');
      };
      const unsubscribe = ctx.stream.subscribe((m) => {
        if (sse.closed || !accept(m)) return;
        sse.send(m.kind, m.kind === 'event' ? m.event : m.kind === 'execution' ? m.execution : m.enforcement);
        if (--left <= 0) sse.close();
      });
      sse.onClose(unsubscribe);
    },
  });
}
