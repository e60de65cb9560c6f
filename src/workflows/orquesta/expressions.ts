import { NrxError } from '../../core/errors.js';
import { isTemplate, renderString } from '../../core/template.js';
import type { HostNames } from '../conductor.js';

/**
 * The expression side of the Orquesta language. Expressions are rendered by
 * src/core/template.ts (Jinja via nunjucks, with `<% %>` as a synonym of `{{ }}`); this
 * module supplies the Orquesta context functions and smooths over the YAQL spellings that
 * real Orquesta workflows use inside `<% %>`, so they load unchanged.
 */

/** Task outcomes that count as failure for failed() and the failure path. */
export const FAILURE_OUTCOMES: ReadonlySet<string> = new Set(['failed', 'timeout', 'abandoned']);
export const FINAL_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'timeout', 'abandoned', 'canceled']);

const BARE_NAME_CALL = /\b(ctx|item|task_status|task)\(\s*([A-Za-z_]\w*)\s*\)/g;

/**
 * Rewrite YAQL spellings inside `<% %>` into their Jinja equivalents:
 * `ctx(name)` -> `ctx('name')` (also item, task_status, task), the single `=` of YAQL
 * equality -> `==`, and keyword arguments `name => value` -> `name=value`. Quoted text inside the expression is left alone. `{{ }}` is Jinja
 * already and is not touched.
 */
export function normaliseExpression(source: string): string {
  if (!source.includes('<%')) return source;
  return source.replace(/<%([\s\S]*?)%>/g, (_all, body: string) => `<%${yaqlToJinja(body)}%>`);
}

function yaqlToJinja(body: string): string {
  let out = '';
  let quote: string | null = null;
  let plain = '';
  const flush = (): void => {
    // YAQL keyword arguments (`decrypt => true`) are Jinja's `decrypt=true`; other lone `=` compare.
    out += plain
      .split('=>')
      .map((part) => part.replace(BARE_NAME_CALL, "$1('$2')").replace(/(^|[^=!<>])=(?!=)/g, '$1=='))
      .join('=');
    plain = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      out += c;
      if (c === '\\' && i + 1 < body.length) out += body[++i];
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      flush();
      quote = c;
      out += c;
    } else plain += c;
  }
  flush();
  return out;
}

/** Normalise every template string inside a value (objects and lists recursively). */
export function normaliseTemplates(value: unknown): unknown {
  if (typeof value === 'string') return normaliseExpression(value);
  if (Array.isArray(value)) return value.map(normaliseTemplates);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normaliseTemplates(v);
    return out;
  }
  return value;
}

/** What an expression can see at one moment of the run. */
export interface ExpressionScope {
  ctx: Record<string, unknown>;
  env: Record<string, unknown>;
  /** What the host lends for this step (the datastore's `st2kv`), below everything else. */
  names?: HostNames;
  /** Latest run of each task by name, for task_status() and task(). */
  taskByName: (name: string) => { key: string; status: string; result: unknown; error?: { code: string; message: string } | null } | undefined;
  /** The task being evaluated (transition, retry): its outcome and result. */
  current?: { status: string; result: unknown };
  /** Inside with-items input: the item and its names (`host, cmd in ...`). */
  item?: { value: unknown; names: string[] };
}

/** Build the template context: host names, env variables, then the Orquesta functions. */
export function expressionContext(scope: ExpressionScope): Record<string, unknown> {
  const cur = scope.current;
  return {
    ...scope.names,
    ...scope.env,
    ctx: (name?: unknown) => {
      if (name === undefined) return scope.ctx;
      const key = String(name);
      // A typo in a variable name is a workflow error, not a silent null.
      if (!Object.prototype.hasOwnProperty.call(scope.ctx, key)) throw new Error(`variable '${key}' is not defined in the workflow context`);
      return scope.ctx[key];
    },
    result: () => (cur ? cur.result : null),
    succeeded: () => cur?.status === 'succeeded',
    failed: () => (cur ? FAILURE_OUTCOMES.has(cur.status) : false),
    completed: () => (cur ? FINAL_OUTCOMES.has(cur.status) : false),
    item: (name?: unknown) => itemValue(scope.item, name),
    task_status: (name: unknown) => scope.taskByName(String(name))?.status ?? null,
    // `error` ({code, message} or null): a failed action usually leaves no result, and a
    // failure path needs the words to tell a human (st2 puts them in the result as `error`)
    task: (name: unknown) => {
      const t = scope.taskByName(String(name));
      return t ? { name: String(name), key: t.key, status: t.status, result: t.result, error: t.error ?? null } : null;
    },
    zip: (...lists: unknown[]) => {
      const arrays = lists.map((l) => (Array.isArray(l) ? l : []));
      const n = arrays.length ? Math.min(...arrays.map((a) => a.length)) : 0;
      return Array.from({ length: n }, (_, i) => arrays.map((a) => a[i]));
    },
  };
}

function itemValue(item: ExpressionScope['item'], name: unknown): unknown {
  if (!item) throw new Error('item() is only available in the input of a with-items task');
  if (item.names.length === 0) {
    if (name === undefined) return item.value;
    throw new Error(`item(${String(name)}): the with-items list has no named items`);
  }
  const named: Record<string, unknown> = {};
  if (item.names.length === 1) named[item.names[0]!] = item.value;
  else item.names.forEach((n, i) => (named[n] = Array.isArray(item.value) ? item.value[i] : null));
  if (name === undefined) return named;
  const key = String(name);
  if (!item.names.includes(key)) throw new Error(`item(${key}): no item named '${key}' (names: ${item.names.join(', ')})`);
  return named[key];
}

/** Every string field that holds a template, with its path, for inspection. */
export function templatesIn(value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; source: string }>): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) out.push({ path, source: value });
  } else if (Array.isArray(value)) value.forEach((v, i) => templatesIn(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) templatesIn(v, [...path, k], out);
}

/**
 * Compile a template by rendering it once against inert stand-ins, so a syntax error is
 * reported at load time with its line. Render-time errors (missing names) are ignored
 * here: they depend on run-time data. Returns the compile error message, if any.
 */
export function compileProblem(source: string): string | null {
  const inert = () => null;
  const stand = {
    ctx: () => ({}),
    result: inert,
    succeeded: inert,
    failed: inert,
    completed: inert,
    item: inert,
    task_status: inert,
    task: inert,
    zip: () => [],
  };
  try {
    renderString(source, stand);
    return null;
  } catch (e) {
    if (e instanceof NrxError && e.message.includes('cannot compile')) return e.message;
    return null;
  }
}
