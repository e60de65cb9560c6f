import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook's caller proves itself (callers are machines, not API users):
 *   token  `X-Netreflex-Token: <secret>`, or `Authorization: Bearer <secret>` (what Alertmanager's
 *          `http_config.authorization.credentials` sends)
 *   hmac   HMAC-SHA256 of the raw body keyed with the secret, hex, in `X-Netreflex-Signature`
 *          or GitHub's `X-Hub-Signature-256`, as `sha256=<hex>` (bare hex accepted too).
 */
export const WEBHOOK_AUTH_MODES = ['token', 'hmac'] as const;
export type WebhookAuthMode = (typeof WEBHOOK_AUTH_MODES)[number];

export const TOKEN_HEADER = 'x-netreflex-token';
export const SIGNATURE_HEADERS = ['x-netreflex-signature', 'x-hub-signature-256'] as const;

export type CallerCheck = { ok: true } | { ok: false; reason: string };

/** A new webhook secret: 32 random bytes, base64url (43 characters, safe in a header). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** `sha256=<hex>` of `body` keyed with `secret`: what a caller of an hmac webhook sends. */
export function signWebhookBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Compare in constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function checkWebhookCaller(
  auth: WebhookAuthMode,
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
): CallerCheck {
  if (auth === 'token') {
    const authz = header(headers, 'authorization');
    const bearer = authz && /^bearer\s+/i.test(authz) ? authz.replace(/^bearer\s+/i, '') : undefined;
    const token = header(headers, TOKEN_HEADER) ?? bearer;
    if (token === undefined || token === '') return { ok: false, reason: 'no X-Netreflex-Token or Authorization: Bearer header' };
    return sameSecret(token.trim(), secret) ? { ok: true } : { ok: false, reason: 'wrong token' };
  }
  const name = SIGNATURE_HEADERS.find((h) => header(headers, h) !== undefined);
  if (!name) return { ok: false, reason: 'no X-Netreflex-Signature or X-Hub-Signature-256 header' };
  const given = header(headers, name)!.trim();
  const m = /^(?:sha256=)?([0-9a-fA-F]{64})$/.exec(given);
  if (!m) return { ok: false, reason: `${name} is not sha256=<64 hex digits>` };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected) ? { ok: true } : { ok: false, reason: `${name} does not match the body` };
}
