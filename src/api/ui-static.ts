import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:ui` writes the web UI, found from this module whether it runs from src/ (tsx) or dist/src/ (tsc). */
export function uiBuildDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, 'dist', 'ui');
}

/**
 * The browser may load only this appliance's own scripts, styles and API: no CDN, no inline
 * script, no framing. React Flow sets element styles from script, which style-src allows.
 */
const UI_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The web UI at `/` and its files under `/assets/`. Pages are routed in the URL's fragment
 * (`/#/executions/<id>`), so `/` is the only page the server has to know; the API stays under
 * /api. Without a build the page says how to make one instead of failing.
 */
export async function serveUi(app: FastifyInstance, root = uiBuildDir()): Promise<void> {
  const index = path.join(root, 'index.html');
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    reply.headers(UI_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    if (!existsSync(index))
      return reply
        .status(503)
        .send(`<!doctype html><title>netreflex</title><p>The web UI is not built here: run <code>npm run build:ui</code> (npm ci does it).</p>`);
    return reply.send(readFileSync(index));
  });
  const assets = path.join(root, 'assets');
  if (!existsSync(assets)) return;
  await app.register(fastifyStatic, {
    root: assets,
    prefix: '/assets/',
    wildcard: false,
    decorateReply: false,
    schemaHide: true,
    setHeaders: (reply) => void reply.headers(UI_HEADERS),
  });
}
