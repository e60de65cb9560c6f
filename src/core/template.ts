import nunjucks from './nunjucks.js';
import type { Template } from 'nunjucks';
import { NrxError, type ErrorLocation } from './errors.js';
import { withRender } from './template-budget.js';
import { checkRendered, checkTemplateSource, sandboxEnvironment, sandboxFailure, undefinedRefusal } from './template-sandbox.js';
import { ST2_FILTERS } from './st2-filters.js';
import { installPythonStringEscapes } from './template-strings.js';
import { decryptKvFilter } from './template-datastore.js';
import { renderShellCommand, SHELL_PARAMS, shellQuote } from './shell-command.js';
import { encodeUrlValue, URL_ENCODER, URL_PARAMS, urlSafeSource, type UrlPlace } from './url-template.js';

/**
 * Jinja-syntax templates (nunjucks), rendered only from operator-authored files. Values in
 * the context (event payloads, action results) are data: they are never compiled, so a
 * syslog line that contains `{{ ... }}` stays text.
 *
 * A string that is exactly one expression (`"{{ trigger.count }}"`) renders to the
 * expression's value with its type (number, list, object), as StackStorm and Orquesta do.
 * Orquesta's `<% expr %>` delimiters are accepted as a synonym of `{{ expr }}` for the
 * expressions both languages share (ctx().x, result().y, succeeded(), and/or/not).
 */

// '\w+' in a template stays \w+, as in Jinja (template-strings.ts).
installPythonStringEscapes();

// No loader: include/import/extends have nothing to load (and are refused before compiling).
const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });

env.addFilter('json_dump', (v: unknown) => JSON.stringify(v));
env.addFilter('tojson', (v: unknown) => JSON.stringify(v));
// StackStorm's filters (st2-filters.ts): to_json_string, regex_*, version_*, jsonpath_query, ...
for (const [name, filter] of Object.entries(ST2_FILTERS)) env.addFilter(name, filter as (...args: unknown[]) => unknown);
env.addFilter('int', (v: unknown) => {
  const n = parseInt(String(v), 10);
  return Number.isNaN(n) ? 0 : n;
});
env.addFilter('shell_quote', (v: unknown) => shellQuote(v));
// The datastore's own decryption comes with the context's `st2kv` (template-datastore.ts).
env.addFilter('decrypt_kv', decryptKvFilter);
env.addFilter('bool', (v: unknown) => v === true || v === 'true' || v === 'True' || v === 1 || v === '1' || v === 'yes');

/**
 * A context value that is looked up only when a template uses it (the datastore's `st2kv`
 * reads a key when the expression is rendered). It exposes this symbol as a function that
 * returns the plain value; expression-only templates and filters see that plain value.
 */
export const TEMPLATE_VALUE: unique symbol = Symbol.for('netreflex.template.value');

/** The plain value behind a lazy context value; any other value unchanged. */
export function resolveTemplateValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object') {
    const resolve = (v as { [TEMPLATE_VALUE]?: unknown })[TEMPLATE_VALUE];
    if (typeof resolve === 'function') return (resolve as () => unknown)();
  }
  return v;
}

// Filters receive plain values (a lazy value reaching `| upper` is resolved first); the
// sandbox (template-sandbox.ts) guards names, members, calls, loops and sizes.
sandboxEnvironment(env, resolveTemplateValue);

/**
 * A context may spell expressions its own way: in an Orquesta workflow `<% %>` is YAQL, not
 * Jinja (src/workflows/orquesta/expression-source.ts). A function under this key rewrites each
 * source into the Jinja this module renders before anything reads it; messages quote the
 * source as written. The rewrite must be idempotent (a value may pass through twice).
 */
export const TEMPLATE_SOURCE: unique symbol = Symbol.for('netreflex.template.source');

/**
 * A context under which writing an undefined value is an error (Jinja's StrictUndefined, as
 * Orquesta renders), not empty text or null: `{{ result().missing }}` names 'missing'.
 */
export const TEMPLATE_STRICT: unique symbol = Symbol.for('netreflex.template.strict');

function rewritten(source: string, context: Record<string, unknown>): string {
  const rewrite = (context as Record<symbol, unknown>)[TEMPLATE_SOURCE];
  return typeof rewrite === 'function' ? (rewrite as (s: string) => string)(source) : source;
}

const EXPR_ONLY = /^\s*(?:\{\{([\s\S]*?)\}\}|<%([\s\S]*?)%>)\s*$/;
const HAS_TEMPLATE = /\{\{|\{%|<%/;

interface Compiled {
  /** When the whole string is one expression, the expression text. */
  expr?: string;
  tmpl?: Template;
}

const cache = new Map<string, Compiled>();
const CAPTURE = '__nrx_capture__';

export function isTemplate(s: string): boolean {
  return HAS_TEMPLATE.test(s);
}

function compile(source: string, where: ErrorLocation, shown: string = source): Compiled {
  let c = cache.get(source);
  if (c) return c;
  const only = EXPR_ONLY.exec(source);
  const onlyExpr = only ? (only[1] ?? only[2]) : undefined;
  // An expression-only template must not contain a second expression ("{{a}} and {{b}}").
  const single = onlyExpr !== undefined && !/\}\}|\{\{|%>|<%/.test(onlyExpr);
  const text = single ? `{{ ${CAPTURE}(${onlyExpr}) }}` : source.replace(/<%([\s\S]*?)%>/g, '{{$1}}');
  try {
    checkTemplateSource(text);
    c = { tmpl: new nunjucks.Template(text, env, undefined, true), ...(single ? { expr: onlyExpr!.trim() } : {}) };
  } catch (e) {
    const details = e instanceof NrxError ? { details: e.details } : {};
    // nunjucks' parser can crash on some constructs (a filter followed by `.x`): say so without its JavaScript words
    const why =
      e instanceof NrxError
        ? e.message
        : e instanceof TypeError || e instanceof RangeError
          ? 'the template cannot be parsed (try parentheses around a filter)'
          : (e as Error).message;
    throw new NrxError('NRX_ERR_TEMPLATE', `cannot compile template ${JSON.stringify(shown)}: ${compileMessage(why)}`, {
      location: where,
      cause: e,
      ...details,
    });
  }
  if (cache.size > 50_000) cache.clear();
  cache.set(source, c);
  return c;
}

/** Render one template string. Expression-only strings keep the value's type. */
export function renderString(written: string, context: Record<string, unknown>, where: ErrorLocation = {}): unknown {
  if (!HAS_TEMPLATE.test(written)) return written;
  const source = rewritten(written, context);
  const c = compile(source, where, written);
  // One budget per render; inside renderValue, one for the whole value (template-budget.ts).
  return withRender({}, (budget) => {
    const wasStrict = budget.strictUndefined;
    budget.strictUndefined = (context as Record<symbol, unknown>)[TEMPLATE_STRICT] === true;
    budget.lastMissing = null;
    try {
      if (c.expr !== undefined) {
        let captured: unknown;
        budget.run(() =>
          c.tmpl!.render({
            ...context,
            [CAPTURE]: (v: unknown) => {
              captured = resolveTemplateValue(v);
              return '';
            },
          }),
        );
        if (budget.strictUndefined) {
          if (captured === undefined) throw undefinedRefusal(budget);
          // NaN is what arithmetic on an undefined value gives (Jinja would have failed on it)
          if (typeof captured === 'number' && !Number.isFinite(captured)) throw undefinedRefusal(budget, `the expression gave ${String(captured)}`);
        }
        return checkRendered(captured === undefined ? null : captured, budget, true);
      }
      return checkRendered(
        budget.run(() => c.tmpl!.render(context)),
        budget,
        false,
      );
    } catch (e) {
      const prefix = `cannot render ${JSON.stringify(written)}`;
      throw (
        sandboxFailure(e, budget, prefix, where) ??
        new NrxError('NRX_ERR_TEMPLATE', `${prefix}: ${cleanNunjucksMessage((e as Error).message)}`, { location: where, cause: e })
      );
    } finally {
      budget.strictUndefined = wasStrict;
    }
  });
}

// Shell command lines (`cmd`): values travel as shell variables, see shell-command.ts.
export { SHELL_PARAMS, shellQuote } from './shell-command.js';

/** Render every string inside a value (objects and lists recursively). */
export function renderValue(value: unknown, context: Record<string, unknown>, where: ErrorLocation = {}): unknown {
  return withRender({}, () => renderEach(value, context, where));
}

function renderEach(written: unknown, context: Record<string, unknown>, where: ErrorLocation): unknown {
  if (typeof written === 'string' && HAS_TEMPLATE.test(written)) {
    const value = rewritten(written, context);
    const key = where.field?.split('.').pop();
    if (key !== undefined && SHELL_PARAMS.has(key) && HAS_TEMPLATE.test(value)) {
      return asWritten(written, () =>
        renderShellCommand(value, where, (jinja, ref) =>
          String(
            renderString(`${jinja}\u0000`, { ...context, __nrx_shell_ref: (v: unknown, kind: string) => ref(resolveTemplateValue(v), kind) }, where),
          ).slice(0, -1),
        ),
      );
    }
    // URLs (`url`): each value percent-encoded for the part of the URL it sits in, see url-template.ts.
    if (key !== undefined && URL_PARAMS.has(key) && HAS_TEMPLATE.test(value)) {
      return asWritten(written, () =>
        renderString(
          urlSafeSource(value),
          { ...context, [URL_ENCODER]: (v: unknown, place: UrlPlace) => encodeUrlValue(resolveTemplateValue(v), place) },
          where,
        ),
      );
    }
    return renderString(written, context, where);
  }
  const value = written;
  if (Array.isArray(value)) return value.map((v, i) => renderValue(v, context, { ...where, field: where.field ? `${where.field}[${i}]` : `[${i}]` }));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, context, { ...where, field: where.field ? `${where.field}.${k}` : k });
    return out;
  }
  return value;
}

/** A failure of a rewritten source (shell, URL) quotes the value as the operator wrote it. */
function asWritten<T>(written: string, render: () => T): T {
  try {
    return render();
  } catch (e) {
    // the message carries its location in front; the location is given again below
    const at = e instanceof NrxError ? e.message.indexOf('cannot render "') : -1;
    if (!(e instanceof NrxError) || at === -1) throw e;
    const message = e.message.slice(at).replace(/^cannot render "(?:[^"\\]|\\.)*"/, `cannot render ${JSON.stringify(written)}`);
    throw new NrxError(e.code, message, { location: e.location, details: e.details, cause: e });
  }
}

/** Evaluate a condition (`when:`) to a boolean, Jinja truthiness. */
export function renderCondition(source: unknown, context: Record<string, unknown>, where: ErrorLocation = {}): boolean {
  if (source === undefined || source === null) return true;
  if (typeof source === 'boolean') return source;
  const v = renderValue(source, context, where);
  if (typeof v === 'string') {
    const t = v.trim();
    return t !== '' && t !== 'false' && t !== 'False' && t !== '0' && t !== 'None' && t !== 'null';
  }
  if (Array.isArray(v)) return v.length > 0;
  // an empty dict is false, as in Python (Jinja and YAQL alike)
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length > 0;
  return Boolean(v);
}

function compileMessage(m: string): string {
  return /\b(?:TypeError|RangeError|ReferenceError): /.test(m) ? 'the template cannot be parsed (try parentheses around a filter)' : m;
}

function cleanNunjucksMessage(m: string): string {
  const clean = m
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  // JavaScript's own words ("TypeError: Cannot read properties of null") are not for users.
  const js = /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|InternalError): /.exec(clean);
  if (!js) return clean;
  return `${clean.slice(0, js.index)}a value of the wrong kind for an operator, filter or method (check the types the expression works on)`.trim();
}
