import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { plainOutcome, runOnDevices } from '../../../drivers/access/device-command.js';
import { summarise } from '../../../drivers/access/fan-out.js';
import { NrxError } from '../../core/errors.js';
import { callerOf, type RouteContext } from '../context.js';
import { assertDevicesAllowed } from '../grants.js';
import { errorResponses } from '../schemas.js';

const HEARTBEAT_MS = 15_000;

interface ExecBody {
  what: string;
  on: string;
  concurrency: number;
  timeout: number;
}

const wantsStream = (req: FastifyRequest): boolean => String(req.headers.accept ?? '').includes('text/event-stream');

/**
 * `netreflex exec` through the appliance: a show command or getter on every device a filter
 * selects, with the appliance's inventory, credentials and known hosts. With `Accept:
 * text/event-stream` each device's result is sent as it finishes (start, device..., end);
 * otherwise one JSON answer when all are done. The stream is the reply's payload (not a
 * hijacked socket), so the request is audited like every write when it ends.
 */
export function inventoryExecRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const inv = ctx.deps.inventory;
  const devices = ctx.ports.devices;

  app.post<{ Body: ExecBody }>('/api/v1/inventory/exec', {
    schema: {
      summary: 'Run a show command or a getter on every device a filter selects; per-device results, live over SSE when asked.',
      description:
        "Messages with `Accept: text/event-stream`: `start` {on, devices}, one `device` {device, ok, elapsed_ms, platform, kind, output, model, getter | error} per device as it finishes, `end` {ok, failed}. Host keys are checked against the appliance's known_hosts.",
      tags: ['inventory'],
      body: {
        type: 'object',
        required: ['what', 'on'],
        additionalProperties: false,
        properties: {
          what: { type: 'string', minLength: 1, maxLength: 1000, description: 'a show command, or a getter (facts, interfaces, bgp_neighbors, ...)' },
          on: { type: 'string', minLength: 1, description: 'inventory filter: role=leaf, leaf1,leaf2, "site=dc1 and platform=frr"' },
          concurrency: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
          timeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 30, description: 'per-command timeout, seconds' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            ok: { type: 'integer' },
            failed: { type: 'integer' },
            devices: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (req, reply) => {
      const p = callerOf(req);
      const { what, on, concurrency, timeout } = req.body;
      // an operator granted site=dc1 cannot reach a dc2 device through a wider filter
      await assertDevicesAllowed(p, { on }, inv);
      const names = (await inv.listHosts(on)).map((h) => h.name);
      if (names.length === 0)
        throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no inventory device matches ${JSON.stringify(on)} (netreflex inventory ls lists them)`, {
          details: { filter: on },
        });
      req.auditInfo = { target: on, detail: { what, on, devices: names } };
      const opts = { concurrency, timeoutMs: timeout * 1000 };
      if (!wantsStream(req)) {
        const outcomes = await runOnDevices(devices, names, what, opts);
        return { ...summarise(outcomes), devices: outcomes.map(plainOutcome) };
      }

      const out = new PassThrough();
      const send = (event: string, data: unknown): void => void out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const abort = new AbortController();
      // the client went away before the end: start no more devices, close the sessions in flight
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      send('start', { on, what, devices: names });
      void runOnDevices(devices, names, what, {
        ...opts,
        signal: abort.signal,
        onOutcome: (o, done, total) => send('device', { ...plainOutcome(o), done, total }),
      })
        .then((outcomes) => send('end', summarise(outcomes)))
        .catch((e: unknown) => send('error', { code: 'NRX_ERR_INTERNAL', message: (e as Error).message }))
        .finally(() => {
          clearInterval(heartbeat);
          out.end();
        });
      return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(out);
    },
  });
}
