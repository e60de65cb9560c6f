import { readEscapes } from '../../../core/template-strings.js';
import { yaqlError } from './errors.js';

/**
 * YAQL's tokens, as the expressions inside `<% %>` spell them. Every token keeps its offset
 * so a message can point at the construct ("column 7").
 */
export type TokenKind = 'num' | 'str' | 'name' | 'root' | 'var' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  /** The text as written (for `str`, the value after escapes). */
  text: string;
  value?: number | string;
  pos: number;
}

/** Words that are operators or constants, never keyword strings. */
export const RESERVED: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'mod', 'true', 'false', 'null']);

// Longest first: '=>' before '=', '!=' before '!'.
const OPERATORS = ['?.', '=>', '==', '!=', '<=', '>=', '=~', '!~', '->', '.', ',', '(', ')', '[', ']', '{', '}', '+', '-', '*', '/', '<', '>', '=', ':'];

/** The longest expression accepted, in characters (a bound on parsing work). */
export const MAX_EXPRESSION_LENGTH = 10_000;

export function tokenize(source: string): Token[] {
  if (source.length > MAX_EXPRESSION_LENGTH) throw yaqlError(source, `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      out.push({ kind: 'num', text: m[0], value: Number(m[0]), pos: start });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const { text, end } = readString(source, i);
      out.push({ kind: 'str', text, value: text, pos: start });
      i = end;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      out.push({ kind: 'name', text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(source.slice(i))!;
      out.push({ kind: m[0] === '$' ? 'root' : 'var', text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw yaqlError(source, `unexpected character ${JSON.stringify(c)} at column ${start + 1}`, c);
    out.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', pos: source.length });
  return out;
}

/** A quoted string: '...' and "..." read escapes as Python does; `...` is verbatim. */
function readString(source: string, at: number): { text: string; end: number } {
  const quote = source[at]!;
  let body = '';
  for (let i = at + 1; i < source.length; i++) {
    const c = source[i]!;
    if (c === quote) return { text: quote === '`' ? body : readEscapes(body), end: i + 1 };
    if (c === '\\' && quote !== '`' && i + 1 < source.length) {
      body += c + source[++i];
      continue;
    }
    body += c;
  }
  throw yaqlError(source, `the string that starts at column ${at + 1} is not closed`, quote);
}
