import http from 'node:http';
import https from 'node:https';
import { NrxError, isNrxError } from '../../core/errors.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';

export const HTTP_REQUEST_RUNNER: RunnerDeclaration = {
  runnerType: 'http-request',
  aliases: [],
  parameters: {
    url: { type: 'string', required: true, description: 'URL of the HTTP endpoint.' },
    method: { type: 'string', default: 'GET', enum: ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'PURGE'] },
    headers: { type: 'object', description: 'Request headers.' },
    body: { type: 'string', description: 'Request body, sent as is.' },
    json: { description: 'Request body sent as JSON (any type); sets Content-Type.' },
    params: { type: 'object', description: 'Query parameters appended to the URL.' },
    cookies: { type: 'object', description: 'Cookies sent with the request.' },
    username: { type: 'string', description: 'User for basic authentication.' },
    password: { type: 'string', secret: true, description: 'Password for basic authentication.' },
    timeout: { type: 'number', default: 60, description: 'Seconds before the request is abandoned.' },
    allow_redirects: { type: 'boolean', default: false, description: 'Follow 3xx redirects.' },
    verify_ssl_cert: { type: 'boolean', default: true, description: 'Verify the server certificate.' },
  },
};

export interface HttpRequestOptions {
  /** Bytes of response body kept (default 10 MiB). */
  maxBodyBytes?: number;
  /** Redirects followed when allow_redirects is true (default 10). */
  maxRedirects?: number;
}

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

/**
 * StackStorm's http-request runner (core.http). Built on node:http/https rather than
 * fetch because `verify_ssl_cert: false` needs a per-request TLS option that Node's fetch
 * does not expose without the undici package.
 */
export class HttpRequestRunner implements Runner {
  readonly runnerType = HTTP_REQUEST_RUNNER.runnerType;
  readonly aliases = HTTP_REQUEST_RUNNER.aliases;
  readonly parameters = HTTP_REQUEST_RUNNER.parameters;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;

  constructor(opts: HttpRequestOptions = {}) {
    this.maxBodyBytes = opts.maxBodyBytes ?? 10 * 1024 * 1024;
    this.maxRedirects = opts.maxRedirects ?? 10;
  }

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    let url: URL;
    try {
      url = buildUrl(params.url, params.params);
    } catch (e) {
      return { status: 'failed', result: null, error: { code: 'NRX_ERR_PARAM_INVALID', message: `action ${action.ref}: ${(e as Error).message}` } };
    }
    const method = typeof params.method === 'string' ? params.method.toUpperCase() : 'GET';
    const headers: Record<string, string> = {};
    if (params.headers && typeof params.headers === 'object') for (const [k, v] of Object.entries(params.headers)) headers[k] = String(v);
    let body: Buffer | undefined;
    if (params.json !== undefined && params.json !== null) {
      body = Buffer.from(JSON.stringify(params.json));
      if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
    } else if (params.body !== undefined && params.body !== null) {
      body = Buffer.from(typeof params.body === 'string' ? params.body : JSON.stringify(params.body));
    }
    if (typeof params.username === 'string' && !hasHeader(headers, 'authorization')) {
      headers.Authorization = `Basic ${Buffer.from(`${params.username}:${typeof params.password === 'string' ? params.password : ''}`).toString('base64')}`;
    }
    if (params.cookies && typeof params.cookies === 'object' && !hasHeader(headers, 'cookie')) {
      headers.Cookie = Object.entries(params.cookies)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('; ');
    }
    const timeoutMs = typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout * 1000 : (action.timeoutMs ?? 60_000);
    const verify = params.verify_ssl_cert !== false;
    const follow = params.allow_redirects === true;

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    try {
      let answer = await this.send(url, method, headers, body, verify, signal);
      for (let hops = 0; follow && isRedirect(answer.statusCode) && answer.headers.location; hops++) {
        if (hops >= this.maxRedirects) throw new NrxError('NRX_ERR_HTTP', `${method} ${url.href}: more than ${this.maxRedirects} redirects`);
        url = new URL(answer.headers.location, url);
        // 303 (and 301/302 after POST, as browsers do) turn into a GET without a body.
        const toGet = answer.statusCode === 303 || ((answer.statusCode === 301 || answer.statusCode === 302) && method === 'POST');
        answer = await this.send(url, toGet ? 'GET' : method, headers, toGet ? undefined : body, verify, signal);
      }
      ctx.log(`${method} ${url.href} -> ${answer.statusCode}`);
      const result = shapeResult(answer);
      const ok = answer.statusCode >= 200 && answer.statusCode < 300;
      return ok
        ? { status: 'succeeded', result }
        : { status: 'failed', result, error: { code: 'NRX_ERR_HTTP', message: `${method} ${url.href} answered ${answer.statusCode}` } };
    } catch (e) {
      if (timeout.signal.aborted || (ctx.signal.aborted && isNrxError(ctx.signal.reason) && ctx.signal.reason.code === 'NRX_ERR_TIMEOUT')) {
        return {
          status: 'timeout',
          result: null,
          error: { code: 'NRX_ERR_TIMEOUT', message: `${method} ${url.href}: no answer within ${timeoutMs / 1000} s` },
        };
      }
      if (ctx.signal.aborted) return { status: 'failed', result: null, error: { code: 'NRX_ERR_CANCELED', message: `${method} ${url.href}: canceled` } };
      const message = isNrxError(e) ? e.message : `${method} ${url.href} failed: ${(e as Error).message}`;
      return { status: 'failed', result: null, error: { code: 'NRX_ERR_HTTP', message } };
    } finally {
      clearTimeout(timer);
    }
  }

  private send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, verify: boolean, signal: AbortSignal): Promise<HttpAnswer> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers,
          signal,
          ...(url.protocol === 'https:' ? { rejectUnauthorized: verify } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let truncated = false;
          res.on('data', (c: Buffer) => {
            if (kept >= this.maxBodyBytes) {
              truncated = true;
              return;
            }
            const part = c.length > this.maxBodyBytes - kept ? c.subarray(0, this.maxBodyBytes - kept) : c;
            if (part.length < c.length) truncated = true;
            chunks.push(part);
            kept += part.length;
          });
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks), truncated }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function buildUrl(raw: unknown, query: unknown): URL {
  if (typeof raw !== 'string' || raw === '') throw new Error("parameter 'url' is required");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`parameter 'url' is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`parameter 'url' must be http or https, got ${url.protocol}`);
  if (query && typeof query === 'object') {
    for (const [k, v] of Object.entries(query)) {
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, typeof one === 'string' ? one : JSON.stringify(one));
    }
  }
  return url;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function isRedirect(code: number): boolean {
  return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** StackStorm's result shape: status_code, body (parsed when the server says JSON), parsed, headers. */
function shapeResult(a: HttpAnswer): Record<string, unknown> {
  const text = a.body.toString('utf8');
  let body: unknown = text;
  let parsed = false;
  if (/\bjson\b/i.test(a.headers['content-type'] ?? '') && !a.truncated) {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      // A server that says JSON and sends something else: keep the text.
    }
  }
  return { status_code: a.statusCode, body, parsed, headers: a.headers, ...(a.truncated ? { body_truncated: true } : {}) };
}
