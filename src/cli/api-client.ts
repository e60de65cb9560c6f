import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ERROR_CATALOGUE, NrxError, type ErrorCode } from '../core/errors.js';
import type { ExecutionRecord, RuleEnforcementRecord, TaskRecord, TriggerInstanceRecord } from '../store/records.js';
import { resolveExecutionId } from './execution-id.js';

/**
 * A small typed client for the REST API, for the operator CLI. Where it finds the appliance
 * and the credential, first match wins:
 *   1. flags:       --url, --api-key, --token
 *   2. environment: NETREFLEX_URL, NETREFLEX_API_KEY, NETREFLEX_TOKEN
 *   3. config file: $XDG_CONFIG_HOME/netreflex/config.json (default ~/.config/netreflex/config.json),
 *                   {"url": ..., "apiKey": ...} or {"url": ..., "token": ..., "expiresAt": ...},
 *                   written by `netreflex login` (mode 0600)
 *   4. http://127.0.0.1:8080 (the appliance's default), no credential
 * API errors come back as NrxError with the server's code; an unreachable API is
 * NRX_ERR_API_UNREACHABLE.
 */

export interface ApiClientConfig {
  url: string;
  apiKey?: string;
  token?: string;
}

export interface ClientConfigFile {
  url?: string;
  apiKey?: string;
  token?: string;
  expiresAt?: string;
  user?: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export function clientConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), '.config');
  return path.join(base, 'netreflex', 'config.json');
}

export function readClientConfig(file: string): ClientConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const doc = JSON.parse(text) as unknown;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as ClientConfigFile;
  } catch (e) {
    throw new NrxError('NRX_ERR_CONFIG', `client config is not valid JSON: ${(e as Error).message}`, { location: { file } });
  }
}

/** For `netreflex login`: the file holds a credential, so only its owner may read it. */
export function writeClientConfig(cfg: ClientConfigFile, file: string = clientConfigPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function resolveClientConfig(
  flags: { url?: string; apiKey?: string; token?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
  file: string = clientConfigPath(env),
): ApiClientConfig {
  const fromFile = readClientConfig(file);
  const url = flags.url ?? env.NETREFLEX_URL ?? fromFile.url ?? DEFAULT_API_URL;
  // a credential from a more specific source replaces the whole credential of a less specific one
  const cred =
    flags.apiKey || flags.token
      ? flags
      : env.NETREFLEX_API_KEY || env.NETREFLEX_TOKEN
        ? { apiKey: env.NETREFLEX_API_KEY, token: env.NETREFLEX_TOKEN }
        : fromFile;
  return { url: url.replace(/\/+$/, ''), ...(cred.apiKey ? { apiKey: cred.apiKey } : {}), ...(cred.token ? { token: cred.token } : {}) };
}

export type Query = Record<string, string | number | boolean | undefined>;
export interface Page<T> {
  items: T[];
  next?: string | null;
}
export type ExecutionView = ExecutionRecord & { tasks?: TaskRecord[]; children?: ExecutionRecord[] };
export type EventView = TriggerInstanceRecord & { enforcements?: RuleEnforcementRecord[] };
export interface SseMessage {
  event: string;
  data: unknown;
}

function isErrorCode(c: unknown): c is ErrorCode {
  return typeof c === 'string' && Object.hasOwn(ERROR_CATALOGUE, c);
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly config: ApiClientConfig,
    opts: { fetch?: typeof fetch } = {},
  ) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (json) h['content-type'] = 'application/json';
    if (this.config.apiKey) h['x-api-key'] = this.config.apiKey;
    else if (this.config.token) h.authorization = `Bearer ${this.config.token}`;
    return h;
  }

  private url(p: string, query: Query = {}): string {
    const u = new URL(this.config.url + p);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async send(method: string, p: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    const hasBody = opts.body !== undefined;
    try {
      return await this.fetchImpl(this.url(p, opts.query), {
        method,
        headers: { ...this.headers(hasBody), ...(opts.accept ? { accept: opts.accept } : {}) },
        ...(hasBody ? { body: JSON.stringify(opts.body) } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (e) {
      throw new NrxError(
        'NRX_ERR_API_UNREACHABLE',
        `cannot reach the netreflex API at ${this.config.url}: ${(e as Error).message} (is the appliance running? set --url or NETREFLEX_URL)`,
        { cause: e },
      );
    }
  }

  /** The server's error, with its code, as an NrxError. */
  private async failure(res: Response, what: string): Promise<NrxError> {
    const text = await res.text().catch(() => '');
    let body: { code?: unknown; message?: unknown; details?: unknown; file?: unknown; line?: unknown; field?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: not our API answering
    }
    if (isErrorCode(body.code)) {
      const details = {
        ...(body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : {}),
        httpStatus: res.status,
        ...(body.file !== undefined ? { file: body.file, line: body.line, field: body.field } : {}),
      };
      return new NrxError(body.code, String(body.message ?? `${what} failed`), { details });
    }
    return new NrxError('NRX_ERR_API_UNREACHABLE', `${what}: HTTP ${res.status} from ${this.config.url} is not a netreflex API answer: ${text.slice(0, 200)}`);
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const res = await this.send(method, p, opts);
    if (!res.ok) throw await this.failure(res, `${method} ${p}`);
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('application/json') ? await res.json() : await res.text()) as T;
  }

  /**
   * Read a server-sent-events route until it ends, `onMessage` returns false, or `signal`
   * aborts. Used by `execution tail`, `event tail` and (POST with a body) `exec`.
   */
  async stream(
    p: string,
    onMessage: (m: SseMessage) => boolean | void,
    opts: { query?: Query; signal?: AbortSignal; method?: 'GET' | 'POST'; body?: unknown } = {},
  ): Promise<void> {
    const method = opts.method ?? 'GET';
    const res = await this.send(method, p, { ...opts, accept: 'text/event-stream' });
    if (!res.ok) throw await this.failure(res, `${method} ${p}`);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const m = parseSseBlock(block);
          if (m && onMessage(m) === false) return;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  // ---- typed helpers, one per route the CLI uses

  health = () => this.request<{ status: string }>('GET', '/api/v1/health');
  login = (user: string, password: string) =>
    this.request<{ token: string; expiresAt: string; user: string; role: string }>('POST', '/api/v1/auth/login', { body: { user, password } });
  logout = () => this.request<{ ok: boolean }>('POST', '/api/v1/auth/logout');
  whoami = () => this.request<{ user: string; role: string; grants: Record<string, unknown>; via?: string }>('GET', '/api/v1/auth/whoami');

  listEvents = (q: { type?: string; limit?: number; before?: string } = {}) => this.request<Page<TriggerInstanceRecord>>('GET', '/api/v1/events', { query: q });
  getEvent = (id: string) => this.request<EventView>('GET', `/api/v1/events/${enc(id)}`);
  emitEvent = (type: string, payload: Record<string, unknown>, device?: string) =>
    this.request<{ id: string; traceId: string }>('POST', '/api/v1/events', { body: { type, payload, ...(device ? { device } : {}) } });
  listTriggerTypes = () => this.request<Page<{ ref: string; description: string; payloadSchema: unknown }>>('GET', '/api/v1/triggertypes');

  listRules = (q: { pack?: string; trigger?: string; enabled?: boolean } = {}) =>
    this.request<Page<Record<string, unknown>>>('GET', '/api/v1/rules', { query: q });
  getRule = (ref: string) => this.request<Record<string, unknown>>('GET', `/api/v1/rules/${enc(ref)}`);
  createRule = (rule: string | Record<string, unknown>) => this.request<Record<string, unknown>>('POST', '/api/v1/rules', { body: { rule } });
  deleteRule = (ref: string) => this.request<{ ok: boolean }>('DELETE', `/api/v1/rules/${enc(ref)}`);
  setRuleEnabled = (ref: string, enabled: boolean) =>
    this.request<Record<string, unknown>>('POST', `/api/v1/rules/${enc(ref)}/${enabled ? 'enable' : 'disable'}`);
  testRule = (rule: string | Record<string, unknown>, event: Record<string, unknown>) =>
    this.request<{ exitCode: 0 | 1 | 2; matched: boolean } & Record<string, unknown>>('POST', '/api/v1/rules/test', { body: { rule, event } });

  listActions = (q: { pack?: string } = {}) => this.request<Page<Record<string, unknown>>>('GET', '/api/v1/actions', { query: q });
  getAction = (ref: string) => this.request<Record<string, unknown>>('GET', `/api/v1/actions/${enc(ref)}`);

  runAction = (action: string, parameters: Record<string, unknown> = {}) =>
    this.request<ExecutionRecord>('POST', '/api/v1/executions', { body: { action, parameters } });
  listExecutions = (q: { status?: string; action?: string; parent?: string; rule?: string; limit?: number; before?: string } = {}) =>
    this.request<Page<ExecutionRecord>>('GET', '/api/v1/executions', { query: q });
  /** The full id for a unique prefix of one (as git takes a prefix of a commit); see execution-id.ts. */
  executionId = (idOrPrefix: string) => resolveExecutionId(idOrPrefix, async (before, limit) => (await this.listExecutions({ before, limit })).items);
  getExecution = async (id: string) => this.request<ExecutionView>('GET', `/api/v1/executions/${enc(await this.executionId(id))}`);
  controlExecution = async (id: string, op: 'cancel' | 'pause' | 'resume') =>
    this.request<ExecutionRecord>('POST', `/api/v1/executions/${enc(await this.executionId(id))}/${op}`);
  rerunExecution = async (id: string, parameters?: Record<string, unknown>) =>
    this.request<ExecutionRecord>('POST', `/api/v1/executions/${enc(await this.executionId(id))}/rerun`, { body: parameters ? { parameters } : {} });
  tailExecution = async (id: string, onMessage: (m: SseMessage) => boolean | void, signal?: AbortSignal) =>
    this.stream(`/api/v1/executions/${enc(await this.executionId(id))}/output`, onMessage, signal ? { signal } : {});
  tailStream = (
    q: { kinds?: string; type?: string; action?: string; execution?: string; device?: string; max?: number },
    onMessage: (m: SseMessage) => boolean | void,
    signal?: AbortSignal,
  ) => this.stream('/api/v1/stream', onMessage, { query: q, ...(signal ? { signal } : {}) });

  listInquiries = () => this.request<Page<ExecutionRecord>>('GET', '/api/v1/inquiries');
  respondInquiry = (id: string, response: Record<string, unknown>) =>
    this.request<ExecutionRecord>('POST', `/api/v1/inquiries/${enc(id)}/respond`, { body: { response } });

  listHosts = (filter?: string) => this.request<Page<Record<string, unknown>>>('GET', '/api/v1/inventory/hosts', { query: { filter } });
  getHost = (name: string) => this.request<Record<string, unknown>>('GET', `/api/v1/inventory/hosts/${enc(name)}`);
  addHost = (host: Record<string, unknown> & { name: string }) => this.request<Record<string, unknown>>('POST', '/api/v1/inventory/hosts', { body: host });
  putHost = (name: string, fields: Record<string, unknown>) =>
    this.request<Record<string, unknown>>('PUT', `/api/v1/inventory/hosts/${enc(name)}`, { body: fields });
  deleteHost = (name: string) => this.request<{ ok: boolean }>('DELETE', `/api/v1/inventory/hosts/${enc(name)}`);
  listGroups = () => this.request<Page<Record<string, unknown>>>('GET', '/api/v1/inventory/groups');
  previewFilter = (q: string) => this.request<{ filter: string; count: number; names: string[] }>('GET', '/api/v1/inventory/filter', { query: { q } });
  importNetbox = (source: { url?: string; json?: unknown; token?: string }) =>
    this.request<{ hosts: number; groups: number; errors: unknown[] }>('POST', '/api/v1/inventory/import/netbox', { body: source });
  syncInventory = (opts: { dir?: string; direction?: 'import' | 'export' } = {}) =>
    this.request<{ hosts: number; groups: number; added?: string[]; removed?: string[] }>('POST', '/api/v1/inventory/sync', { body: opts });
  execOnDevices = (
    body: { what: string; on: string; concurrency?: number; timeout?: number },
    onMessage: (m: SseMessage) => boolean | void,
    signal?: AbortSignal,
  ) => this.stream('/api/v1/inventory/exec', onMessage, { method: 'POST', body, ...(signal ? { signal } : {}) });

  listKeys = (scope = 'system', prefix?: string, decrypt = false) =>
    this.request<Page<Record<string, unknown>>>('GET', '/api/v1/keys', { query: { scope, prefix, decrypt: decrypt || undefined } });
  getKey = (scope: string, key: string, decrypt = false) =>
    this.request<{ scope: string; key: string; value: string; secret: boolean }>('GET', `/api/v1/keys/${enc(scope)}/${enc(key)}`, {
      query: { decrypt: decrypt || undefined },
    });
  setKey = (scope: string, key: string, value: string, opts: { encrypt?: boolean; ttl?: number } = {}) =>
    this.request<Record<string, unknown>>('PUT', `/api/v1/keys/${enc(scope)}/${enc(key)}`, { body: { value, ...opts } });
  deleteKey = (scope: string, key: string) => this.request<{ ok: boolean }>('DELETE', `/api/v1/keys/${enc(scope)}/${enc(key)}`);

  listPacks = () => this.request<Page<Record<string, unknown>>>('GET', '/api/v1/packs');
  installPack = (source: string, force = false) =>
    this.request<Record<string, unknown>>('POST', '/api/v1/packs/install', { body: { source, ...(force ? { force } : {}) } });
  removePack = (ref: string) => this.request<{ ok: boolean }>('DELETE', `/api/v1/packs/${enc(ref)}`);
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function parseSseBlock(block: string): SseMessage | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return null;
  const text = data.join('\n');
  try {
    return { event, data: JSON.parse(text) as unknown };
  } catch {
    return { event, data: text };
  }
}
