import { withRender, type RenderBudget } from '../../../core/template-budget.js';
import { checkInputs, checkResult } from '../../../core/template-values.js';
import { compileSafeRegex } from '../../../core/safe-regex.js';
import { NrxError } from '../../../core/errors.js';
import { yaqlError } from './errors.js';
import { LAZY_FUNCTIONS, STD_FUNCTIONS, type Call, type Signature } from './functions.js';
import { children, parseYaql, type Node } from './parser.js';
import { ST2_FUNCTIONS } from './st2-functions.js';
import { equals, hasKey, isDict, kind, newDict, truthy } from './values.js';

/**
 * Evaluate YAQL expressions. The host (orquesta's expression scope) lends `$` and its
 * functions (ctx(), result(), st2kv()...); everything else is YAQL's own library. Evaluation
 * runs on the render budget of the template it sits in (template-budget.ts): every node is a
 * tick, every call a call, every select/where a loop of its list's length, and every string or
 * list a function makes is held to the same size rules as Jinja's filters.
 */

/** Orquesta's functions: what they take, checked when the workflow loads. */
export const HOST_SIGNATURES: Readonly<Record<string, Signature>> = {
  ctx: { arity: [0, 1], func: true, method: false },
  // route => n (a branch after a split) is accepted; the task's latest run is read
  task: { arity: [0, 1], kwargs: ['route'], func: true, method: false },
  result: { arity: [0, 0], func: true, method: false },
  item: { arity: [0, 1], func: true, method: false },
  succeeded: { arity: [0, 0], func: true, method: false },
  failed: { arity: [0, 0], func: true, method: false },
  completed: { arity: [0, 0], func: true, method: false },
  task_status: { arity: [1, 1], func: true, method: false },
  st2kv: { arity: [1, 1], kwargs: ['decrypt', 'default'], func: true, method: false },
  json: { arity: [1, 1], func: true, method: false },
  zip: { arity: [1, -1], kwargs: ['pad'], func: true, method: false },
  random: { arity: [0, 2], func: true, method: false },
};

export type HostFunction = (args: unknown[], kwargs: Record<string, unknown>) => unknown;

export interface YaqlHost {
  /** What `$` is at the top of the expression (orquesta: the workflow context). */
  root: unknown;
  functions: Readonly<Record<string, HostFunction>>;
}

const LIBRARY = { ...ST2_FUNCTIONS, ...STD_FUNCTIONS };
const SIGNATURES: Readonly<Record<string, Signature>> = { ...LIBRARY, ...LAZY_FUNCTIONS, ...HOST_SIGNATURES };
const CALLABLES = {
  functions: new Set(Object.keys(SIGNATURES).filter((n) => SIGNATURES[n]!.func)),
  methods: new Set(Object.keys(SIGNATURES).filter((n) => SIGNATURES[n]!.method)),
};

/** Keys a dict literal may not have: they would hook how the dict converts to text. */
const BLOCKED_KEYS = new Set(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON', 'toLocaleString']);

const compiled = new Map<string, Node>();

/** Parse and check an expression (the text between `<%` and `%>`); throws NRX_ERR_TEMPLATE naming the construct. */
export function compileYaql(source: string): Node {
  let tree = compiled.get(source);
  if (tree) return tree;
  tree = parseYaql(source, CALLABLES);
  checkCalls(source, tree);
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(source, tree);
  return tree;
}

/** Argument counts and names, at load: `len(a, b)` is refused before anything runs. */
function checkCalls(source: string, root: Node): void {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    stack.push(...children(n));
    if (n.k !== 'call') continue;
    const sig = SIGNATURES[n.name]!;
    const count = n.args.length + (n.recv ? 1 : 0);
    const [min, max] = sig.arity;
    const shown = n.recv ? `.${n.name}()` : `${n.name}()`;
    if (count < min || (max >= 0 && count > max)) {
      const want = max < 0 ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
      const self = n.recv ? ' (the value before the dot counts as the first)' : '';
      throw yaqlError(source, `${shown} takes ${want} argument${want === '1' ? '' : 's'}${self}, not ${count} (column ${n.pos + 1})`, shown);
    }
    for (const [name] of n.kwargs) {
      if (!sig.kwargs?.includes(name) && !sig.kwargs?.includes('*'))
        throw yaqlError(source, `${shown} has no argument named '${name}' (column ${n.pos + 1})`, `${name} =>`);
    }
  }
}

/**
 * Evaluate an expression's text against a host. The result is plain data (never undefined).
 * `quoted`: the render's message already quotes this expression (the value is the expression
 * alone), so failures need not repeat it.
 */
export function evaluateYaql(source: string, host: YaqlHost, opts: { quoted?: boolean } = {}): unknown {
  const tree = compileYaql(source);
  const quote = opts.quoted !== true;
  return withRender({}, (budget) => {
    try {
      return new Evaluator(source, host, budget, quote).eval(tree, host.root) ?? null;
    } catch (e) {
      if (e instanceof NrxError) throw e;
      // Our own code failed (a bug, or a value past what JavaScript can hold): say so without its text.
      throw yaqlError(source, e instanceof RangeError ? 'the value grew past what can be held' : 'the expression could not be evaluated', 'internal', quote);
    }
  });
}

class Evaluator {
  constructor(
    private readonly src: string,
    private readonly host: YaqlHost,
    private readonly b: RenderBudget,
    private readonly quote: boolean,
  ) {}

  private fail(message: string, n: Node, construct?: string): never {
    throw yaqlError(this.src, `${message} (column ${n.pos + 1})`, construct, this.quote);
  }

  eval(n: Node, dollar: unknown): unknown {
    this.b.tick();
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'root':
        return dollar;
      case 'list':
        return n.items.map((x) => this.eval(x, dollar));
      case 'dict':
        return newDict(n.entries.map(([k, v]) => [this.key(this.eval(k, dollar), k), this.eval(v, dollar)]));
      case 'member':
        return this.member(this.eval(n.obj, dollar), n);
      case 'index':
        return this.index(this.eval(n.obj, dollar), this.eval(n.index, dollar), n);
      case 'unary':
        return this.unary(n, this.eval(n.x, dollar));
      case 'bin':
        return this.binary(n, dollar);
      case 'call':
        return this.call(n, dollar);
    }
  }

  private key(k: unknown, n: Node): string {
    if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean') this.fail(`a dict key must be a string or a number, not ${kind(k)}`, n);
    const s = String(k);
    if (BLOCKED_KEYS.has(s)) this.fail(`a dict may not have the key '${s}'`, n, s);
    return s;
  }

  /** `.name`: a dict's key (null when it has none, as YAQL does), or that key of every dict in a list. */
  private member(obj: unknown, n: Extract<Node, { k: 'member' }>): unknown {
    if (obj === null || obj === undefined) {
      if (n.safe) return null;
      return this.fail(`cannot read '${n.name}' of null`, n, `.${n.name}`);
    }
    if (isDict(obj)) return hasKey(obj, n.name) ? obj[n.name] : null;
    if (Array.isArray(obj)) {
      this.b.loop(obj.length);
      return obj.map((item) =>
        isDict(item) ? (hasKey(item, n.name) ? item[n.name] : null) : this.fail(`cannot read '${n.name}' of ${kind(item)} in the list`, n),
      );
    }
    return this.fail(`cannot read '${n.name}' of ${kind(obj)}`, n, `.${n.name}`);
  }

  private index(obj: unknown, i: unknown, n: Node): unknown {
    if (Array.isArray(obj) || typeof obj === 'string') {
      if (typeof i !== 'number' || !Number.isInteger(i)) return this.fail(`a list index must be a whole number, not ${kind(i)}`, n);
      const at = i < 0 ? obj.length + i : i;
      if (at < 0 || at >= obj.length) return this.fail(`index ${i} is out of range (length ${obj.length})`, n, '[]');
      return obj[at];
    }
    if (isDict(obj)) {
      const k = this.key(i, n);
      if (!hasKey(obj, k)) return this.fail(`key '${k}' is not in the dict`, n, '[]');
      return obj[k];
    }
    return this.fail(`cannot index ${kind(obj)}`, n, '[]');
  }

  private unary(n: Extract<Node, { k: 'unary' }>, x: unknown): unknown {
    if (n.op === 'not') return !truthy(x);
    if (typeof x !== 'number') return this.fail(`'${n.op}' needs a number, not ${kind(x)}`, n, n.op);
    return n.op === '-' ? -x : x;
  }

  private binary(n: Extract<Node, { k: 'bin' }>, dollar: unknown): unknown {
    // and/or give one of their operands (Python's rule), and the right one only when needed.
    if (n.op === 'and' || n.op === 'or') {
      const a = this.eval(n.a, dollar);
      if (n.op === 'and' ? !truthy(a) : truthy(a)) return a;
      return this.eval(n.b, dollar);
    }
    const a = this.eval(n.a, dollar);
    const b = this.eval(n.b, dollar);
    switch (n.op) {
      case '=':
        return equals(a, b);
      case '!=':
        return !equals(a, b);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return this.compare(n, a, b);
      case 'in':
        return this.contains(n, b, a);
      case '+':
        return this.plus(n, a, b);
      case '=~':
      case '!~': {
        if (typeof a !== 'string' || typeof b !== 'string') return this.fail(`'${n.op}' matches a string against a pattern string`, n, n.op);
        this.b.call();
        let found: boolean;
        try {
          found = compileSafeRegex(b, { code: 'NRX_ERR_TEMPLATE' }).test(a);
        } catch (e) {
          return this.fail(e instanceof NrxError ? e.message : 'the pattern cannot be used', n, n.op);
        }
        return n.op === '=~' ? found : !found;
      }
      default:
        return this.arithmetic(n, a, b);
    }
  }

  private compare(n: Extract<Node, { k: 'bin' }>, a: unknown, b: unknown): boolean {
    const ok = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
    if (!ok) return this.fail(`cannot compare ${kind(a)} with ${kind(b)} using '${n.op}'`, n, n.op);
    const x = a as number | string;
    const y = b as number | string;
    return n.op === '<' ? x < y : n.op === '>' ? x > y : n.op === '<=' ? x <= y : x >= y;
  }

  private contains(n: Node, container: unknown, v: unknown): boolean {
    if (Array.isArray(container)) {
      this.b.loop(container.length);
      return container.some((x) => equals(x, v));
    }
    if (isDict(container)) return typeof v === 'string' && hasKey(container, v);
    if (typeof container === 'string' && typeof v === 'string') return container.includes(v);
    return this.fail(`'in' needs a list, a dict or a string on its right, not ${kind(container)}`, n, 'in');
  }

  private plus(n: Node, a: unknown, b: unknown): unknown {
    if (typeof a === 'number' && typeof b === 'number') {
      if (!Number.isFinite(a + b)) return this.fail("'+' gives a number out of range", n, '+');
      return a + b;
    }
    const inputs = [a, b];
    checkInputs(this.b, "'+'", inputs);
    let out: unknown;
    if (typeof a === 'string' && typeof b === 'string') out = a + b;
    else if (Array.isArray(a) && Array.isArray(b)) out = [...a, ...b];
    else if (isDict(a) && isDict(b)) out = newDict([...Object.entries(a), ...Object.entries(b)]);
    else {
      const hint = typeof a === 'string' || typeof b === 'string' ? ' (use str() to make text of a value)' : '';
      return this.fail(`cannot add ${kind(b)} to ${kind(a)}${hint}`, n, '+');
    }
    checkResult(this.b, "'+'", out, inputs);
    return out;
  }

  private arithmetic(n: Extract<Node, { k: 'bin' }>, a: unknown, b: unknown): number {
    const v = this.arithmeticValue(n, a, b);
    if (!Number.isFinite(v)) return this.fail(`'${n.op}' gives a number out of range`, n, n.op);
    return v;
  }

  private arithmeticValue(n: Extract<Node, { k: 'bin' }>, a: unknown, b: unknown): number {
    if (typeof a !== 'number' || typeof b !== 'number') return this.fail(`'${n.op}' needs two numbers, not ${kind(a)} and ${kind(b)}`, n, n.op);
    if ((n.op === '/' || n.op === 'mod') && b === 0) return this.fail('division by zero', n, n.op);
    switch (n.op) {
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        // Whole numbers divide to a whole number, as in YAQL (Python's //).
        return Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
      default:
        // Python's modulo takes the divisor's sign.
        return ((a % b) + b) % b;
    }
  }

  private call(n: Extract<Node, { k: 'call' }>, dollar: unknown): unknown {
    this.b.call();
    if (n.name === 'select' || n.name === 'where') {
      const items = this.eval(n.recv!, dollar);
      if (!Array.isArray(items)) return this.fail(`.${n.name}() needs a list, not ${kind(items)}`, n, `.${n.name}()`);
      this.b.loop(items.length);
      const body = n.args[0]!;
      return n.name === 'select' ? items.map((item) => this.eval(body, item)) : items.filter((item) => truthy(this.eval(body, item)));
    }
    if (n.name === 'coalesce') {
      for (const a of n.args) {
        const v = this.eval(a, dollar);
        if (v !== null && v !== undefined) return v;
      }
      return null;
    }
    const args = [...(n.recv ? [this.eval(n.recv, dollar)] : []), ...n.args.map((a) => this.eval(a, dollar))];
    const kwargs = newDict(n.kwargs.map(([k, v]) => [k, this.eval(v, dollar)]));
    const shown = n.recv ? `.${n.name}()` : `${n.name}()`;
    const host = this.host.functions[n.name];
    if (host && Object.prototype.hasOwnProperty.call(this.host.functions, n.name)) return this.hostCall(host, args, kwargs, n);
    const std = Object.prototype.hasOwnProperty.call(LIBRARY, n.name) ? LIBRARY[n.name] : undefined;
    if (!std) return this.fail(`${shown} is not available here`, n, shown);
    checkInputs(this.b, shown, args);
    const c: Call = { args, kwargs, budget: this.b, fail: (m) => this.fail(`${shown}: ${m}`, n, shown) };
    let out: unknown;
    try {
      out = std.run(c);
    } catch (e) {
      // StackStorm's filters fail with their own words: told with the expression
      if (!(e instanceof NrxError) || e.details.language === 'yaql' || e.details.limit !== undefined) throw e;
      const wrapped = yaqlError(this.src, `${shown}: ${e.message} (column ${n.pos + 1})`, shown, this.quote);
      this.b.refusal = wrapped;
      throw wrapped;
    }
    checkResult(this.b, shown, out, args);
    return out;
  }

  /** An Orquesta function: its refusal ("variable 'x' is not defined") is told with the expression. */
  private hostCall(fn: HostFunction, args: unknown[], kwargs: Record<string, unknown>, n: Node): unknown {
    try {
      return fn(args, kwargs) ?? null;
    } catch (e) {
      if (!(e instanceof NrxError) || e.details.language === 'yaql' || e.details.limit !== undefined) throw e;
      const wrapped = yaqlError(this.src, `${e.message} (column ${n.pos + 1})`, e.details.construct as string | undefined, this.quote);
      this.b.refusal = wrapped;
      throw wrapped;
    }
  }
}
