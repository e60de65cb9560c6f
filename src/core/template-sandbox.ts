import nunjucks from './nunjucks.js';
import type { Environment } from 'nunjucks';
import { NrxError, type ErrorLocation } from './errors.js';
import { currentRender, type RenderBudget } from './template-budget.js';
import { asText, checkFilterArgs, checkInputs, checkResult, safeMethod, textSize } from './template-values.js';

/**
 * nunjucks compiles templates to JavaScript and is no sandbox: `range.constructor("...")()`
 * would run any code. Templates here come from people with different rights (an observer in
 * the rule tester, an admin's API rule, a pack), so the compiled code's runtime hooks are
 * replaced with checking ones, and the source is checked before it is compiled:
 *   - names and members that lead to the prototype chain are refused (`constructor`,
 *     `__proto__`, ...), however they are spelled (`x['con' ~ 'structor']`);
 *   - a function is opaque: nothing may be looked up on it (`range.call`), and a function
 *     reached as a member is callable only when it is a data method of text, lists or numbers
 *     (`'a,b'.split(',')`) or a plain object's own function;
 *   - only the context's own names and the template globals are visible (`process`,
 *     `require`, `toString` are undefined);
 *   - include, import and extends are refused (there are no template files to load), and so
 *     are regular expression literals (they could backtrack without end);
 *   - every loop, call and written value counts against the render's budget (template-budget.ts).
 */

/** Members that lead to constructors and prototypes. */
export const BLOCKED_MEMBERS: ReadonlySet<string> = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Keys a dict literal may not have: they would set its prototype or hook its conversion to text. */
const BLOCKED_DICT_KEYS: ReadonlySet<string> = new Set([...BLOCKED_MEMBERS, 'toString', 'valueOf', 'toJSON', 'toLocaleString']);

/** Names that are always undefined in a template, whatever the context holds. */
export const HIDDEN_NAMES: ReadonlySet<string> = new Set([
  'process',
  'global',
  'globalThis',
  'require',
  'module',
  'exports',
  'Function',
  'eval',
  'Buffer',
  'import',
  '__dirname',
  '__filename',
]);

const FUNCTION_CONSTRUCTORS: ReadonlySet<unknown> = new Set([
  Function,
  Object.getPrototypeOf(async function () {}).constructor,
  Object.getPrototypeOf(function* () {}).constructor,
  Object.getPrototypeOf(async function* () {}).constructor,
  eval,
]);

/** The sandbox's refusal: NRX_ERR_TEMPLATE naming what was refused. */
export function refusal(message: string, details: Record<string, unknown>): NrxError {
  const e = new NrxError('NRX_ERR_TEMPLATE', message, { details });
  currentRender()?.keep(e);
  return e;
}

function blocked(name: string): NrxError {
  return refusal(`template may not reach '${name}'`, { blocked: name });
}

// ---- before compiling ----------------------------------------------------------------

interface AstNode {
  typename: string;
  fields: string[];
  value?: unknown;
  lineno: number;
  colno: number;
  [field: string]: unknown;
}

const LOADING_TAGS: Readonly<Record<string, string>> = { Include: 'include', Import: 'import', FromImport: 'from ... import', Extends: 'extends' };

/**
 * Refuse, before compiling, what no template may write: blocked names, blocked dict keys,
 * blocked literal members, template loading and regular expression literals. Runtime hooks
 * catch the computed spellings; this gives the early error with its line.
 */
export function checkTemplateSource(source: string): void {
  const parse = (nunjucks as unknown as { parser: { parse(src: string, ext?: unknown[], opts?: unknown): AstNode } }).parser.parse;
  walk(parse(source, [], {}), (node, parent) => {
    const at = ` (line ${node.lineno + 1})`;
    const tag = LOADING_TAGS[node.typename];
    if (tag) throw refusal(`templates may not load other templates ({% ${tag} %})${at}`, { blocked: tag });
    if (node.typename === 'Symbol' && typeof node.value === 'string' && BLOCKED_MEMBERS.has(node.value))
      throw refusal(`template may not reach '${node.value}'${at}`, { blocked: node.value });
    if (node.typename === 'Literal' && node.value instanceof RegExp)
      throw refusal(`templates may not use regular expression literals (r/.../); use regex_match, regex_search or regex_replace${at}`, {
        blocked: 'regex literal',
      });
    if (node.typename !== 'Literal' || typeof node.value !== 'string' || !parent) return;
    if (parent.typename === 'LookupVal' && parent.val === node && BLOCKED_MEMBERS.has(node.value))
      throw refusal(`template may not reach '${node.value}'${at}`, { blocked: node.value });
    if (parent.typename === 'Pair' && parent.key === node && BLOCKED_DICT_KEYS.has(node.value))
      throw refusal(`a dict may not have the key '${node.value}'${at}`, { blocked: node.value });
  });
}

function walk(node: AstNode, visit: (node: AstNode, parent: AstNode | null) => void, parent: AstNode | null = null): void {
  visit(node, parent);
  for (const f of node.fields) {
    const v = node[f];
    const children = Array.isArray(v) ? v : [v];
    for (const c of children) if (isNode(c)) walk(c, visit, node);
  }
}

function isNode(v: unknown): v is AstNode {
  return v !== null && typeof v === 'object' && typeof (v as AstNode).typename === 'string' && Array.isArray((v as AstNode).fields);
}

// ---- runtime hooks -------------------------------------------------------------------

interface Frame {
  lookup(name: string): unknown;
  set(name: string, value: unknown, resolveUp?: boolean): void;
}
interface NunjucksContext {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}
interface Runtime {
  Frame: { prototype: Frame };
  memberLookup(obj: unknown, key: unknown): unknown;
  callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown;
  contextOrFrameLookup(context: NunjucksContext, frame: Frame, name: string): unknown;
  fromIterator(v: unknown): unknown;
  suppressValue(v: unknown, autoescape: boolean): unknown;
}

const runtime = nunjucks.runtime as unknown as Runtime;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  currentRender()?.tick();
  // One spelling for the check and the access: ['constructor'] as a key is 'constructor'.
  const name = typeof key === 'number' ? key : String(key);
  if (typeof name === 'string' && BLOCKED_MEMBERS.has(name)) throw blocked(name);
  if (typeof obj === 'function') throw refusal(`template may not look inside a function (.${String(name)})`, { blocked: String(name) });
  const value = (obj as Record<string | number, unknown>)[name];
  if (value === undefined) noteMissing(String(name));
  if (typeof value !== 'function') return value;
  const method = safeMethod(obj, name, value as (...a: unknown[]) => unknown);
  if (!method)
    throw refusal(`template may not use '${String(name)}' of ${kindOf(obj)}: only data methods of text and lists can be called`, { blocked: String(name) });
  return method;
}

function kindOf(v: unknown): string {
  if (asText(v) !== null) return 'text';
  if (Array.isArray(v)) return 'a list';
  return v !== null && typeof v === 'object' ? 'an object' : typeof v;
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  currentRender()?.call();
  // Our words, kept by the render (nunjucks would prefix its own 'Error:')
  if (!fn) throw refusal(`Unable to call \`${name}\`: there is no function by that name here`, { call: name });
  if (typeof fn !== 'function') throw refusal(`Unable to call \`${name}\`: it is a value, not a function`, { call: name });
  if (FUNCTION_CONSTRUCTORS.has(fn)) throw blocked(name);
  return (fn as (...a: unknown[]) => unknown).apply(context, args);
}

/** Frame variables, then the context's own names, then the globals: never Object.prototype. */
function contextOrFrameLookup(context: NunjucksContext, frame: Frame, name: string): unknown {
  currentRender()?.tick();
  const v = frame.lookup(name);
  if (v !== undefined) return v;
  if (HIDDEN_NAMES.has(name) || BLOCKED_MEMBERS.has(name)) return undefined;
  if (has(context.ctx, name)) return context.ctx[name];
  const g = context.env.globals;
  if (has(g, name)) return g[name];
  noteMissing(name);
  return undefined;
}

function noteMissing(name: string): void {
  const b = currentRender();
  if (b?.strictUndefined) b.lastMissing = name;
}

/** Writing an undefined value where the render is strict (Orquesta): an error naming what was missing. */
export function undefinedRefusal(b: RenderBudget, gave?: string): NrxError {
  const what = b.lastMissing === null ? 'a value' : `'${b.lastMissing}'`;
  const message = gave === undefined ? `${what} is undefined (no such variable or key)` : `${gave}${b.lastMissing === null ? '' : ` (${what} is undefined)`}`;
  return b.keep(new NrxError('NRX_ERR_TEMPLATE', message, { details: { undefined: b.lastMissing } }));
}

/** An object a template writes into text: lazy values (st2kv) as their text, plain data as JSON, never [object Object]. */
function objectText(v: object): string {
  const lazy = (v as Record<symbol, unknown>)[Symbol.for('netreflex.template.value')];
  if (typeof lazy === 'function') return String(v);
  const plain = Array.isArray(v) ? v.some((e) => e !== null && typeof e === 'object') : isPlainData(v);
  return plain ? JSON.stringify(v) : String(v);
}

function isPlainData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const originalFromIterator = runtime.fromIterator;

/** Every loop calls this once before it starts: its length is counted then, before any work. */
function fromIterator(v: unknown): unknown {
  const b = currentRender();
  if (!b) return originalFromIterator(v);
  const text = asText(v);
  if (text !== null) b.loop(text.length);
  else if (v instanceof Map || v instanceof Set) b.loop(v.size);
  const out = originalFromIterator(v);
  if (Array.isArray(out)) {
    if (text === null) b.loop(out.length);
  } else if (out !== null && typeof out === 'object') b.loop(Object.keys(out).length);
  return out;
}

const originalSuppressValue = runtime.suppressValue;

/** Every value written into the text: measured before it becomes text. */
function suppressValue(v: unknown, autoescape: boolean): unknown {
  // A function is not data: it prints as a word, never as its source.
  if (typeof v === 'function') return originalSuppressValue('[function]', autoescape);
  const b = currentRender();
  if (b && v === undefined && b.strictUndefined) throw undefinedRefusal(b);
  if (b && v !== null && v !== undefined && typeof v === 'object' && asText(v) === null) {
    // Measured before it becomes text (the walk stops at the limit), then converted once.
    b.output(textSize(v, b.limits.maxOutputChars + 1));
    const s = objectText(v);
    b.output(s.length);
    return originalSuppressValue(s, autoescape);
  }
  if (b) b.output(textSize(v, b.limits.maxOutputChars + 1));
  return originalSuppressValue(v, autoescape);
}

let installed = false;

/** Put the checking hooks into the nunjucks runtime (once per process; every template uses them). */
function installRuntimeHooks(): void {
  if (installed) return;
  installed = true;
  runtime.memberLookup = memberLookup;
  runtime.callWrap = callWrap;
  runtime.contextOrFrameLookup = contextOrFrameLookup;
  runtime.fromIterator = fromIterator;
  runtime.suppressValue = suppressValue;
  const proto = runtime.Frame.prototype;
  const set = proto.set;
  // `{% set %}`, loop variables and macro arguments: none may be named for the prototype chain.
  // Every loop iteration sets loop.index, so this is also where a long loop meets the clock.
  proto.set = function (this: Frame, name: string, value: unknown, resolveUp?: boolean): void {
    currentRender()?.tick();
    for (const part of name.split('.')) if (BLOCKED_MEMBERS.has(part)) throw blocked(part);
    set.call(this, name, value, resolveUp);
  };
}

// ---- environment: globals, filters, tests --------------------------------------------

/** range() as nunjucks has it, refusing more than maxRange items before making any. */
function range(start: unknown, stop?: unknown, step?: unknown): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
    step = 1;
  } else if (!step) step = 1;
  const a = Number(start);
  const z = Number(stop);
  const s = Number(step);
  const span = s > 0 ? (z - a) / s : (a - z) / -s;
  const count = Number.isNaN(span) ? 0 : Math.max(0, Math.ceil(span));
  const b = currentRender();
  const max = b?.limits.maxRange ?? Infinity;
  if (count > max) throw (b as RenderBudget).refuse(`range() would make ${count} items; the limit is ${max}`, 'range', max);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(a + i * s);
  return out;
}

type Filter = (...args: unknown[]) => unknown;
interface SandboxedEnvironment {
  globals: Record<string, unknown>;
  filters: Record<string, Filter>;
  tests: Record<string, Filter>;
  getFilter(name: string): Filter;
  getTest(name: string): Filter;
}

/** A filter counted as a call, with its arguments and result held to the size rules. */
function guardFilter(name: string, f: Filter): Filter {
  return function (this: unknown, ...args: unknown[]): unknown {
    const b = currentRender();
    if (!b) return f.apply(this, args);
    b.call();
    checkInputs(b, name, args);
    const measured = checkFilterArgs(b, name, args);
    let out: unknown;
    try {
      out = f.apply(this, args);
    } catch (e) {
      // A filter's own refusal keeps its words; JavaScript's ('str.toUpperCase is not a function') never reach a user.
      if (e instanceof NrxError) throw b.keep(e);
      throw b.keep(new NrxError('NRX_ERR_TEMPLATE', `the filter '${name}' cannot take ${valueKind(args[0])}`, { details: { filter: name } }));
    }
    checkResult(b, name, out, args, measured);
    return out;
  };
}

function valueKind(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'null' : 'an undefined value';
  if (Array.isArray(v)) return 'a list';
  if (asText(v) !== null) return 'text';
  return typeof v === 'object' ? 'a dict' : `a ${typeof v}`;
}

/**
 * Sandbox an environment: no template loader, globals with a bounded range() and no
 * prototype, filters and tests looked up by their own names only (`| constructor` is not a
 * filter), every filter guarded. `plain` maps filter arguments first (lazy values).
 */
export function sandboxEnvironment(env: Environment, plain: (v: unknown) => unknown): void {
  installRuntimeHooks();
  const e = env as unknown as SandboxedEnvironment;
  const globals = Object.create(null) as Record<string, unknown>;
  globals.range = range;
  globals.cycler = e.globals.cycler;
  globals.joiner = e.globals.joiner;
  e.globals = globals;
  const guarded = new WeakMap<Filter, Filter>();
  e.getFilter = (name: string): Filter => {
    if (!has(e.filters, name)) throw refusal(`filter not found: ${name}`, { filter: name });
    const f = e.filters[name]!;
    let g = guarded.get(f);
    if (!g) {
      g = guardFilter(name, function (this: unknown, ...args: unknown[]) {
        return f.apply(this, args.map(plain));
      });
      guarded.set(f, g);
    }
    return g;
  };
  e.getTest = (name: string): Filter => {
    if (!has(e.tests, name)) throw refusal(`test not found: ${name}`, { test: name });
    return e.tests[name]!;
  };
}

// ---- render results and failures -----------------------------------------------------

/**
 * Check what a render produced: the text against the output limit (its length is known
 * without building it), an expression's value against the value cap.
 */
export function checkRendered(out: unknown, b: RenderBudget, expressionOnly: boolean): unknown {
  // A function is not a value a template hands back to the appliance.
  if (typeof out === 'function') return null;
  const text = asText(out);
  if (text === null) return out;
  if (!expressionOnly) b.output(text.length);
  else if (text.length > b.valueCap) throw b.outputRefusal(text.length, 'the expression');
  return out;
}

/**
 * The NRX_ERR_TEMPLATE for a render the sandbox stopped (with the limit or the refused name
 * in details), or null when the failure is the template's own (a missing filter, a bad call).
 * nunjucks rewraps errors as text, so the sandbox's refusal is recognised by its message.
 */
export function sandboxFailure(e: unknown, b: RenderBudget, prefix: string, where: ErrorLocation): NrxError | null {
  const message = e instanceof Error ? e.message : String(e);
  const position = /\[Line (\d+), Column \d+\]/.exec(message);
  const at = position ? ` (line ${position[1]})` : '';
  const r = b.refusal;
  if (r && (e === r || message.includes(r.message))) {
    return new NrxError('NRX_ERR_TEMPLATE', `${prefix}: ${r.message}${at}`, { location: where, details: r.details, cause: e });
  }
  // Text past V8's longest string: the output limit, reached by a shorter path than counting.
  if (/Invalid string length/.test(message)) {
    const o = b.outputRefusal(null);
    return new NrxError('NRX_ERR_TEMPLATE', `${prefix}: ${o.message}`, { location: where, details: o.details, cause: e });
  }
  return null;
}
