import { NrxError } from '../core/errors.js';
import { compileGlob } from '../criteria/glob.js';
import type { ResolvedHost } from './model.js';

/**
 * Inventory filters, the same everywhere (CLI, API, workflows, fan-out):
 *
 *   role=leaf and site=dc1            a data field (site, role and any other bare name)
 *   name=leaf*   group=dc1  platform=frr   tag=edge   data.asn>=65000
 *   !=  >  >=  <  <=   and  or  not  !  ( )   and a comma meaning "and" between conditions
 *   leaf*                             a bare word matches the host name
 *   leaf1,leaf2   name in (leaf1, leaf2)   role in (leaf, spine)   a list: any of them
 *
 * Commas between bare names list names (Nornir users write `--on leaf1,leaf2`); a comma between
 * a bare name and a condition is refused as ambiguous. `role:leaf` would silently match no host
 * name, so a bare word shaped like field:value is an error showing `role=leaf` (quote a real
 * name with a colon: "rtr:1").
 *
 * `=` and `!=` take fnmatch globs (`*`, `?`, `[..]`); on a list (groups, tags) `=` means
 * "some element matches". `!=` is exactly `not =`, so a host without the field matches it.
 * The empty filter matches every host.
 */

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** Where a filter looks on a host. */
export type FilterField = { kind: 'name' | 'hostname' | 'platform' | 'port' | 'username' | 'credential' | 'group' } | { kind: 'data'; path: string[] };

export type Filter =
  | { kind: 'all' }
  | { kind: 'and'; operands: Filter[] }
  | { kind: 'or'; operands: Filter[] }
  | { kind: 'not'; operand: Filter }
  | { kind: 'compare'; field: FilterField; op: CompareOp; value: string; number: number | null };

const MAX_LENGTH = 10_000;
const MAX_DEPTH = 64;

type Token = { type: 'word' | 'string' | 'op' | '(' | ')' | ',' | '!'; text: string; pos: number };

const OPS = ['==', '!=', '>=', '<=', '=', '>', '<'] as const;
const WORD_STOP = /[\s(),=!<>"']/;

function fail(expr: string, pos: number, msg: string): NrxError {
  return new NrxError(
    'NRX_ERR_FILTER_INVALID',
    `invalid inventory filter ${JSON.stringify(expr.length > 200 ? expr.slice(0, 200) + '...' : expr)}: ${msg} at position ${pos}`,
    {
      details: { expression: expr, position: pos },
    },
  );
}

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    const pos = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ type: c, text: c, pos });
      i++;
    } else if (c === '"' || c === "'") {
      let text = '';
      let j = i + 1;
      for (; j < expr.length && expr[j] !== c; j++) {
        if (expr[j] === '\\' && j + 1 < expr.length) j++;
        text += expr[j];
      }
      if (j >= expr.length) throw fail(expr, pos, `unterminated ${c === '"' ? 'double' : 'single'}-quoted string`);
      out.push({ type: 'string', text, pos });
      i = j + 1;
    } else {
      const op = OPS.find((o) => expr.startsWith(o, i));
      if (op) {
        out.push({ type: 'op', text: op === '==' ? '=' : op, pos });
        i += op.length;
      } else if (c === '!') {
        out.push({ type: '!', text: c, pos });
        i++;
      } else {
        let j = i;
        while (j < expr.length && !WORD_STOP.test(expr[j]!)) {
          // A glob's [seq] / [!seq] is part of the word, even with '!' or spaces inside.
          const close = expr[j] === '[' ? expr.indexOf(']', j + 2) : -1;
          j = close === -1 ? j + 1 : close + 1;
        }
        out.push({ type: 'word', text: expr.slice(i, j), pos });
        i = j;
      }
    }
  }
  return out;
}

const TOP_FIELDS = new Set(['name', 'hostname', 'platform', 'port', 'username', 'credential']);
const FIELD_PATTERN = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function fieldOf(expr: string, tok: Token): FilterField {
  const f = tok.text;
  if (tok.type !== 'word' || !FIELD_PATTERN.test(f))
    throw fail(expr, tok.pos, `expected a field name (name, group, platform, tag, site, role, data.<key>), got ${JSON.stringify(f)}`);
  if (TOP_FIELDS.has(f)) return { kind: f as 'name' };
  if (f === 'group' || f === 'groups') return { kind: 'group' };
  if (f === 'tag' || f === 'tags') return { kind: 'data', path: ['tags'] };
  const parts = f.split('.');
  if (parts[0] === 'data') {
    if (parts.length === 1) throw fail(expr, tok.pos, "'data' needs a key, e.g. data.asn");
    return { kind: 'data', path: parts.slice(1) };
  }
  return { kind: 'data', path: parts };
}

const isKeyword = (t: Token | undefined, k: string): boolean => t?.type === 'word' && t.text.toLowerCase() === k;

/** `role:leaf`: a field name, a colon, a value (what other tools' filters look like). */
const COLON_CONDITION = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*):([^:]+)$/;

export function parseFilter(expr: string): Filter {
  if (typeof expr !== 'string') throw new NrxError('NRX_ERR_FILTER_INVALID', 'an inventory filter must be a string');
  if (expr.length > MAX_LENGTH) throw fail(expr, MAX_LENGTH, `filter is longer than ${MAX_LENGTH} characters`);
  const toks = tokenize(expr);
  if (toks.length === 0) return { kind: 'all' };
  let i = 0;
  const peek = (): Token | undefined => toks[i];
  const endPos = expr.length + 1;
  const describe = (t: Token | undefined): string => (t ? JSON.stringify(t.text) : 'end of filter');
  // conditions written as a bare name (leaf1, "leaf1", leaf*): a comma between them lists names
  const bareNames = new WeakSet<Filter>();
  // Compile globs now, so a bad one is a parse error here and matching never throws.
  const checkGlob = (t: Token): void => {
    if (!GLOB_CHARS.test(t.text)) return;
    try {
      compileGlob(t.text);
    } catch (e) {
      throw fail(expr, t.pos, `invalid wildcard ${JSON.stringify(t.text)}: ${(e as Error).message}`);
    }
  };

  const parseOr = (depth: number): Filter => {
    const operands = [parseAnd(depth)];
    while (isKeyword(peek(), 'or')) {
      i++;
      operands.push(parseAnd(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  };
  const parseAnd = (depth: number): Filter => {
    const operands = [parseUnary(depth)];
    const bare = [bareNames.has(operands[0]!)];
    const commas: Token[] = [];
    let andWords = 0;
    while (isKeyword(peek(), 'and') || peek()?.type === ',') {
      const sep = toks[i++]!;
      if (sep.type === ',') commas.push(sep);
      else andWords++;
      operands.push(parseUnary(depth));
      bare.push(bareNames.has(operands[operands.length - 1]!));
    }
    if (operands.length === 1) return operands[0]!;
    if (commas.length === 0 || !bare.some(Boolean)) return { kind: 'and', operands };
    // leaf1,leaf2 is a list of names; a name and a condition joined by a comma is ambiguous
    if (andWords === 0 && bare.every(Boolean)) return { kind: 'or', operands };
    throw fail(
      expr,
      commas[0]!.pos,
      "a comma joins either names (leaf1,leaf2: any of them) or conditions (role=leaf, site=dc1: all of them), not both; write e.g. 'name in (leaf1, leaf2) and role=leaf'",
    );
  };
  const parseUnary = (depth: number): Filter => {
    const t = peek();
    if (depth > MAX_DEPTH) throw fail(expr, t?.pos ?? endPos, `filter nests deeper than ${MAX_DEPTH} levels`);
    if (!t) throw fail(expr, endPos, 'expected a condition such as role=leaf');
    if (t.type === '!' || isKeyword(t, 'not')) {
      i++;
      return { kind: 'not', operand: parseUnary(depth + 1) };
    }
    if (t.type === '(') {
      i++;
      const inner = parseOr(depth + 1);
      const close = peek();
      if (close?.type !== ')') throw fail(expr, close?.pos ?? endPos, `expected ')' to close the '(' at position ${t.pos}, got ${describe(close)}`);
      i++;
      return inner;
    }
    return parseCondition();
  };
  const parseCondition = (): Filter => {
    const t = peek()!;
    if (t.type !== 'word' && t.type !== 'string') throw fail(expr, t.pos, `expected a condition such as role=leaf, got ${describe(t)}`);
    if (t.type === 'word' && ['and', 'or'].includes(t.text.toLowerCase())) throw fail(expr, t.pos, `expected a condition before '${t.text}'`);
    i++;
    const op = peek();
    if (isKeyword(op, 'in') && toks[i + 1]?.type === '(') return parseList(t);
    if (op?.type !== 'op') {
      // A bare word is a host name (glob): `leaf*` is `name=leaf*`.
      const colon = t.type === 'word' ? COLON_CONDITION.exec(t.text) : null;
      if (colon)
        throw fail(
          expr,
          t.pos,
          `${JSON.stringify(t.text)} is not a condition and matches no device name; write ${colon[1]}=${colon[2]} (or quote a name that has a colon: "${t.text}")`,
        );
      checkGlob(t);
      const bare: Filter = { kind: 'compare', field: { kind: 'name' }, op: '=', value: t.text, number: null };
      bareNames.add(bare);
      return bare;
    }
    const field = fieldOf(expr, t);
    i++;
    const v = peek();
    if (v?.type !== 'word' && v?.type !== 'string') throw fail(expr, v?.pos ?? endPos, `expected a value after '${op.text}', got ${describe(v)}`);
    i++;
    const cmp = op.text as CompareOp;
    let number: number | null = NUMBER_PATTERN.test(v.text) ? Number(v.text) : null;
    if (number !== null && !Number.isFinite(number)) number = null;
    if (cmp !== '=' && cmp !== '!=' && number === null) throw fail(expr, v.pos, `'${cmp}' compares numbers, got ${JSON.stringify(v.text)}`);
    if (cmp === '=' || cmp === '!=') checkGlob(v);
    return { kind: 'compare', field, op: cmp, value: v.text, number };
  };

  /** `field in (a, b, ...)`: any of the values (globs allowed), the same as `field=a or field=b`. */
  const parseList = (fieldTok: Token): Filter => {
    const field = fieldOf(expr, fieldTok);
    i += 2; // 'in' '('
    const operands: Filter[] = [];
    for (;;) {
      const v = peek();
      if (v?.type !== 'word' && v?.type !== 'string') throw fail(expr, v?.pos ?? endPos, `expected a value in the list after 'in (', got ${describe(v)}`);
      i++;
      checkGlob(v);
      operands.push({ kind: 'compare', field, op: '=', value: v.text, number: null });
      const sep = peek();
      i++;
      if (sep?.type === ')') break;
      if (sep?.type !== ',') throw fail(expr, sep?.pos ?? endPos, `expected ',' or ')' in the list after 'in', got ${describe(sep)}`);
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  };

  const filter = parseOr(0);
  const rest = peek();
  if (rest) {
    const hint = rest.type === ')' ? "unmatched ')'" : `expected 'and', 'or' or ',' before ${describe(rest)}`;
    throw fail(expr, rest.pos, hint);
  }
  return filter;
}

function valuesOf(field: FilterField, host: ResolvedHost): unknown[] {
  if (field.kind === 'group') return host.groups;
  if (field.kind !== 'data') {
    const v = host[field.kind];
    return v === null || v === undefined ? [] : [v];
  }
  let cur: unknown = host.data;
  for (const p of field.path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, p)) return [];
    cur = (cur as Record<string, unknown>)[p];
  }
  return Array.isArray(cur) ? cur : [cur];
}

const GLOB_CHARS = /[*?[]/;

function equalsValue(v: unknown, pattern: string): boolean {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && v !== null) return false;
  const s = String(v);
  return GLOB_CHARS.test(pattern) ? compileGlob(pattern).test(s) : s === pattern;
}

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMBER_PATTERN.test(v.trim())) return Number(v);
  return null;
}

function compare(c: Extract<Filter, { kind: 'compare' }>, host: ResolvedHost): boolean {
  const values = valuesOf(c.field, host);
  switch (c.op) {
    case '=':
      return values.some((v) => equalsValue(v, c.value));
    case '!=':
      return !values.some((v) => equalsValue(v, c.value));
    default: {
      const want = c.number!;
      return values.some((v) => {
        const n = numberOf(v);
        if (n === null) return false;
        return c.op === '>' ? n > want : c.op === '>=' ? n >= want : c.op === '<' ? n < want : n <= want;
      });
    }
  }
}

export function matchesFilter(filter: Filter, host: ResolvedHost): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'and':
      return filter.operands.every((f) => matchesFilter(f, host));
    case 'or':
      return filter.operands.some((f) => matchesFilter(f, host));
    case 'not':
      return !matchesFilter(filter.operand, host);
    case 'compare':
      return compare(filter, host);
  }
}

/** Parse once, then keep the hosts that match. */
export function filterHosts(hosts: readonly ResolvedHost[], expr: string | Filter | undefined): ResolvedHost[] {
  if (expr === undefined) return [...hosts];
  const f = typeof expr === 'string' ? parseFilter(expr) : expr;
  return hosts.filter((h) => matchesFilter(f, h));
}
