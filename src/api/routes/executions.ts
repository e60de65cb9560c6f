import type { FastifyInstance } from 'fastify';
import { NrxError } from '../../core/errors.js';
import { redactForAudit } from '../../auth/audit-log.js';
import { REDACTED, redactSecrets } from '../../executions/params.js';
import { TERMINAL_STATUSES, type ExecutionRecord, type ExecutionStatus } from '../../store/records.js';
import { callerOf, type RouteContext } from '../context.js';
import { assertDevicesAllowed, assertPackAllowed, packAllowed } from '../grants.js';
import { assertCommandAllowed, mayChooseCommands } from '../shell-access.js';
import { maskSecretsIn } from '../../core/secret-values.js';
import { anyObject, errorResponses, executionSchema, idParams, limitQuery, listOf, taskSchema } from '../schemas.js';
import { openSse } from '../sse.js';
import { withOutcome } from '../../executions/outcome.js';
import { countRemediations } from '../remediation-metrics.js';

const STATUSES: ExecutionStatus[] = [
  'requested',
  'scheduled',
  'delayed',
  'running',
  'pending',
  'pausing',
  'paused',
  'resuming',
  'canceling',
  'succeeded',
  'failed',
  'timeout',
  'canceled',
  'abandoned',
];
const STATUS_LIST = `^(${STATUSES.join('|')})(,(${STATUSES.join('|')}))*$`;
const LOG_POLL_MS = 200;

const packOf = (actionRef: string): string => actionRef.split('.')[0]!;

export function executionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, store } = ctx.ports.executions;
  const stopCounting = countRemediations(ctx.stream, ctx.metrics.registry);
  app.addHook('onClose', async () => stopCounting());

  const load = async (id: string, principal: Parameters<typeof packAllowed>[0]): Promise<ExecutionRecord> => {
    const rec = ctx.stream.liveExecution(id) ?? (await store.getExecution(id));
    if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${id}`);
    assertPackAllowed(principal, packOf(rec.action), `execution ${id} (${rec.action})`);
    return rec;
  };

  /** Grants are checked before anything is recorded: pack of the action, devices it names. */
  const start = async (
    req: { principal: Parameters<typeof packAllowed>[0]; auditInfo: { target?: string; detail?: unknown } | null },
    action: string,
    parameters: Record<string, unknown>,
    extra: { rerunOf?: string } = {},
  ): Promise<ExecutionRecord> => {
    const p = callerOf(req);
    // audited even when refused below, with the action's secret parameters masked
    const spec = engine.actions.get(action);
    req.auditInfo = { detail: { action, parameters: maskSecretsIn(spec ? redactSecrets(spec, parameters) : redactForAudit(parameters)), ...extra } };
    if (!spec) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `no action '${action}' is loaded (check the pack and its actions/*.yaml)`);
    assertPackAllowed(p, packOf(action), `action ${action}`);
    assertCommandAllowed(p, spec, parameters, `running ${action}`);
    await assertDevicesAllowed(p, parameters, ctx.deps.inventory);
    return engine.request(action, parameters, { user: p.user, ...(mayChooseCommands(p, spec) ? { shellGranted: true } : {}), ...extra });
  };

  app.post<{ Body: { action: string; parameters?: Record<string, unknown> } }>('/api/v1/executions', {
    schema: {
      summary: 'Run an action or workflow. Returns once it is recorded (201); follow it with GET /api/v1/executions/{id}/output.',
      description:
        "Parameters are checked against the action's schema (400 NRX_ERR_PARAM_INVALID). A grant on packs or an inventory filter applies: every device named by `device`, `devices` or `on` must match it (403).",
      tags: ['executions'],
      body: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: { action: { type: 'string', minLength: 3 }, parameters: anyObject },
      },
      response: { 201: executionSchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      const rec = await start(req, req.body.action, req.body.parameters ?? {});
      req.auditInfo = { target: rec.id, detail: { action: rec.action, parameters: rec.parameters } };
      return reply.status(201).send(rec);
    },
  });

  app.get<{ Querystring: { status?: string; action?: string; parent?: string; rule?: string; limit: number; before?: string } }>('/api/v1/executions', {
    schema: {
      summary: 'Executions, newest first. Page with `before` (the `next` of the previous page).',
      tags: ['executions'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { type: 'string', pattern: STATUS_LIST, description: 'comma-separated statuses' },
          action: { type: 'string' },
          parent: { type: 'string', description: 'an execution id (its children), or `none` (top-level only)' },
          rule: { type: 'string', description: 'executions this rule started' },
          limit: limitQuery,
          before: { type: 'string' },
        },
      },
      response: { 200: listOf(executionSchema, { next: { type: ['string', 'null'] } }), ...errorResponses },
    },
    handler: async (req) => {
      const q = req.query;
      const status = q.status ? (q.status.split(',') as ExecutionStatus[]) : undefined;
      let items: ExecutionRecord[];
      if (q.rule) {
        const ids = (await store.listEnforcements({ ruleRef: q.rule, limit: 100_000 }))
          .map((e) => e.executionId)
          .filter((id): id is string => id !== null && (!q.before || id < q.before))
          .sort()
          .reverse();
        items = [];
        for (const id of ids) {
          const rec = await store.getExecution(id);
          if (!rec || (status && !status.includes(rec.status)) || (q.action && rec.action !== q.action)) continue;
          items.push(rec);
          if (items.length >= q.limit) break;
        }
      } else {
        items = await store.listExecutions({
          ...(status ? { status } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.parent !== undefined ? { parentId: q.parent === 'none' ? null : q.parent } : {}),
          limit: q.limit,
          ...(q.before ? { before: q.before } : {}),
        });
      }
      const next = items.length === q.limit ? items[items.length - 1]!.id : null;
      return { items: items.filter((r) => packAllowed(req.principal, packOf(r.action))).map(withOutcome), next };
    },
  });

  app.get<{ Params: { id: string } }>('/api/v1/executions/:id', {
    schema: {
      summary: 'One execution, with its workflow task path and child executions.',
      tags: ['executions'],
      params: idParams,
      response: {
        200: {
          ...executionSchema,
          properties: {
            ...(executionSchema.properties as object),
            tasks: { type: 'array', items: taskSchema },
            children: { type: 'array', items: executionSchema },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req) => {
      const rec = await load(req.params.id, req.principal);
      const tasks = (await store.listTasks(rec.id)).sort((a, b) => a.seq - b.seq);
      const children = (await store.listExecutions({ parentId: rec.id, limit: 1000 })).reverse();
      return { ...withOutcome(rec), tasks, children: children.map(withOutcome) };
    },
  });

  for (const op of ['cancel', 'pause', 'resume'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/executions/:id/${op}`, {
      schema: {
        summary: `${op[0]!.toUpperCase()}${op.slice(1)} an execution (409 NRX_ERR_INVALID_STATE when it does not apply in its status).`,
        tags: ['executions'],
        params: idParams,
        response: { 200: executionSchema, ...errorResponses },
      },
      handler: async (req) => {
        await load(req.params.id, req.principal);
        return engine[op](req.params.id);
      },
    });
  }

  app.post<{ Params: { id: string }; Body: { parameters?: Record<string, unknown> } }>('/api/v1/executions/:id/rerun', {
    schema: {
      summary: 'Run an execution again with the same parameters (a new execution; context.rerunOf names the old one).',
      description:
        'Secret parameters are never stored, so an action with secret parameters needs them again in `parameters`; other values given there replace the old ones.',
      tags: ['executions'],
      params: idParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { parameters: anyObject } },
      response: { 201: executionSchema, ...errorResponses },
    },
    handler: async (req, reply) => {
      req.auditInfo = { target: req.params.id, detail: { rerunOf: req.params.id } };
      const old = await load(req.params.id, req.principal);
      const parameters = { ...old.parameters, ...(req.body?.parameters ?? {}) };
      const spec = engine.actions.get(old.action);
      const lost = Object.entries(spec?.parameters ?? {})
        .filter(([k, p]) => p.secret && parameters[k] === REDACTED)
        .map(([k]) => k);
      if (lost.length)
        throw new NrxError(
          'NRX_ERR_PARAM_INVALID',
          `execution ${old.id}: secret parameter(s) ${lost.join(', ')} were not stored; give them again in 'parameters'`,
          { location: { field: `body.parameters.${lost[0]}` } },
        );
      const rec = await start(req, old.action, parameters, { rerunOf: old.id });
      req.auditInfo = { target: rec.id, detail: { rerunOf: old.id, action: rec.action, parameters: rec.parameters } };
      return reply.status(201).send(rec);
    },
  });

  app.get<{ Params: { id: string } }>('/api/v1/executions/:id/output', {
    schema: {
      summary:
        'Follow an execution (SSE): its output lines (`log`), status changes (`status`), child executions of a workflow (`child`), then `end` with the final record.',
      tags: ['executions'],
      params: idParams,
      response: { 200: { type: 'string', description: 'text/event-stream' }, ...errorResponses },
    },
    handler: async (req, reply) => {
      const id = req.params.id;
      const first = await load(id, req.principal);
      const sse = openSse(req, reply);
      let sent = 0;
      let lastStatus: string | null = null;
      const show = (r: ExecutionRecord): void => {
        while (sent < r.log.length) sse.send('log', { line: r.log[sent++] });
        if (r.status !== lastStatus) {
          lastStatus = r.status;
          sse.send('status', { id: r.id, status: r.status });
        }
        if (TERMINAL_STATUSES.has(r.status)) {
          sse.send('end', r);
          sse.close();
        }
      };
      const unsubscribe = ctx.stream.subscribe((m) => {
        if (m.kind !== 'execution' || sse.closed) return;
        const x = m.execution;
        if (x.id === id) show(x);
        else if (x.rootId === id || x.parentId === id)
          sse.send('child', { id: x.id, action: x.action, taskName: x.taskName, status: x.status, parentId: x.parentId });
      });
      // Output lines are appended to the live record without an update; read them from there.
      // When nothing here runs it (another process, or it just ended), the store says.
      let polling = false;
      const poll = setInterval(() => {
        if (polling || sse.closed) return;
        const live = ctx.stream.liveExecution(id);
        if (live) return show(live);
        polling = true;
        void store
          .getExecution(id)
          .then((r) => r && !sse.closed && show(r))
          .catch(() => sse.close())
          .finally(() => (polling = false));
      }, LOG_POLL_MS);
      sse.onClose(() => {
        unsubscribe();
        clearInterval(poll);
      });
      show(first);
    },
  });

  app.get<{ Querystring: { limit: number } }>('/api/v1/inquiries', {
    schema: {
      summary: 'Inquiries waiting for a human answer (executions of the inquiry runner in status pending).',
      tags: ['inquiries'],
      querystring: { type: 'object', additionalProperties: false, properties: { limit: limitQuery } },
      response: { 200: listOf(executionSchema), ...errorResponses },
    },
    handler: async (req) => {
      const pending = await store.listExecutions({ status: ['pending'], limit: req.query.limit });
      return { items: pending.filter((r) => r.runner === 'inquiry' && packAllowed(req.principal, packOf(r.action))) };
    },
  });

  app.post<{ Params: { id: string }; Body: { response: Record<string, unknown> } }>('/api/v1/inquiries/:id/respond', {
    schema: {
      summary: "Answer an inquiry; the response is checked against the inquiry's schema and the workflow goes on.",
      tags: ['inquiries'],
      params: idParams,
      body: { type: 'object', required: ['response'], additionalProperties: false, properties: { response: anyObject } },
      response: { 200: executionSchema, ...errorResponses },
    },
    handler: async (req) => {
      const rec = await load(req.params.id, req.principal);
      // core.ask's own say on who may answer (StackStorm's inquiry users and roles)
      const p = callerOf(req);
      const users = Array.isArray(rec.parameters.users) ? (rec.parameters.users as unknown[]) : [];
      const roles = Array.isArray(rec.parameters.roles) ? (rec.parameters.roles as unknown[]) : [];
      if ((users.length || roles.length) && !users.includes(p.user) && !roles.includes(p.role)) {
        throw new NrxError(
          'NRX_ERR_FORBIDDEN',
          `inquiry ${rec.id} may be answered by ${[...users.map((u) => `user ${String(u)}`), ...roles.map((r) => `role ${String(r)}`)].join(', ')}; not by ${p.user} (${p.role})`,
        );
      }
      if (rec.rootId !== rec.id) {
        const root = await store.getExecution(rec.rootId);
        if (root) assertPackAllowed(req.principal, packOf(root.action), `workflow ${root.id} (${root.action})`);
      }
      return engine.respondInquiry(rec.id, req.body.response);
    },
  });
}
