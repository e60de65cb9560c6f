import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The cookie that carries a browser's login token. */
export const SESSION_COOKIE = 'nrx_session';
/** The header the web UI sends on every request; a cross-site form or image cannot send it. */
export const UI_HEADER = 'x-netreflex-ui';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Browser sessions on top of the login tokens, so no script ever holds the token:
 * - `POST /api/v1/auth/login` with the UI header answers as usual but puts the token in an
 *   HttpOnly, Secure, SameSite=Strict cookie and leaves it out of the body;
 * - a request without a credential header but with that cookie is read as `Authorization:
 *   Bearer <token>`: GETs (EventSource cannot add headers) and, against cross-site request
 *   forgery, writes only when they carry the UI header as well;
 * - `POST /api/v1/auth/logout` revokes the token and clears the cookie.
 * Must be installed before the auth hook, which then sees an ordinary bearer token.
 */
export async function installUiSession(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  app.addHook('onRequest', async (req) => {
    if (req.headers.authorization || req.headers['x-api-key']) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    if (!SAFE_METHODS.has(req.method) && req.headers[UI_HEADER] === undefined) return;
    req.headers.authorization = `Bearer ${token}`;
  });
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const route = req.routeOptions.url;
    if (route === '/api/v1/auth/logout' && req.cookies[SESSION_COOKIE]) {
      reply.clearCookie(SESSION_COOKIE, cookieOptions());
      return payload;
    }
    if (route !== '/api/v1/auth/login' || reply.statusCode !== 200 || req.headers[UI_HEADER] === undefined) return payload;
    const body = JSON.parse(String(payload)) as { token: string; expiresAt: string };
    const maxAge = Math.max(1, Math.floor((Date.parse(body.expiresAt) - Date.now()) / 1000));
    reply.setCookie(SESSION_COOKIE, body.token, { ...cookieOptions(), maxAge });
    return JSON.stringify({ ...body, token: '(in the session cookie)' });
  });
}

/**
 * Secure always: browsers keep such a cookie over https and on http://127.0.0.1 or localhost
 * only, so from another machine the UI needs TLS (a reverse proxy), never plain http.
 */
function cookieOptions() {
  return { path: '/', httpOnly: true, secure: true, sameSite: 'strict' as const };
}
