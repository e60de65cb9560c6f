import { NrxError } from '../../core/errors.js';
import { isTemplate, renderString, TEMPLATE_SOURCE, TEMPLATE_STRICT } from '../../core/template.js';
import { contextFunctions, type ContextFunction, type ExpressionScope } from './context-functions.js';
import { JINJA_ST2KV, rewriteExpressions, YAQL_TEXT, YAQL_VALUE, yaqlExpressionsIn } from './expression-source.js';
import { compileYaql, evaluateYaql } from './yaql/evaluate.js';
import { jinjaSt2Functions } from './yaql/st2-functions.js';
import { embeddedText } from './yaql/values.js';

/**
 * The expression side of the Orquesta language: `<% %>` is YAQL (./yaql/), `{{ }}` is Jinja
 * (src/core/template.ts), and both see Orquesta's context functions (context-functions.ts).
 * Workflow strings keep their written form; the context tells the renderer how to read them
 * (expression-source.ts). Every YAQL expression is parsed when the workflow loads, so one
 * outside the supported subset fails the load naming the construct, with file and line.
 */

export { FAILURE_OUTCOMES, FINAL_OUTCOMES, type ExpressionScope } from './context-functions.js';

/**
 * A workflow string as the spec keeps it: as written. (YAQL spellings used to be rewritten
 * into Jinja here; `<% %>` is now evaluated as YAQL.)
 */
export function normaliseExpression(source: string): string {
  return source;
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

/** Jinja passes named arguments as a last object marked `__keywords`. */
function jinjaCall(fn: ContextFunction): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (last !== null && typeof last === 'object' && (last as { __keywords?: unknown }).__keywords === true) {
      const { __keywords: _k, ...kwargs } = last as Record<string, unknown>;
      return fn(args.slice(0, -1), kwargs);
    }
    return fn(args, {});
  };
}

/** Build the template context: host names, env variables, then the Orquesta functions. */
const ST2_JINJA_FUNCTIONS = jinjaSt2Functions();

export function expressionContext(scope: ExpressionScope): Record<string, unknown> {
  const fns = contextFunctions(scope);
  // `$` is a copy of the context for the same reason as ctx() (context-functions.ts)
  const host = { root: { ...scope.ctx }, functions: fns };
  const out: Record<string | symbol, unknown> = {
    ...ST2_JINJA_FUNCTIONS,
    ...scope.names,
    ...scope.env,
    [TEMPLATE_SOURCE]: rewriteExpressions,
    [TEMPLATE_STRICT]: true,
  };
  for (const name of ['ctx', 'result', 'succeeded', 'failed', 'completed', 'item', 'task_status', 'task', 'json', 'zip']) out[name] = jinjaCall(fns[name]!);
  out[JINJA_ST2KV] = jinjaCall(fns.st2kv!);
  // the value is the expression alone: the render's message quotes it already
  out[YAQL_VALUE] = (source: unknown) => evaluateYaql(String(source), host, { quoted: true });
  out[YAQL_TEXT] = (source: unknown) => embeddedText(evaluateYaql(String(source), host));
  return out as Record<string, unknown>;
}

/** Every string field that holds a template, with its path, for inspection. */
export function templatesIn(value: unknown, path: Array<string | number>, out: Array<{ path: Array<string | number>; source: string }>): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) out.push({ path, source: value });
  } else if (Array.isArray(value)) value.forEach((v, i) => templatesIn(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) templatesIn(v, [...path, k], out);
}

/**
 * Check a rewritten workflow string at load: every YAQL expression must parse within the
 * supported subset, and the Jinja must compile (rendered once against inert stand-ins;
 * render-time errors such as missing names depend on run-time data and are ignored here).
 * Returns the problem, if any.
 */
export function compileProblem(source: string): string | null {
  for (const expr of yaqlExpressionsIn(rewriteExpressions(source))) {
    try {
      compileYaql(expr);
    } catch (e) {
      if (e instanceof NrxError) return e.message;
      throw e;
    }
  }
  const inert = () => null;
  const stand: Record<string | symbol, unknown> = {
    ...ST2_JINJA_FUNCTIONS,
    ctx: () => ({}),
    zip: () => [],
    json: () => ({}),
    [TEMPLATE_SOURCE]: rewriteExpressions,
  };
  for (const name of ['result', 'succeeded', 'failed', 'completed', 'item', 'task_status', 'task', JINJA_ST2KV, YAQL_VALUE, YAQL_TEXT]) stand[name] = inert;
  try {
    renderString(source, stand as Record<string, unknown>);
    return null;
  } catch (e) {
    if (e instanceof NrxError && e.message.includes('cannot compile')) return e.message;
    return null;
  }
}
