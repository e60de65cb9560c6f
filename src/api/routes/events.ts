import type { FastifyInstance } from 'fastify';
import { NrxError } from '../../core/errors.js';
import { makeEvent } from '../../events/envelope.js';
import { assertDeclaredTrigger } from '../../events/undeclared-trigger.js';
import type { TriggerInstanceStatus } from '../../store/records.js';
import { callerOf, type RouteContext } from '../context.js';
import { anyObject, enforcementSchema, errorResponses, eventSchema, idParams, limitQuery, listOf } from '../schemas.js';
import { outcomeOf } from '../../executions/outcome.js';
import type { EventsPort } from '../ports.js';

/**
 * The event's decision trail: each rule's decision and, when it started an execution, how that
 * ended (status) and what it did (outcome: repaired, escalated...).
 */
async function decisionTrail(store: EventsPort['store'], eventId: string): Promise<Array<Record<string, unknown>>> {
  const trail = [];
  for (const e of await store.listEnforcements({ triggerInstanceId: eventId })) {
    const rec = e.executionId ? await store.getExecution(e.executionId) : null;
    trail.push({ ...e, execution: rec ? { id: rec.id, action: rec.action, status: rec.status, outcome: outcomeOf(rec) } : null });
  }
  return trail;
}

export function eventRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const appliance = ctx.ports.events;

  app.get<{ Querystring: { type?: string; status?: TriggerInstanceStatus; limit: number; before?: string } }>('/api/v1/events', {
    schema: {
      summary: 'Recent events (trigger instances), newest first. Page with `before` (an event id).',
      tags: ['events'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          status: { type: 'string', enum: ['pending', 'processing', 'processed'] },
          limit: limitQuery,
          before: { type: 'string' },
        },
      },
      response: {
        200: listOf(
          { ...eventSchema, properties: { ...(eventSchema.properties as object), enforcements: { type: 'array', items: enforcementSchema } } },
          { next: { type: ['string', 'null'] } },
        ),
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const q = req.query;
      const items = await appliance.store.listTriggerInstances({
        ...(q.type ? { type: q.type } : {}),
        ...(q.status ? { status: [q.status] } : {}),
        limit: q.limit,
        ...(q.before ? { before: q.before } : {}),
      });
      // which rules fired for each event, as `event list` shows it offline
      const withRules = [];
      for (const ev of items) withRules.push({ ...ev, enforcements: await appliance.store.listEnforcements({ triggerInstanceId: ev.id }) });
      return { items: withRules, next: items.length === q.limit ? items[items.length - 1]!.id : null };
    },
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id', {
    schema: {
      summary:
        "One event and what every rule decided for it (executed, throttled, held...), with the status and outcome of the execution it started, and the other sensors' views of the same fault stored as its duplicates.",
      tags: ['events'],
      params: idParams,
      response: {
        200: {
          ...eventSchema,
          properties: {
            ...(eventSchema.properties as object),
            enforcements: { type: 'array', items: enforcementSchema },
            duplicates: { type: 'array', items: eventSchema, description: 'events stored with duplicateOf this one (at most 100)' },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const ev = await appliance.store.getTriggerInstance(req.params.id);
      if (!ev) throw new NrxError('NRX_ERR_NOT_FOUND', `no event ${req.params.id}`);
      const duplicates = await appliance.store.listTriggerInstances({ duplicateOf: ev.id, limit: 100 });
      return { ...ev, enforcements: await decisionTrail(appliance.store, ev.id), duplicates };
    },
  });

  app.post<{ Body: { type: string; payload?: Record<string, unknown>; device?: string; time?: string } }>('/api/v1/events', {
    schema: {
      summary: 'Emit an event: recorded, then handed to the rules engine (202: accepted, not yet processed).',
      description:
        "The payload is checked against the trigger type's schema when the type is registered. A type neither registered nor named by a rule is refused (404 NRX_ERR_TRIGGER_UNKNOWN): no rule would see the event.",
      tags: ['events'],
      body: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+$', description: 'trigger type, e.g. network.bgp_peer_state_changed' },
          payload: anyObject,
          device: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
        },
      },
      response: {
        202: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, traceId: { type: 'string' }, type: { type: 'string' } } },
        ...errorResponses,
      },
    },
    handler: async (req, reply) => {
      const p = callerOf(req);
      const b = req.body;
      assertDeclaredTrigger(b.type, appliance.declaredTypes());
      const event = makeEvent(b.type, b.payload ?? {}, {
        source: `api:${p.user}`,
        ...(b.device !== undefined ? { device: b.device } : {}),
        ...(b.time ? { time: b.time } : {}),
      });
      await appliance.emit(event);
      req.auditInfo = { target: event.id, detail: { type: event.type, device: event.device } };
      return reply.status(202).send({ id: event.id, traceId: event.traceId, type: event.type });
    },
  });

  app.get('/api/v1/triggertypes', {
    schema: {
      summary: 'Trigger types this appliance knows, with their payload schemas.',
      tags: ['events'],
      response: {
        200: listOf({
          type: 'object',
          additionalProperties: true,
          properties: {
            ref: { type: 'string' },
            pack: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            payloadSchema: anyObject,
          },
        }),
        ...errorResponses,
      },
    },
    handler: async () => ({ items: appliance.triggers.list() }),
  });
}
