import { NrxError } from '../../core/errors.js';
import { currentRender } from '../../core/template-budget.js';
import { resolveTemplateValue } from '../../core/template.js';
import { TEMPLATE_DECRYPT, type TemplateDecrypt } from '../../core/template-datastore.js';
import type { HostNames } from '../conductor.js';

/**
 * Orquesta's context functions, one implementation for both expression languages: Jinja
 * calls them as `ctx('x')`, `st2kv('system.k', decrypt=true)`; YAQL as `ctx(x)`,
 * `st2kv('system.k', decrypt => true)`. Each takes its positional arguments and its named
 * ones. A name that does not exist (a variable, a task, an item key, a datastore key without
 * a default) is an error naming it, as in orquesta, never a silent null.
 */

/** Task outcomes that count as failure for failed() and the failure path. */
export const FAILURE_OUTCOMES: ReadonlySet<string> = new Set(['failed', 'timeout', 'abandoned']);
export const FINAL_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'timeout', 'abandoned', 'canceled']);

/** What an expression can see at one moment of the run. */
export interface ExpressionScope {
  ctx: Record<string, unknown>;
  env: Record<string, unknown>;
  /** What the host lends for this step (the datastore's `st2kv`), below everything else. */
  names?: HostNames;
  /** Latest run of each task by name, for task_status() and task(). */
  taskByName: (name: string) => { key: string; status: string; result: unknown; error?: { code: string; message: string } | null } | undefined;
  /** The task being evaluated (transition, retry): its outcome and result. */
  current?: { status: string; result: unknown; name?: string };
  /** Inside with-items input: the item and its names (`host, cmd in ...`). */
  item?: { value: unknown; names: string[] };
}

export type ContextFunction = (args: unknown[], kwargs: Record<string, unknown>) => unknown;

/** A context function's refusal; kept by the render so nunjucks' rewrapping does not lose it. */
export function contextError(message: string): NrxError {
  const e = new NrxError('NRX_ERR_TEMPLATE', message);
  currentRender()?.keep(e);
  return e;
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function contextFunctions(scope: ExpressionScope): Record<string, ContextFunction> {
  let draws = 0;
  const current = (fn: string): NonNullable<ExpressionScope['current']> => {
    if (!scope.current) throw contextError(`${fn} is only available where a task has completed (next: when and publish, retry: when)`);
    return scope.current;
  };
  return {
    ctx: ([name]) => {
      // a copy: publishing ctx() into the context must not make it contain itself
      if (name === undefined || name === null) return { ...scope.ctx };
      const key = String(name);
      if (!has(scope.ctx, key)) {
        if (key === 'st2') return st2Context(scope);
        throw contextError(`variable '${key}' is not defined in the workflow context (ctx(${key}))`);
      }
      return scope.ctx[key];
    },
    result: () => current('result()').result,
    succeeded: () => current('succeeded()').status === 'succeeded',
    failed: () => FAILURE_OUTCOMES.has(current('failed()').status),
    completed: () => FINAL_OUTCOMES.has(current('completed()').status),
    item: ([name]) => itemValue(scope.item, name),
    // a task that has not run: orquesta's UNSET status, which is the text 'null'
    task_status: ([name]) => scope.taskByName(String(name))?.status ?? 'null',
    task: ([name]) => {
      if (name === undefined || name === null) {
        const cur = current('task()');
        return { task_id: cur.name ?? null, route: 0, name: cur.name ?? null, status: cur.status, result: cur.result };
      }
      const t = scope.taskByName(String(name));
      if (!t) throw contextError(`task(${String(name)}): no task named '${String(name)}' has run yet`);
      // `error` ({code, message} or null): a failed action usually leaves no result, and a
      // failure path needs the words to tell a human (st2 puts them in the result as `error`)
      // task_id and route as orquesta names them (route: the branch after a split; 0 here)
      return { task_id: String(name), route: 0, name: String(name), key: t.key, status: t.status, result: t.result, error: t.error ?? null };
    },
    st2kv: ([key], kwargs) => st2kv(scope.names, key, kwargs),
    json: ([text]) => parseJson(text),
    zip: (lists, kwargs) => zipLongest(lists, kwargs.pad ?? null),
    random: (args) => random(scope, args, draws++),
  };
}

/**
 * YAQL's random() (a number in [0, 1)) and random(from, to) (a whole number, both ends
 * included). Conductors are replayed after a restart and must decide the same way twice, so
 * the number is drawn from a generator seeded with the execution, the workflow context and
 * the draw's place in the expression: different between executions, equal on replay.
 */
function random(scope: ExpressionScope, args: unknown[], draw: number): number {
  const ac = scope.env.action_context as { execution_id?: unknown } | undefined;
  let seed = 2166136261;
  for (const c of `${String(ac?.execution_id ?? '')}|${JSON.stringify(scope.ctx).slice(0, 4096)}|${JSON.stringify(args)}|${draw}`) {
    seed = Math.imul(seed ^ c.charCodeAt(0), 16777619);
  }
  // mulberry32, one step
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  if (args.length === 0) return r;
  const [from, to] = args;
  if (!Number.isInteger(from) || !Number.isInteger(to) || (from as number) > (to as number))
    throw contextError('random(from, to) takes two whole numbers, the first not above the second');
  return (from as number) + Math.floor(r * ((to as number) - (from as number) + 1));
}

/**
 * `ctx(st2)`: StackStorm's runtime context of the run, from what the engine gave the workflow
 * (action_context). The API's address is not known to a workflow: api_url is null.
 */
function st2Context(scope: ExpressionScope): Record<string, unknown> {
  const ac = (scope.env.action_context ?? {}) as { execution_id?: unknown; user?: unknown };
  const id = ac.execution_id ?? null;
  return { action_execution_id: id, workflow_execution_id: id, user: ac.user ?? null, api_url: null };
}

function itemValue(item: ExpressionScope['item'], name: unknown): unknown {
  if (!item) throw contextError('item() is only available in the input of a with-items task');
  if (item.names.length === 0) {
    if (name === undefined || name === null) return item.value;
    throw contextError(`item(${String(name)}): the with-items list has no named items (write "items: ${String(name)} in <% ... %>")`);
  }
  const named: Record<string, unknown> = {};
  if (item.names.length === 1) named[item.names[0]!] = item.value;
  else item.names.forEach((n, i) => (named[n] = Array.isArray(item.value) ? (item.value[i] ?? null) : null));
  if (name === undefined || name === null) return named;
  const key = String(name);
  if (!item.names.includes(key)) throw contextError(`item(${key}): no item named '${key}' (names: ${item.names.join(', ')})`);
  return named[key];
}

/**
 * `st2kv('system.key', decrypt => true, default => 'x')` as StackStorm reads it: `system.`
 * names the system scope, any other key is the user's. A secret stays its ciphertext token
 * unless decrypt is true; decrypted values are remembered for masking (kv-template.ts), and
 * a preview for a caller who may not read secrets shows the mask.
 */
function st2kv(names: HostNames | undefined, key: unknown, kwargs: Record<string, unknown>): unknown {
  if (typeof key !== 'string' || key === '') throw contextError("st2kv() takes a key name such as st2kv('system.ntp_server')");
  const decrypt = kwargs.decrypt ?? false;
  if (typeof decrypt !== 'boolean') throw contextError(`st2kv('${key}'): decrypt must be true or false`);
  const root = names && has(names, 'st2kv') ? names.st2kv : undefined;
  if (root === null || typeof root !== 'object') throw contextError(`st2kv('${key}'): this workflow runs without the datastore`);
  const [scope, name] = key.startsWith('system.') ? ['system', key.slice('system.'.length)] : ['user', key];
  const node = (root as Record<string, Record<string, unknown>>)[scope]![name];
  const value = resolveTemplateValue(node);
  if (value === null || value === undefined) {
    if (has(kwargs, 'default')) return kwargs.default;
    throw contextError(`st2kv('${key}'): the datastore has no ${scope} key '${name}' (give a default: st2kv('${key}', default => ''))`);
  }
  if (!decrypt) return value;
  const open = (root as { [TEMPLATE_DECRYPT]?: TemplateDecrypt })[TEMPLATE_DECRYPT];
  if (typeof open !== 'function') throw contextError(`st2kv('${key}'): this datastore cannot decrypt`);
  return open(value);
}

function parseJson(text: unknown): unknown {
  if (text !== null && typeof text === 'object' && !Array.isArray(text)) return text;
  if (typeof text !== 'string') throw contextError('json() takes a JSON string');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw contextError(`json(): the text is not valid JSON (${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)})`);
  }
}

/** Orquesta's zip(): Python's zip_longest, short lists padded with `pad` (null); one list is returned as it is. */
function zipLongest(lists: unknown[], pad: unknown): unknown {
  const arrays = lists.map((l) => (l === null || l === undefined ? [] : l));
  if (arrays.length === 1) return arrays[0];
  for (const a of arrays) if (!Array.isArray(a)) throw contextError('zip() takes lists');
  const n = Math.max(0, ...(arrays as unknown[][]).map((a) => a.length));
  const b = currentRender();
  if (b) b.loop(n);
  return Array.from({ length: n }, (_, i) => (arrays as unknown[][]).map((a) => (i < a.length ? a[i] : pad)));
}
