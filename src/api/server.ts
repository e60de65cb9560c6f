import type { FastifyInstance } from 'fastify';
import { NrxError } from '../core/errors.js';
import type { ApiTls } from './api-tls.js';
import { buildApp, type ApiDeps } from './app.js';

export interface ListenOptions {
  /** Default 127.0.0.1: the API is reachable from this machine only unless told otherwise. */
  host?: string;
  /** Default 8080; 0 picks a free port (tests). */
  port?: number;
  /** Certificate and key: serve https instead of http. */
  tls?: ApiTls | null;
}

/** Build the API and listen; `netreflex serve --host --port` calls this. Close with `app.close()`. */
export async function startApi(deps: ApiDeps, opts: ListenOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp(deps, opts.tls ?? null);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => {});
    throw new NrxError('NRX_ERR_CONFIG', `API cannot listen on ${host}:${port}: ${(e as Error).message}`, { cause: e });
  }
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { app, url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${bound}` };
}
