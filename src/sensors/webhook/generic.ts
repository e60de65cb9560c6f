import { describeValue, malformed, parseJsonBody } from './malformed.js';
import type { DecodedEvent } from './decoded.js';

/** One HTTP request to a webhook, as the decoders see it (no socket, no fastify). */
export interface WebhookRequest {
  method: string;
  /** Lower-case header names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  /** The body exactly as received: HMAC signatures are over these bytes. */
  rawBody: Buffer;
}

/**
 * Headers that carry credentials never reach an event (events are stored and shown to every
 * reader): anything naming auth, tokens, secrets, signatures, cookies or keys.
 */
const CREDENTIAL_HEADER = /auth|token|secret|signature|cookie|api-?key|password|session/i;
const MAX_HEADER_CHARS = 1024;

export function safeHeaders(headers: WebhookRequest['headers']): Record<string, string | string[]> {
  const entries: Array<[string, string | string[]]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CREDENTIAL_HEADER.test(name)) continue;
    entries.push([name.toLowerCase(), Array.isArray(value) ? value.map(clip) : clip(value)]);
  }
  return Object.fromEntries(entries);
}

function clip(s: string): string {
  return s.length > MAX_HEADER_CHARS ? `${s.slice(0, MAX_HEADER_CHARS)}…` : s;
}

function mediaType(headers: WebhookRequest['headers']): string {
  const ct = headers['content-type'];
  const v = Array.isArray(ct) ? ct[0] : ct;
  return (v ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The body as rules see it: JSON (application/json, *+json) parsed, a form
 * (application/x-www-form-urlencoded) as an object, anything else as UTF-8 text; empty -> {}.
 */
export function genericBody(req: WebhookRequest): unknown {
  if (req.rawBody.length === 0) return {};
  const type = mediaType(req.headers);
  if (type === 'application/json' || type.endsWith('+json')) return parseJsonBody(req.rawBody);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(req.rawBody);
  } catch {
    throw malformed('body', `is not UTF-8 text (content-type ${describeValue(type || 'none')})`);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form: Array<[string, string | string[]]> = [];
    const params = new URLSearchParams(text);
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      form.push([key, all.length === 1 ? all[0]! : all]);
    }
    return Object.fromEntries(form);
  }
  return text;
}

/** A generic webhook -> one `core.webhook` event (StackStorm's core.st2.webhook shape). */
export function decodeGenericWebhook(name: string, req: WebhookRequest): DecodedEvent {
  const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined));
  return {
    type: 'core.webhook',
    normalised: true,
    payload: { url: name, method: req.method.toUpperCase(), headers: safeHeaders(req.headers), query, body: genericBody(req) },
  };
}
