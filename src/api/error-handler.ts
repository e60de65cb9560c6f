import type { FastifyError, FastifyInstance } from 'fastify';
import { NrxError } from '../core/errors.js';

/** Field path of a schema violation: `body.parameters.device`, `querystring.limit`. */
function validationField(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const base = err.validationContext ?? 'body';
  const path = v.instancePath.split('/').filter(Boolean).join('.');
  const missing = v.keyword === 'required' ? (v.params as { missingProperty?: string }).missingProperty : undefined;
  const extra = v.keyword === 'additionalProperties' ? (v.params as { additionalProperty?: string }).additionalProperty : undefined;
  return [base, path, missing ?? extra].filter(Boolean).join('.');
}

/** Map anything thrown in a route to the catalogue: NrxErrors keep their code and status. */
export function toNrxError(e: unknown): NrxError {
  if (e instanceof NrxError) return e;
  const err = e as FastifyError;
  if (err && Array.isArray(err.validation)) {
    const field = validationField(err);
    return new NrxError('NRX_ERR_VALIDATION', `request does not match the schema: ${err.message}`, field ? { location: { field } } : {});
  }
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status === 404) return new NrxError('NRX_ERR_NOT_FOUND', err.message);
  if (status >= 400 && status < 500) return new NrxError('NRX_ERR_VALIDATION', `bad request: ${err.message}`, { details: { fastifyCode: err.code } });
  return new NrxError('NRX_ERR_INTERNAL', `internal error: ${err?.message ?? String(e)}`);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((e, req, reply) => {
    const err = toNrxError(e);
    if (err.status >= 500) req.log.error({ err: e }, 'request failed');
    void reply.status(err.status).send(err.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new NrxError('NRX_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
    void reply.status(404).send(err.toJSON());
  });
}
