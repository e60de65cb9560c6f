import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { redactForAudit } from '../auth/audit-log.js';
import { roleAllows } from '../auth/roles.js';
import { NrxError, describeError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { ApiTls } from './api-tls.js';
import type { ApiDeps, RouteContext } from './context.js';
import { refuseDeepBodies } from './body-depth.js';
import { installErrorHandling } from './error-handler.js';
import { ApiMetrics } from './metrics.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import { accessFor } from './permissions.js';
import { ApiRuleStore } from './rule-store.js';
import { portsOf } from './ports.js';
import { ApiStream } from './stream.js';
import { PackConfigStore } from '../datastore/pack-config-store.js';
import { actionAliasRoutes } from './routes/action-aliases.js';
import { actionRoutes } from './routes/actions.js';
import { authRoutes } from './routes/auth.js';
import { eventRoutes } from './routes/events.js';
import { executionRoutes } from './routes/executions.js';
import { inventoryRoutes } from './routes/inventory.js';
import { keyRoutes } from './routes/keys.js';
import { packConfigRoutes } from './routes/pack-config.js';
import { packRoutes } from './routes/packs.js';
import { ruleRoutes } from './routes/rules.js';
import { systemRoutes } from './routes/system.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';
import { installUiSession } from './ui-session.js';
import { serveUi } from './ui-static.js';
import { WebhookCounters, withWebhookCounters } from '../sensors/webhook/counters.js';

export type { ApiDeps } from './context.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * The REST API as a fastify instance that does not listen (tests call inject(); server.ts
 * listens). Every route declares its schemas and its access in permissions.ts; every write is
 * audited; every error is a catalogue code.
 */
export async function buildApp(deps: ApiDeps, https: ApiTls | null = null): Promise<FastifyInstance> {
  const store = deps.appliance.store;
  const app = Fastify({
    loggerInstance: (deps.log ?? silentLogger) as FastifyBaseLogger,
    exposeHeadRoutes: false,
    bodyLimit: 10 * 1024 * 1024,
    // Reject unknown body fields instead of silently dropping them: a typo is an error.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  app.decorateRequest('auditInfo', null);
  installErrorHandling(app);
  refuseDeepBodies(app);

  // A route nobody classified would be reachable by anybody: refuse to build instead.
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) {
      if (!accessFor(m, route.url)) throw new NrxError('NRX_ERR_CONFIG', `route ${m} ${route.url} has no entry in src/api/permissions.ts`);
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'netreflex', version: '1', description: 'Event-driven network automation: events, rules, executions, inventory, keys, packs.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await serveUi(app);
  // before the auth hook: it turns the web UI's session cookie into the bearer token that hook reads
  await installUiSession(app);

  app.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url;
    if (url === undefined) return; // the not-found handler answers
    const access = accessFor(req.method, url);
    const apiKey = headerValue(req.headers['x-api-key']);
    const authz = headerValue(req.headers.authorization);
    const bearer = authz && /^bearer\s+/i.test(authz) ? authz.replace(/^bearer\s+/i, '').trim() : undefined;
    if (access === 'anonymous') {
      try {
        req.principal = await deps.auth.authenticate({ apiKey, bearer });
      } catch {
        req.principal = null; // a stale credential does not stop a health check
      }
      return;
    }
    req.principal = await deps.auth.authenticate({ apiKey, bearer });
    if (!req.principal)
      throw new NrxError(
        'NRX_ERR_UNAUTHORIZED',
        `${req.method} ${url} needs a credential: an X-API-Key header, or Authorization: Bearer <token> from POST /api/v1/auth/login`,
      );
    if (access === undefined || (access !== 'authenticated' && !roleAllows(req.principal.role, access))) {
      throw new NrxError('NRX_ERR_FORBIDDEN', `${req.principal.user} (${req.principal.role}) may not ${req.method} ${url}: it needs '${access ?? 'unknown'}'`);
    }
  });

  const stream = deps.stream ?? new ApiStream();
  const webhookCounters = deps.webhookCounters ?? new WebhookCounters();
  const metrics = new ApiMetrics(stream, withWebhookCounters(deps.sensorCounters, webhookCounters), deps.intakeCounts);
  if (deps.cluster) registerClusterMetrics(metrics.registry, deps.cluster);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.apiRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    if (!WRITE_METHODS.has(req.method)) return;
    try {
      const body = req.body as Record<string, unknown> | undefined;
      const params = (req.params ?? {}) as Record<string, string>;
      const loginName = route === '/api/v1/auth/login' && typeof body?.user === 'string' ? body.user : null;
      await deps.auth.audit.record({
        time: new Date().toISOString(),
        user: req.principal?.user ?? loginName,
        role: req.principal?.role ?? null,
        method: req.method,
        route,
        target: req.auditInfo?.target ?? (Object.values(params).join('/') || null),
        status: reply.statusCode,
        sourceIp: req.ip ?? null,
        detail: req.auditInfo && 'detail' in req.auditInfo ? req.auditInfo.detail : redactForAudit(body ?? null),
      });
    } catch (e) {
      req.log.error({ err: describeError(e) }, 'audit record could not be written');
    }
  });

  const rules = deps.rules ?? new ApiRuleStore(store.ruleOverrides);
  for (const e of (await rules.applyTo(deps.appliance.rules)).errors) deps.appliance.log.warn({ code: e.code }, e.message);
  const ctx: RouteContext = {
    deps,
    stream,
    metrics,
    rules,
    ports: portsOf(deps.appliance),
    packsDir: deps.packsDir ?? path.join(deps.appliance.dataDir, 'packs'),
  };

  systemRoutes(app, ctx);
  authRoutes(app, ctx);
  eventRoutes(app, ctx);
  ruleRoutes(app, ctx);
  actionRoutes(app, ctx);
  actionAliasRoutes(app, ctx);
  executionRoutes(app, ctx);
  inventoryRoutes(app, ctx);
  keyRoutes(app, ctx);
  packRoutes(app, ctx);
  packConfigRoutes(app, ctx, new PackConfigStore(deps.kv, deps.appliance.dataDir));
  workflowRoutes(app, ctx);
  webhookRoutes(app, ctx, { counters: webhookCounters });

  // Every event on the bus reaches live streams and metrics, whichever way it came in.
  const subscription = await deps.appliance.bus.subscribe(`api-stream-${process.pid}-${Math.random().toString(36).slice(2)}`, (d) => {
    stream.eventReceived(d.event);
    d.ack();
  });
  app.addHook('onClose', async () => {
    await subscription.unsubscribe().catch(() => {});
    metrics.close();
  });
  return app;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
