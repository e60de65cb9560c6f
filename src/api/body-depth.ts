import type { FastifyInstance } from 'fastify';
import { NrxError } from '../core/errors.js';
import { MAX_JSON_DEPTH, tooDeep } from '../sensors/webhook/malformed.js';

/**
 * Refuse request bodies nested deeper than MAX_JSON_DEPTH (64) levels before any route sees
 * them. Storage, schema validation, templates and criteria walk payloads recursively; a small
 * body of `{"a":{"a":...` 5,000 levels deep used to end as a 500 from the store. Webhook
 * bodies (raw buffers) are checked by their own decoders with the same limit.
 */
export function refuseDeepBodies(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const body = req.body;
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return;
    const at = tooDeep(body);
    if (at === null) return;
    const field = at === '(top)' ? 'body' : `body.${at}`;
    throw new NrxError(
      'NRX_ERR_VALIDATION',
      `request body nests deeper than ${MAX_JSON_DEPTH} levels (the limit for event payloads, parameters and every other body)`,
      {
        location: { field: field.length > 120 ? `${field.slice(0, 120)}…` : field },
      },
    );
  });
}
