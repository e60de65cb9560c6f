import type { FastifyInstance } from 'fastify';
import { AliasExecutor, aliasView } from '../alias-execution.js';
import { callerOf, type RouteContext } from '../context.js';
import { packAllowed } from '../grants.js';
import { anyObject, errorResponses, executionSchema } from '../schemas.js';

const aliasSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    ref: { type: 'string' },
    name: { type: 'string' },
    pack: { type: 'string' },
    description: { type: 'string' },
    enabled: { type: 'boolean' },
    action_ref: { type: 'string' },
    formats: { type: 'array', items: {} },
    ack: anyObject,
    result: anyObject,
  },
};

const commandBody = {
  type: 'object',
  required: ['command'],
  additionalProperties: false,
  properties: { command: { type: 'string', minLength: 1, maxLength: 2000, description: 'the chat command without the bot prefix, e.g. "bgp summary leaf1"' } },
};

/**
 * StackStorm's alias routes, same paths and field names, so st2 chat clients can call them:
 * list, match without running, and run (POST /api/v1/aliasexecution) with the same checks as
 * POST /api/v1/executions.
 */
export function actionAliasRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const port = ctx.ports.aliases;
  const executorFor = (origin: string): AliasExecutor =>
    new AliasExecutor({ ...port, inventory: ctx.deps.inventory, executionUrl: (id) => `${origin}/api/v1/executions/${id}` });

  app.get('/api/v1/actionalias', {
    schema: {
      summary: "The action aliases of the loaded packs (StackStorm's list: a JSON array).",
      tags: ['chatops'],
      response: { 200: { type: 'array', items: aliasSchema }, ...errorResponses },
    },
    handler: async (req) =>
      port
        .aliases()
        .aliases.filter((a) => packAllowed(req.principal, a.pack))
        .map(aliasView),
  });

  app.post<{ Body: { command: string } }>('/api/v1/actionalias/match', {
    schema: {
      summary: 'Which alias a chat command matches and the parameters it would pass; nothing runs.',
      description: '404 NRX_ERR_ALIAS_NO_MATCH when no format matches, 409 NRX_ERR_ALIAS_AMBIGUOUS when several aliases do.',
      tags: ['chatops'],
      body: commandBody,
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          properties: { actionalias: aliasSchema, display: { type: 'string' }, representation: { type: 'string' }, parameters: anyObject },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const m = executorFor('').match(req.body.command);
      return { actionalias: aliasView(m.alias), display: m.format.display, representation: m.representation, parameters: m.parameters };
    },
  });

  app.post<{ Body: { command: string; name?: string; format?: string; user?: string; source_channel?: string; notification_route?: string } }>(
    '/api/v1/aliasexecution',
    {
      schema: {
        summary: "Run a chat command: match it, check the caller's role and grants like any run, start the action, answer with the alias's ack (201).",
        description:
          "With `source_channel`, the alias's result is posted back to that channel when the execution ends (a core.announcement on route chatops, which the chat bot posts). `user` is the chat user, recorded; the credential decides what may run.",
        tags: ['chatops'],
        body: {
          type: 'object',
          required: ['command'],
          additionalProperties: false,
          properties: {
            ...commandBody.properties,
            name: { type: 'string', description: 'match only this alias' },
            format: { type: 'string', description: 'StackStorm clients send the format they matched; netreflex matches again and ignores it' },
            user: { type: 'string', maxLength: 200 },
            source_channel: { type: 'string', maxLength: 200 },
            notification_route: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['results'],
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                  properties: { execution: executionSchema, actionalias: aliasSchema, message: { type: ['string', 'null'] } },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
      handler: async (req, reply) => {
        const b = req.body;
        req.auditInfo = {
          detail: { command: b.command, ...(b.user ? { user: b.user } : {}), ...(b.source_channel ? { source_channel: b.source_channel } : {}) },
        };
        const run = await executorFor(`${req.protocol}://${req.host}`).execute(callerOf(req), {
          command: b.command,
          ...(b.name ? { name: b.name } : {}),
          ...(b.user ? { chatUser: b.user } : {}),
          ...(b.source_channel ? { sourceChannel: b.source_channel } : {}),
        });
        req.auditInfo = { target: run.execution.id, detail: req.auditInfo.detail };
        return reply.status(201).send({ results: [run] });
      },
    },
  );
}
