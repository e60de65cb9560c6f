import nunjucks from './nunjucks.js';
import { NrxError } from './errors.js';
import { currentRender, type RenderBudget } from './template-budget.js';

/**
 * What a template may do with the values it reaches: which methods it may call on text and
 * lists, and how much any one operation (a filter, a method) may grow a value. Everything
 * here runs inside a render; every size is measured before the work, or bounded by it.
 */

const SafeString = (nunjucks.runtime as unknown as { SafeString: new (s: string) => { val: string; length: number } }).SafeString;

/** Text-like receivers: plain strings and nunjucks' SafeString (what `| safe` and macros return). */
export function asText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof SafeString) return v.val;
  return null;
}

/** Read-only methods of text: they return text, numbers, booleans or a list of pieces. */
const TEXT_METHODS: ReadonlySet<string> = new Set([
  'at',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'concat',
  'endsWith',
  'includes',
  'indexOf',
  'lastIndexOf',
  'normalize',
  'replace',
  'replaceAll',
  'slice',
  'split',
  'startsWith',
  'substr',
  'substring',
  'toLowerCase',
  'toUpperCase',
  'trim',
  'trimEnd',
  'trimStart',
]);
/** Read-only methods of lists (no push/sort/reverse: a template must not change the data it reads). */
const LIST_METHODS: ReadonlySet<string> = new Set(['at', 'concat', 'includes', 'indexOf', 'join', 'lastIndexOf', 'slice']);
const NUMBER_METHODS: ReadonlySet<string> = new Set(['toFixed', 'toPrecision']);

type Method = (...args: unknown[]) => unknown;

/**
 * The callable a member lookup may hand a template, or null when the function must stay out
 * of reach. Allowed: the data methods above on text, lists and numbers, and functions that
 * are a plain object's own property (the context's, or one the template put in a dict);
 * anything inherited (Object.prototype, Function.prototype) is not.
 */
export function safeMethod(obj: unknown, name: string | number, fn: Method): Method | null {
  const key = String(name);
  const own = obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
  // A function kept in a list or a plain dict (`[range][0]`, the context's own functions).
  if (own && (Array.isArray(obj) || isPlainObject(obj))) return bound(obj, fn);
  const text = asText(obj);
  if (text !== null) return TEXT_METHODS.has(key) ? guardedMethod(text, key, fn) : null;
  if (Array.isArray(obj)) return LIST_METHODS.has(key) ? guardedMethod(obj, key, fn) : null;
  if (typeof obj === 'number') return NUMBER_METHODS.has(key) ? guardedMethod(obj, key, fn) : null;
  return null;
}

function isPlainObject(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Own functions keep their object as `this`, as nunjucks does (cycler().next()). */
function bound(obj: unknown, fn: Method): Method {
  return (...args: unknown[]) => fn.apply(obj, args);
}

function guardedMethod(receiver: string | unknown[] | number, name: string, fn: Method): Method {
  return (...args: unknown[]) => {
    const b = currentRender();
    for (const a of args) {
      // A function argument would be called by the method itself (replace's replacer), outside any count.
      if (typeof a === 'function') throw refuseWith(b, `${name}() takes values, not functions`);
    }
    if (b) {
      b.checkTime();
      const what = `${name}()`;
      const inputs = [receiver, ...args];
      checkInputs(b, what, inputs);
      const e = METHOD_ESTIMATES[name]?.(receiver, args, b);
      if (e?.chars !== undefined) checkGrowth(b, what, e.chars, inputs, e.measured);
      if (e?.items !== undefined) checkItems(b, what, e.items, inputs);
      const out = fn.apply(receiver, args);
      checkResult(b, what, out, inputs, e?.measured);
      return out;
    }
    return fn.apply(receiver, args);
  };
}

function refuseWith(b: RenderBudget | null, message: string): NrxError {
  const e = new NrxError('NRX_ERR_TEMPLATE', message, { details: { blocked: 'function argument' } });
  return b ? b.keep(e) : e;
}

/**
 * Characters a value would take as text or JSON, counted only up to `cap` (the walk stops
 * there, so measuring a huge list costs no more than the cap). Objects that are not plain
 * data (the datastore's st2kv lookups) are measured by converting them.
 */
export function textSize(v: unknown, cap: number, depth = 0): number {
  const t = asText(v);
  if (t !== null) return t.length;
  if (v === null || v === undefined) return 4;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v).length;
  if (typeof v !== 'object') return 0;
  if (depth > 64) return cap + 1;
  let n = 2;
  if (Array.isArray(v)) {
    for (const e of v) {
      n += textSize(e, cap - n, depth + 1) + 1;
      if (n > cap) return n;
    }
    return n;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      n += k.length + 4 + textSize((v as Record<string, unknown>)[k], cap - n, depth + 1);
      if (n > cap) return n;
    }
    return n;
  }
  try {
    return String(v).length;
  } catch {
    return 0;
  }
}

/** A list's or text's own length: what "larger than its input" compares. */
function sizeOf(v: unknown): number {
  const t = asText(v);
  if (t !== null) return t.length;
  return Array.isArray(v) ? v.length : 0;
}

/** No filter or method takes text or a list beyond the value cap (16 x the output limit). */
export function checkInputs(b: RenderBudget, what: string, inputs: unknown[]): void {
  for (const v of inputs) {
    if (sizeOf(v) > b.valueCap) throw b.refuse(`${what}: its input is ${sizeOf(v)} long; the limit is ${b.valueCap}`, 'value size', b.valueCap);
  }
}

/** An operation may make a value at most the output limit larger than its largest input. */
export function checkGrowth(b: RenderBudget, what: string, size: number, inputs: unknown[], measuredInput = 0): void {
  const largest = Math.max(measuredInput, ...inputs.map(sizeOf));
  if (size > largest + b.limits.maxOutputChars) {
    throw b.refuse(
      `${what} would make a value of ${size} characters from ${largest}; it may grow a value by ${b.limits.maxOutputChars} at most`,
      'output size',
      b.limits.maxOutputChars,
    );
  }
}

/** After the work: text against the growth rule, lists against the loop limit (nothing could walk more). */
export function checkResult(b: RenderBudget, what: string, out: unknown, inputs: unknown[], measuredInput = 0): void {
  if (asText(out) !== null) return checkGrowth(b, what, sizeOf(out), inputs, measuredInput);
  if (Array.isArray(out)) checkItems(b, what, out.length, inputs);
}

/** How many times `needle` occurs in `hay`, counting no further than `stop`. */
export function occurrences(hay: string, needle: string, stop: number): number {
  if (needle === '') return hay.length + 1;
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1 && n <= stop; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

interface Estimate {
  /** Characters of a text result. */
  chars?: number;
  /** Items of a list result. */
  items?: number;
  /** The input measured as text, when it is a list (join). */
  measured?: number;
}

/** The size of the result, worked out before running methods whose result can outgrow their input. */
const METHOD_ESTIMATES: Record<string, (receiver: unknown, args: unknown[], b: RenderBudget) => Estimate> = {
  replace: (r, [from, to]) => ({ chars: replaced(String(r), String(from), String(to ?? 'undefined'), 1) }),
  replaceAll: (r, [from, to], b) => ({ chars: replaced(String(r), String(from), String(to ?? 'undefined'), b.valueCap) }),
  concat: (r, args, b) =>
    Array.isArray(r)
      ? { items: r.length + args.reduce<number>((n, a) => n + (Array.isArray(a) ? a.length : 1), 0) }
      : { chars: args.reduce<number>((n, a) => n + textSize(a, b.valueCap), String(r).length) },
  split: (r, [sep, limit], b) => {
    if (sep === undefined) return { items: 1 };
    const pieces = occurrences(String(r), String(sep), b.limits.maxLoopIterations + 1) + (String(sep) === '' ? -1 : 1);
    return { items: typeof limit === 'number' ? Math.min(limit, pieces) : pieces };
  },
  join: (r, [sep], b) => {
    const list = r as unknown[];
    const measured = textSize(list, b.valueCap);
    return { measured, chars: measured + list.length * (sep === undefined ? 1 : String(sep).length) };
  },
};

/** A list an operation makes may not be longer than its longest input list or the loop limit. */
export function checkItems(b: RenderBudget, what: string, items: number, inputs: unknown[]): void {
  const largest = Math.max(0, ...inputs.map((v) => (Array.isArray(v) ? v.length : 0)));
  const max = Math.max(largest, b.limits.maxLoopIterations);
  if (items > max) throw b.refuse(`${what} would make a list of ${items} items; the limit is ${max}`, 'list size', max);
}

/** Length after replacing `from` with `to` (at most `max` times); `dollars`: `$&`, `` $` `` and `$'` repeat text (String.replace does that, nunjucks' filter does not). */
function replaced(text: string, from: string, to: string, max: number, dollars = true): number {
  const n = Math.min(max, occurrences(text, from, max));
  const echoes = dollars ? (to.match(/\$&/g)?.length ?? 0) * from.length + (to.match(/\$[`']/g)?.length ?? 0) * text.length : 0;
  return text.length + n * Math.max(0, to.length + echoes - from.length);
}

/** Limits a filter's arguments must keep before it runs (sizes and counts it would make). */
export function checkFilterArgs(b: RenderBudget, name: string, args: unknown[]): number {
  const [input, a1, a2] = args;
  const count = (v: unknown, what: string, max: number): void => {
    const n = Number(v);
    if (v !== undefined && v !== null && (!Number.isFinite(n) || n > max))
      throw b.refuse(`${name}: ${what} ${String(v)} is above the limit of ${max}`, what, max);
  };
  switch (name) {
    case 'batch':
    case 'slice':
      count(a1, 'count', b.limits.maxLoopIterations);
      return 0;
    case 'center':
      count(a1, 'width', b.limits.maxOutputChars);
      return 0;
    case 'indent': {
      count(a1, 'width', b.limits.maxOutputChars);
      const text = asText(input) ?? '';
      checkGrowth(b, name, text.length + occurrences(text, '\n', b.limits.maxOutputChars) * (Number(a1) || 4), [text]);
      return 0;
    }
    case 'replace': {
      const text = asText(input) ?? String(input ?? '');
      const from = typeof a1 === 'number' ? String(a1) : a1;
      if (typeof from === 'string') checkGrowth(b, name, replaced(text, from, String(a2 ?? ''), b.valueCap, false), [text]);
      return 0;
    }
    case 'list':
      if (asText(input) !== null) count(sizeOf(input), 'characters to split', b.limits.maxLoopIterations);
      return 0;
    case 'join':
    case 'dump':
    case 'tojson':
    case 'to_json_string':
    case 'json_dump':
    case 'to_yaml_string':
    case 'to_complex':
    case 'json_escape':
    case 'string':
    case 'urlencode':
    case 'sum':
    case 'shell_quote': {
      // These turn a whole structure into text: measure it first (the walk stops at the cap).
      const n = textSize(input, b.valueCap + 1) + (name === 'join' && Array.isArray(input) ? input.length * textSize(a1 ?? '', b.valueCap) : 0);
      if (n > b.valueCap) throw b.refuse(`${name}: its input is more than ${b.valueCap} characters as text`, 'value size', b.valueCap);
      return n;
    }
    default:
      return 0;
  }
}
