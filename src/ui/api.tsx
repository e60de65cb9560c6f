// The UI's only way to the appliance: the public REST API under /api/v1 and its SSE stream.
// The login token lives in an HttpOnly cookie (src/api/ui-session.ts); every request names
// itself with the UI header, which is what lets a write use that cookie.

export type Role = 'admin' | 'operator' | 'observer';
export interface Me {
  user: string;
  role: Role;
  grants: { packs?: string[] };
}

export type ExecutionStatus =
  | 'requested'
  | 'scheduled'
  | 'delayed'
  | 'running'
  | 'pending'
  | 'pausing'
  | 'paused'
  | 'resuming'
  | 'canceling'
  | 'succeeded'
  | 'failed'
  | 'timeout'
  | 'canceled'
  | 'abandoned';

export interface Execution {
  id: string;
  action: string;
  runner: string;
  parameters: Record<string, unknown>;
  status: ExecutionStatus;
  result: unknown;
  error: { code: string; message: string } | null;
  parentId: string | null;
  rootId: string;
  taskName: string | null;
  context: { ruleRef?: string; triggerInstanceId?: string; user?: string; rerunOf?: string };
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  log: string[];
}

export interface TaskRun {
  taskKey: string;
  taskName: string;
  itemIndex: number | null;
  status: ExecutionStatus;
  actionRef: string | null;
  executionId: string | null;
  seq: number;
  result: unknown;
}

export interface ExecutionDetail extends Execution {
  tasks: TaskRun[];
  children: Execution[];
}

export interface NrxEvent {
  id: string;
  type: string;
  device?: string | null;
  time: string;
  payload: Record<string, unknown>;
}

export interface Enforcement {
  id: string;
  ruleRef: string;
  triggerInstanceId: string;
  outcome: string;
  executionId: string | null;
  actionRef: string | null;
  reason: string | null;
  time: string;
}

export interface Rule {
  ref: string;
  pack: string;
  name: string;
  description?: string;
  enabled: boolean;
  trigger: { type: string; parameters?: Record<string, unknown> };
  criteria?: Record<string, { type: string; pattern?: unknown }>;
  action: { ref: string; parameters?: Record<string, unknown> };
  [extra: string]: unknown;
}

export interface ActionInfo {
  ref: string;
  pack: string;
  description: string;
  runnerType: string;
  parameters: Record<string, { type?: string | string[]; description?: string; default?: unknown; required?: boolean; secret?: boolean; enum?: unknown[] }>;
}

export interface Host {
  name: string;
  hostname?: string;
  platform?: string;
  groups?: string[];
  data?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface WorkflowSource {
  ref: string;
  kind: 'orquesta' | 'action-chain';
  yaml: string;
  description?: string;
  writable: boolean;
}

export interface WorkflowProblem {
  code: string;
  message: string;
  line?: number;
  field?: string;
  task: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const UI_HEADER = { 'x-netreflex-ui': '1' };

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? UI_HEADER : { ...UI_HEADER, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw new ApiError(res.status, String(json.code ?? `HTTP ${res.status}`), String(json.message ?? res.statusText), json);
  return json as T;
}

export const get = <T,>(url: string) => api<T>('GET', url);
export const post = <T,>(url: string, body: unknown = {}) => api<T>('POST', url, body);
export const put = <T,>(url: string, body: unknown) => api<T>('PUT', url, body);
export const q = (params: Record<string, string | number | undefined | null>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

export const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['succeeded', 'failed', 'timeout', 'canceled', 'abandoned']);

/** What a role may do, as src/auth/roles.ts grants it (the API refuses the rest anyway). */
export function can(me: Me | null, what: 'execute' | 'respond' | 'rules:write' | 'packs:write'): boolean {
  if (!me) return false;
  if (me.role === 'admin') return true;
  return me.role === 'operator' && (what === 'execute' || what === 'respond');
}

export type StreamMessage = { kind: 'event'; data: NrxEvent } | { kind: 'execution'; data: Execution } | { kind: 'enforcement'; data: Enforcement };

/**
 * The live stream (GET /api/v1/stream); the browser reconnects by itself after a drop. `onOpen`
 * runs each time it (re)connects: what changed before that is read from the API there.
 */
export function openStream(params: Record<string, string | undefined>, onMessage: (m: StreamMessage) => void, onOpen?: () => void): () => void {
  const es = new EventSource(`/api/v1/stream${q(params)}`, { withCredentials: true });
  for (const kind of ['event', 'execution', 'enforcement'] as const)
    es.addEventListener(kind, (e) => onMessage({ kind, data: JSON.parse((e as MessageEvent<string>).data) } as StreamMessage));
  if (onOpen) es.addEventListener('open', onOpen);
  return () => es.close();
}
