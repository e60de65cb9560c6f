import type { RenderBudget } from '../../../core/template-budget.js';
import { equals, hasKey, isDict, kind, newDict, truthy, yaqlText, type Dict } from './values.js';

/**
 * The part of YAQL's standard library that workflows use. Each function takes its receiver
 * (for `x.f()`) or first argument first, as YAQL does: `len($)` and `$.len()` are one
 * function. Functions get plain values and return new ones; they never change their input.
 */

export interface Call {
  args: unknown[];
  kwargs: Record<string, unknown>;
  budget: RenderBudget;
  /** Fail naming the function: `fail('needs a list')` -> "len(): needs a list". */
  fail(message: string): never;
}

export interface Signature {
  /** Positional arguments, receiver included: [min, max] (max -1: any number). */
  arity: [number, number];
  /** Named arguments it takes (`decrypt => true`). */
  kwargs?: readonly string[];
  /** Callable as `f(...)`. */
  func: boolean;
  /** Callable as `x.f(...)`. */
  method: boolean;
}

export interface StdFunction extends Signature {
  run(c: Call): unknown;
}

const both = { func: true, method: true };

function list(c: Call, v: unknown, what = 'its input'): unknown[] {
  if (Array.isArray(v)) return v;
  return c.fail(`${what} must be a list, not ${kind(v)}`);
}

function text(c: Call, v: unknown, what = 'its input'): string {
  if (typeof v === 'string') return v;
  return c.fail(`${what} must be a string, not ${kind(v)}`);
}

function dict(c: Call, v: unknown, what = 'its input'): Dict {
  if (isDict(v)) return v;
  return c.fail(`${what} must be a dict, not ${kind(v)}`);
}

function sized(c: Call, v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  return c.fail(`needs a string, list or dict, not ${kind(v)}`);
}

/** Python's int(): whole numbers from text, truncation from numbers, null is 0. */
function toInt(c: Call, v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return parseInt(v, 10);
  return c.fail(`cannot make an integer of ${typeof v === 'string' ? JSON.stringify(v) : kind(v)}`);
}

function toFloat(c: Call, v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return parseFloat(v);
  return c.fail(`cannot make a number of ${typeof v === 'string' ? JSON.stringify(v) : kind(v)}`);
}

/** Python's str.split: no separator splits on runs of whitespace; maxSplits keeps the rest whole. */
function split(c: Call, s: string, sep: unknown, max: number): string[] {
  const out: string[] = [];
  if (sep === null || sep === undefined) {
    const re = /\S+/g;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      if (max >= 0 && out.length === max) {
        out.push(s.slice(m.index).replace(/\s+$/, ''));
        break;
      }
      out.push(m[0]);
    }
    return out;
  }
  const by = text(c, sep, 'the separator');
  if (by === '') return c.fail('the separator is empty');
  let at = 0;
  for (let i = s.indexOf(by); i !== -1 && (max < 0 || out.length < max); i = s.indexOf(by, at)) {
    out.push(s.slice(at, i));
    at = i + by.length;
    if (out.length > c.budget.limits.maxLoopIterations) return c.fail(`would make more than ${c.budget.limits.maxLoopIterations} pieces`);
  }
  out.push(s.slice(at));
  return out;
}

function replace(c: Call, s: string, from: string, to: string, count: number): string {
  if (from === '') return c.fail('the text to replace is empty');
  let out = '';
  let at = 0;
  let n = 0;
  for (let i = s.indexOf(from); i !== -1 && (count < 0 || n < count); i = s.indexOf(from, at), n++) {
    out += s.slice(at, i) + to;
    at = i + from.length;
    if (out.length > s.length + c.budget.limits.maxOutputChars) return c.fail(`would grow the text by more than ${c.budget.limits.maxOutputChars} characters`);
  }
  return out + s.slice(at);
}

function distinct(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  for (const v of items) {
    if (v === null || typeof v !== 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
    } else if (out.some((o) => equals(o, v))) continue;
    out.push(v);
  }
  return out;
}

function numbers(c: Call, items: unknown[]): number[] {
  return items.map((v) => (typeof v === 'number' ? v : c.fail(`needs numbers, found ${kind(v)}`)));
}

export const STD_FUNCTIONS: Readonly<Record<string, StdFunction>> = {
  len: { arity: [1, 1], ...both, run: (c) => sized(c, c.args[0]) },
  count: { arity: [1, 1], ...both, run: (c) => sized(c, c.args[0]) },
  str: { arity: [1, 1], ...both, run: (c) => yaqlText(c.args[0]) },
  int: { arity: [1, 1], ...both, run: (c) => toInt(c, c.args[0]) },
  float: { arity: [1, 1], ...both, run: (c) => toFloat(c, c.args[0]) },
  bool: {
    arity: [1, 1],
    ...both,
    run: (c) => (typeof c.args[0] === 'string' && c.args[0].toLowerCase() === 'false' ? false : truthy(c.args[0])),
  },
  // list(1, [2, 3]) -> [1, 2, 3]: list arguments are unpacked, as YAQL does.
  list: { arity: [0, -1], func: true, method: false, run: (c) => c.args.flatMap((a) => (Array.isArray(a) ? a : [a])) },
  toList: { arity: [1, 1], ...both, run: (c) => (Array.isArray(c.args[0]) ? [...c.args[0]] : [c.args[0]]) },
  dict: {
    arity: [0, -1],
    kwargs: ['*'],
    func: true,
    method: false,
    run: (c) => {
      const entries: Array<[string, unknown]> = [];
      for (const a of c.args) {
        if (isDict(a)) entries.push(...Object.entries(a));
        else
          for (const pair of list(c, a, 'each argument')) {
            if (!Array.isArray(pair) || pair.length !== 2) return c.fail('a list argument must hold [key, value] pairs');
            entries.push([yaqlText(pair[0] as unknown), pair[1] as unknown]);
          }
      }
      entries.push(...Object.entries(c.kwargs));
      return newDict(entries);
    },
  },
  toUpper: { arity: [1, 1], ...both, run: (c) => text(c, c.args[0]).toUpperCase() },
  toLower: { arity: [1, 1], ...both, run: (c) => text(c, c.args[0]).toLowerCase() },
  trim: { arity: [1, 1], ...both, run: (c) => text(c, c.args[0]).trim() },
  containsKey: { arity: [2, 2], ...both, run: (c) => hasKey(dict(c, c.args[0]), yaqlText(c.args[1])) },
  contains: {
    arity: [2, 2],
    ...both,
    run: (c) =>
      typeof c.args[0] === 'string' ? c.args[0].includes(text(c, c.args[1], 'the text looked for')) : list(c, c.args[0]).some((v) => equals(v, c.args[1])),
  },
  keys: { arity: [1, 1], ...both, run: (c) => Object.keys(dict(c, c.args[0])) },
  values: { arity: [1, 1], ...both, run: (c) => Object.values(dict(c, c.args[0])) },
  items: { arity: [1, 1], ...both, run: (c) => Object.entries(dict(c, c.args[0])) },
  // [a, b].join(', ') and ', '.join([a, b]) are both YAQL.
  join: {
    arity: [2, 2],
    ...both,
    run: (c) => {
      const [a, b] = c.args;
      const [items, sep] = typeof a === 'string' && Array.isArray(b) ? [b, a] : [list(c, a), text(c, b, 'the separator')];
      return items.map(yaqlText).join(sep);
    },
  },
  distinct: { arity: [1, 1], ...both, run: (c) => distinct(list(c, c.args[0])) },
  first: {
    arity: [1, 2],
    ...both,
    run: (c) => {
      const items = list(c, c.args[0]);
      if (items.length) return items[0];
      return c.args.length > 1 ? c.args[1] : c.fail('the list is empty (give a default: first(default))');
    },
  },
  last: {
    arity: [1, 2],
    ...both,
    run: (c) => {
      const items = list(c, c.args[0]);
      if (items.length) return items[items.length - 1];
      return c.args.length > 1 ? c.args[1] : c.fail('the list is empty (give a default: last(default))');
    },
  },
  split: {
    arity: [1, 3],
    ...both,
    run: (c) => split(c, text(c, c.args[0]), c.args[1], c.args[2] === undefined ? -1 : toInt(c, c.args[2])),
  },
  replace: {
    arity: [3, 4],
    ...both,
    run: (c) =>
      replace(
        c,
        text(c, c.args[0]),
        text(c, c.args[1], 'the text to replace'),
        text(c, c.args[2], 'the replacement'),
        c.args[3] === undefined ? -1 : toInt(c, c.args[3]),
      ),
  },
  startsWith: { arity: [2, -1], ...both, run: (c) => c.args.slice(1).some((p) => text(c, c.args[0]).startsWith(text(c, p, 'the prefix'))) },
  endsWith: { arity: [2, -1], ...both, run: (c) => c.args.slice(1).some((p) => text(c, c.args[0]).endsWith(text(c, p, 'the suffix'))) },
  indexOf: {
    arity: [2, 2],
    ...both,
    run: (c) =>
      typeof c.args[0] === 'string' ? c.args[0].indexOf(text(c, c.args[1], 'the text looked for')) : list(c, c.args[0]).findIndex((v) => equals(v, c.args[1])),
  },
  sum: { arity: [1, 1], ...both, run: (c) => numbers(c, list(c, c.args[0])).reduce((a, b) => a + b, 0) },
  max: {
    arity: [1, -1],
    ...both,
    run: (c) => {
      const ns = numbers(c, c.args.length === 1 ? list(c, c.args[0]) : c.args);
      return ns.length ? ns.reduce((a, b) => (b > a ? b : a)) : c.fail('the list is empty');
    },
  },
  min: {
    arity: [1, -1],
    ...both,
    run: (c) => {
      const ns = numbers(c, c.args.length === 1 ? list(c, c.args[0]) : c.args);
      return ns.length ? ns.reduce((a, b) => (b < a ? b : a)) : c.fail('the list is empty');
    },
  },
  isEmpty: { arity: [1, 1], ...both, run: (c) => sized(c, c.args[0]) === 0 },
  abs: { arity: [1, 1], ...both, run: (c) => Math.abs(numbers(c, [c.args[0]])[0]!) },
  // range(stop) and range(start, stop): whole numbers, stop excluded, no more than the render's range limit
  range: {
    arity: [1, 2],
    func: true,
    method: false,
    run: (c) => {
      const [a, b] = c.args.length === 1 ? [0, c.args[0]] : c.args;
      const [start, stop] = [toInt(c, a), toInt(c, b)];
      const n = Math.max(0, stop - start);
      if (n > c.budget.limits.maxRange) return c.fail(`would make ${n} items; the limit is ${c.budget.limits.maxRange}`);
      c.budget.loop(n);
      return Array.from({ length: n }, (_, i) => start + i);
    },
  },
};

/** Functions whose arguments are evaluated by the evaluator itself (lazily, or once per item). */
export const LAZY_FUNCTIONS: Readonly<Record<string, Signature>> = {
  select: { arity: [2, 2], func: false, method: true },
  where: { arity: [2, 2], func: false, method: true },
  coalesce: { arity: [1, -1], func: true, method: false },
};
