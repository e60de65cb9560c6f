import { NrxError } from '../core/errors.js';
import { compileGlob } from './glob.js';
import { pythonRegex, type PythonRegexOptions } from './patterns.js';
import { pyContains, pyEquals, pyLessThan, pyTypeName, requireString } from './values.js';

/**
 * StackStorm's criteria operators, by name (case-insensitive) with their short aliases.
 * Each is a predicate `(value, pattern, env) -> boolean`; an operator that cannot apply
 * (a string compared with a number, a bad regex) throws NRX_ERR_CRITERIA, which the
 * caller turns into "criterion not matched" with the reason kept. Regexes and globs run
 * in linear time (patterns.ts, glob.ts): a rule cannot stall the appliance.
 */

export type SearchCondition = 'any' | 'all' | 'all2any' | 'any2any';

export interface OperatorEnv {
  /** Milliseconds since the epoch, for timediff_*. */
  now: number;
  /** `condition` of a search criterion. */
  condition?: unknown;
  /** For search: test one list item against the nested criteria, needing all or any of them. */
  matchItem?: (item: unknown, need: 'all' | 'any') => boolean;
}

export interface Operator {
  /** Canonical StackStorm name. */
  name: string;
  /** Most operators are false when the pattern is null; exists/nexists/nequals are not. */
  usesPattern: boolean;
  test(value: unknown, pattern: unknown, env: OperatorEnv): boolean;
  /** Check a static pattern when the rule loads (regex syntax, glob syntax). */
  validate?(pattern: unknown): void;
}

function fail(message: string): never {
  throw new NrxError('NRX_ERR_CRITERIA', message);
}

const lower = (v: unknown, op: string, role: 'value' | 'pattern'): string => requireString(v, op, role).toLowerCase();

const ISO_WITHOUT_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** Seconds from a timestamp until now; a timestamp without a zone is UTC, as in StackStorm. */
function secondsSince(value: unknown, now: number, op: string): number {
  const text = requireString(value, op, 'value').trim();
  const naive = ISO_WITHOUT_ZONE.exec(text);
  const t = Date.parse(naive ? `${naive[1]}T${naive[2]}Z` : text.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T'));
  if (Number.isNaN(t)) fail(`${op}: cannot parse ${JSON.stringify(text)} as a date/time`);
  return (now - t) / 1000;
}

/** Seconds in a timediff pattern: a number (or, leniently, a numeric string). */
function periodSeconds(pattern: unknown, op: string): number {
  if (typeof pattern === 'number') return pattern;
  if (typeof pattern === 'string' && pattern.trim() !== '' && Number.isFinite(Number(pattern))) return Number(pattern);
  return fail(`${op} needs a number of seconds as pattern, got ${pyTypeName(pattern)}`);
}

function searchItems(value: unknown, _pattern: unknown, env: OperatorEnv): boolean {
  const items = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object'
      ? [value]
      : fail(`search needs a list or an object, got ${pyTypeName(value)}`);
  const match = env.matchItem ?? fail('search needs nested criteria in its pattern');
  switch (env.condition) {
    case 'any':
      return items.some((i) => match(i, 'all'));
    case 'all':
      return items.every((i) => match(i, 'all'));
    case 'all2any':
      return items.every((i) => match(i, 'any'));
    case 'any2any':
      return items.some((i) => match(i, 'any'));
    default:
      return fail(`unknown search condition ${JSON.stringify(env.condition ?? null)} (use any, all, all2any or any2any)`);
  }
}

function op(name: string, test: Operator['test'], extra: Partial<Operator> = {}): Operator {
  return { name, usesPattern: true, test, ...extra };
}

const regexValidate = (flags: PythonRegexOptions) => (p: unknown) => {
  if (typeof p === 'string') pythonRegex(p, flags);
};

const CANONICAL: Operator[] = [
  op('equals', (v, p) => pyEquals(v, p)),
  op('nequals', (v, p) => !pyEquals(v, p), { usesPattern: false }),
  op('iequals', (v, p) => lower(v, 'iequals', 'value') === lower(p, 'iequals', 'pattern')),
  op('contains', (v, p) => pyContains(v, p)),
  op('icontains', (v, p) => lower(v, 'icontains', 'value').includes(lower(p, 'icontains', 'pattern'))),
  op('ncontains', (v, p) => !pyContains(v, p)),
  op('incontains', (v, p) => !lower(v, 'incontains', 'value').includes(lower(p, 'incontains', 'pattern'))),
  op('startswith', (v, p) => requireString(v, 'startswith', 'value').startsWith(requireString(p, 'startswith', 'pattern'))),
  op('istartswith', (v, p) => lower(v, 'istartswith', 'value').startsWith(lower(p, 'istartswith', 'pattern'))),
  op('endswith', (v, p) => requireString(v, 'endswith', 'value').endsWith(requireString(p, 'endswith', 'pattern'))),
  op('iendswith', (v, p) => lower(v, 'iendswith', 'value').endsWith(lower(p, 'iendswith', 'pattern'))),
  op('lessthan', (v, p) => pyLessThan(v, p)),
  op('greaterthan', (v, p) => pyLessThan(p, v)),
  op('matchwildcard', (v, p) => compileGlob(requireString(p, 'matchwildcard', 'pattern')).test(requireString(v, 'matchwildcard', 'value')), {
    validate: (p) => {
      if (typeof p === 'string') compileGlob(p);
    },
  }),
  op(
    'matchregex',
    (v, p) => pythonRegex(requireString(p, 'matchregex', 'pattern'), { dotAll: true, anchored: true }).test(requireString(v, 'matchregex', 'value')),
    { validate: regexValidate({ dotAll: true, anchored: true }) },
  ),
  op('regex', (v, p) => pythonRegex(requireString(p, 'regex', 'pattern')).test(requireString(v, 'regex', 'value')), { validate: regexValidate({}) }),
  op('iregex', (v, p) => pythonRegex(requireString(p, 'iregex', 'pattern'), { ignoreCase: true }).test(requireString(v, 'iregex', 'value')), {
    validate: regexValidate({ ignoreCase: true }),
  }),
  op('timediff_lt', (v, p, env) => secondsSince(v, env.now, 'timediff_lt') < periodSeconds(p, 'timediff_lt')),
  op('timediff_gt', (v, p, env) => secondsSince(v, env.now, 'timediff_gt') > periodSeconds(p, 'timediff_gt')),
  op('exists', (v) => v !== null && v !== undefined, { usesPattern: false }),
  op('nexists', (v) => v === null || v === undefined, { usesPattern: false }),
  op('inside', (v, p) => pyContains(p, v)),
  op('ninside', (v, p) => !pyContains(p, v)),
  op('search', searchItems),
];

const ALIASES: Record<string, string> = {
  eq: 'equals',
  neq: 'nequals',
  ieq: 'iequals',
  lt: 'lessthan',
  gt: 'greaterthan',
  td_lt: 'timediff_lt',
  td_gt: 'timediff_gt',
  in: 'inside',
  nin: 'ninside',
};

const BY_NAME = new Map<string, Operator>();
for (const o of CANONICAL) BY_NAME.set(o.name, o);
for (const [alias, target] of Object.entries(ALIASES)) BY_NAME.set(alias, BY_NAME.get(target)!);

/** Every accepted operator name (canonical names and aliases), lower case. */
export const OPERATOR_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The operator for a name as a rule writes it (any case), or undefined. */
export function getOperator(name: string): Operator | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Apply an operator the way StackStorm does: a null pattern is "no match" for operators
 * that use one. Throws NRX_ERR_CRITERIA when the operator cannot apply.
 */
export function applyOperator(operator: Operator, value: unknown, pattern: unknown, env: OperatorEnv): boolean {
  if (operator.usesPattern && (pattern === null || pattern === undefined)) return false;
  return operator.test(value === undefined ? null : value, pattern, env);
}
