import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { isNrxError, NrxError } from '../core/errors.js';

/** Login request bodies are small: a larger one is refused before it is read to the end. */
export const LOGIN_BODY_LIMIT = 16 * 1024;

type LoginRequest = FastifyRequest<{ Body: { user: string; password: string } }>;

/**
 * POST /api/v1/auth/login behind the throttle: a locked user name or address gets a 429 with
 * Retry-After and its password is not checked; a wrong password counts against both.
 */
export function guardedLogin(auth: AuthService, throttle = new LoginThrottle()) {
  return async (req: LoginRequest, reply: FastifyReply) => {
    const { user, password } = req.body;
    const verdict = throttle.attempt(user, req.ip ?? 'unknown');
    if (!verdict.allowed) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      const who = verdict.by === 'user' ? `for user '${user}'` : `from ${req.ip ?? 'unknown'}`;
      const err = new NrxError('NRX_ERR_THROTTLED', `too many failed logins ${who}; try again in ${seconds} s`, {
        details: { retryAfterSeconds: seconds, by: verdict.by, failures: verdict.failures },
      });
      return reply.status(429).header('retry-after', String(seconds)).send(err.toJSON());
    }
    try {
      const token = await auth.login(user, password);
      verdict.release('ok');
      return token;
    } catch (e) {
      verdict.release(isNrxError(e) && e.code === 'NRX_ERR_UNAUTHORIZED' ? 'failed' : 'none');
      throw e;
    }
  };
}

/**
 * Every refused login in the appliance log, whatever refused it (schema, body size, password
 * length, throttle, wrong password): user name, source address, status and code, never the
 * password. The audit log has a row for each as well.
 */
export async function logRefusedLogin(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (reply.statusCode < 400) return payload;
  let code: string | undefined;
  let message: string | undefined;
  try {
    ({ code, message } = JSON.parse(String(payload)) as { code?: string; message?: string });
  } catch {
    // not our JSON error body: status alone
  }
  const body = req.body as { user?: unknown } | undefined;
  const user = typeof body?.user === 'string' ? body.user.slice(0, 64) : null;
  req.log.warn({ event: 'login_refused', user, source: req.ip ?? null, status: reply.statusCode, code, reason: message }, 'login refused');
  return payload;
}
