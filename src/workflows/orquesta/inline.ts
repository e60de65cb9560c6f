/**
 * Orquesta's shorthand for action input and publish: `core.echo message="Fee fi" count=3`
 * and `publish: msg=<% result().stdout %>, n=2`. Pairs are separated by spaces, commas or
 * semicolons; a value is a quoted string, a `<% %>` / `{{ }}` expression (which may contain
 * spaces), or a bare word that reads as JSON (number, true, false, null) or else as text.
 */

export type InlineArgs = { ok: true; pairs: Array<[string, unknown]> } | { ok: false; reason: string };

const KEY = /[A-Za-z_][\w.-]*/y;
const DELIMS = new Set([' ', '\t', '\n', '\r', ',', ';']);

export function parseInlineArgs(text: string): InlineArgs {
  const pairs: Array<[string, unknown]> = [];
  let i = 0;
  while (i < text.length) {
    if (DELIMS.has(text[i]!)) {
      i++;
      continue;
    }
    KEY.lastIndex = i;
    const key = KEY.exec(text);
    if (!key || text[KEY.lastIndex] !== '=') {
      return { ok: false, reason: `expected name=value at ${JSON.stringify(text.slice(i, i + 30))}` };
    }
    i = KEY.lastIndex + 1;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const end = closingQuote(text, i);
      if (end === -1) return { ok: false, reason: `unterminated ${quote} in value of '${key[0]}'` };
      pairs.push([key[0], unescape(text.slice(i + 1, end), quote)]);
      i = end + 1;
      continue;
    }
    const end = bareValueEnd(text, i);
    if (end === -1) return { ok: false, reason: `unterminated expression in value of '${key[0]}'` };
    pairs.push([key[0], bareValue(text.slice(i, end))]);
    i = end;
  }
  return { ok: true, pairs };
}

/** `core.echo message=hi` -> ref `core.echo` and its inline arguments. */
export function splitActionRef(text: string): { ref: string; rest: string } {
  const t = text.trim();
  const sp = t.search(/\s/);
  return sp === -1 ? { ref: t, rest: '' } : { ref: t.slice(0, sp), rest: t.slice(sp + 1) };
}

function closingQuote(text: string, open: number): number {
  const q = text[open];
  for (let j = open + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === q) return j;
  }
  return -1;
}

function unescape(s: string, quote: string): string {
  return s.replace(/\\(.)/g, (all, c: string) => (c === quote || c === '\\' ? c : all));
}

/** A bare value runs to the next delimiter outside an expression. */
function bareValueEnd(text: string, start: number): number {
  let j = start;
  while (j < text.length) {
    const two = text.slice(j, j + 2);
    if (two === '<%' || two === '{{') {
      const close = text.indexOf(two === '<%' ? '%>' : '}}', j + 2);
      if (close === -1) return -1;
      j = close + 2;
      continue;
    }
    if (DELIMS.has(text[j]!)) return j;
    j++;
  }
  return j;
}

function bareValue(raw: string): unknown {
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(raw)) return JSON.parse(raw);
  return raw;
}
