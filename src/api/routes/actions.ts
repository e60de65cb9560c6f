import type { FastifyInstance } from 'fastify';
import { NrxError } from '../../core/errors.js';
import type { ActionSpec } from '../../executions/action.js';
import type { RouteContext } from '../context.js';
import { assertPackAllowed, packAllowed } from '../grants.js';
import { anyObject, errorResponses, listOf, refParams } from '../schemas.js';
import { SECRET_MASK } from '../../core/secrets.js';

const actionSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    ref: { type: 'string' },
    pack: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    enabled: { type: 'boolean' },
    runnerType: { type: 'string' },
    parameters: anyObject,
    idempotent: { type: 'boolean' },
    deviceLock: { type: ['object', 'null'], additionalProperties: true },
    timeoutMs: { type: ['integer', 'null'] },
  },
};

/** Parameter specs as declared; defaults of secret parameters are not shown. */
export function actionView(a: ActionSpec): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(a.parameters)) parameters[k] = p.secret && p.default !== undefined ? { ...p, default: SECRET_MASK } : p;
  return {
    ref: a.ref,
    pack: a.pack,
    name: a.name,
    description: a.description,
    enabled: a.enabled,
    runnerType: a.runnerType,
    parameters,
    idempotent: a.idempotent,
    deviceLock: a.deviceLock,
    timeoutMs: a.timeoutMs,
  };
}

export function actionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const actions = ctx.ports.actions.actions;

  app.get<{ Querystring: { pack?: string; runner?: string } }>('/api/v1/actions', {
    schema: {
      summary: 'Actions and workflows that can be run, with their parameter schemas.',
      tags: ['actions'],
      querystring: { type: 'object', additionalProperties: false, properties: { pack: { type: 'string' }, runner: { type: 'string' } } },
      response: { 200: listOf(actionSchema), ...errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const items = [...actions.values()]
        .filter((a) => packAllowed(req.principal, a.pack) && (!q.pack || a.pack === q.pack) && (!q.runner || a.runnerType === q.runner))
        .sort((a, b) => a.ref.localeCompare(b.ref))
        .map(actionView);
      return { items };
    },
  });

  app.get<{ Params: { ref: string } }>('/api/v1/actions/:ref', {
    schema: { summary: 'One action.', tags: ['actions'], params: refParams, response: { 200: actionSchema, ...errorResponses } },
    handler: async (req) => {
      const a = actions.get(req.params.ref);
      if (!a) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `no action '${req.params.ref}' is loaded`);
      assertPackAllowed(req.principal, a.pack, `action ${a.ref}`);
      return actionView(a);
    },
  });
}
