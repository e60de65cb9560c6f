import { NrxError } from './errors.js';
import { currentRender } from './template-budget.js';

/**
 * StackStorm's version_* Jinja filters: semantic versions (MAJOR.MINOR.PATCH[-pre][+build])
 * compared as semver 2.0 orders them, as StackStorm's Python `semver` module does. Anything
 * else is refused with NRX_ERR_TEMPLATE naming the value, as StackStorm refuses it.
 */

interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** An error a filter raises, kept so the render's message names it instead of nunjucks' wrapping. */
export function filterError(message: string, details: Record<string, unknown> = {}): NrxError {
  const e = new NrxError('NRX_ERR_TEMPLATE', message, { details });
  currentRender()?.keep(e);
  return e;
}

function brief(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

export function parseVersion(value: unknown, filter: string): Version {
  const m = typeof value === 'string' && value.length <= 256 ? SEMVER.exec(value) : null;
  if (!m) throw filterError(`${filter}: ${brief(value)} is not a semantic version (MAJOR.MINOR.PATCH)`, { filter });
  const num = (s: string): number => {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw filterError(`${filter}: ${brief(value)} has a number too large`, { filter });
    return n;
  };
  return { major: num(m[1]!), minor: num(m[2]!), patch: num(m[3]!), pre: m[4] ? m[4].split('.') : [] };
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function comparePre(a: string[], b: string[]): -1 | 0 | 1 {
  // A release outranks its pre-releases; build metadata never counts.
  if (!a.length || !b.length) return sign(b.length - a.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = sign(Number(x) - Number(y));
      if (d) return d;
    } else if (xn !== yn) return xn ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

export function compareVersions(a: unknown, b: unknown, filter = 'version_compare'): -1 | 0 | 1 {
  const x = parseVersion(a, filter);
  const y = parseVersion(b, filter);
  return sign(x.major - y.major) || sign(x.minor - y.minor) || sign(x.patch - y.patch) || comparePre(x.pre, y.pre);
}

const MATCH_OPS: Readonly<Record<string, (c: number) => boolean>> = {
  '>=': (c) => c >= 0,
  '<=': (c) => c <= 0,
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
  '>': (c) => c > 0,
  '<': (c) => c < 0,
};

/** `'1.2.3' | version_match('>=1.0.0')`: one operator (<, >, <=, >=, ==, !=) and a version. */
function versionMatch(value: unknown, expr: unknown): boolean {
  const e = typeof expr === 'string' ? expr : '';
  const op = ['>=', '<=', '==', '!=', '>', '<'].find((o) => e.startsWith(o));
  if (!op)
    throw filterError(`version_match: ${brief(expr)} must be an operator (<, >, <=, >=, ==, !=) followed by a version, as in '>=1.0.0'`, {
      filter: 'version_match',
    });
  return MATCH_OPS[op]!(compareVersions(value, e.slice(op.length), 'version_match'));
}

export const VERSION_FILTERS = {
  version_compare: (a: unknown, b: unknown): number => compareVersions(a, b),
  version_more_than: (a: unknown, b: unknown): boolean => compareVersions(a, b, 'version_more_than') === 1,
  version_less_than: (a: unknown, b: unknown): boolean => compareVersions(a, b, 'version_less_than') === -1,
  version_equal: (a: unknown, b: unknown): boolean => compareVersions(a, b, 'version_equal') === 0,
  version_match: versionMatch,
  version_bump_major: (v: unknown): string => `${parseVersion(v, 'version_bump_major').major + 1}.0.0`,
  version_bump_minor: (v: unknown): string => {
    const x = parseVersion(v, 'version_bump_minor');
    return `${x.major}.${x.minor + 1}.0`;
  },
  version_bump_patch: (v: unknown): string => {
    const x = parseVersion(v, 'version_bump_patch');
    return `${x.major}.${x.minor}.${x.patch + 1}`;
  },
  version_strip_patch: (v: unknown): string => {
    const x = parseVersion(v, 'version_strip_patch');
    return `${x.major}.${x.minor}`;
  },
};
