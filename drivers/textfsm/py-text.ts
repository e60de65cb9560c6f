/**
 * Python's string rules where TextFSM depends on them, so templates and outputs split, strip
 * and substitute exactly as the reference implementation does (CPython 3.11, Unicode str).
 */

/** Code points `str.isspace()` (and `re`'s `\s`) accept, as a regex class body. */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const SPACE = new RegExp(`[${PY_SPACE_CLASS}]`, 'u');
const LEADING_SPACE = new RegExp(`^[${PY_SPACE_CLASS}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${PY_SPACE_CLASS}]+$`, 'u');

export function isPySpace(ch: string): boolean {
  return SPACE.test(ch);
}

/** `str.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING_SPACE, '');
}

/** `str.strip()` with no argument. */
export function pyStrip(s: string): string {
  return s.replace(TRAILING_SPACE, '').replace(LEADING_SPACE, '');
}

// str.splitlines() breaks on more than \n: \r, \v, \f, the ASCII separators and Unicode's.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** `str.splitlines()`: no empty last line for a trailing break, [] for ''. */
export function pySplitlines(text: string): string[] {
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines of a file as Python's text-mode iteration sees them (universal newlines). */
export function fileLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `str.isidentifier()`: what Python accepts as a group name. */
export function pyIsIdentifier(s: string): boolean {
  return /^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(s);
}

/** Python's `\w`, `\d` (Unicode str patterns), as regex class bodies for the `u` flag. */
export const PY_WORD_CLASS = '\\p{L}\\p{N}_';
export const PY_DIGIT_CLASS = '\\p{Nd}';

/**
 * `string.Template(text).substitute(mapping)`: `$$` is `$`, `$name` and `${name}` (ASCII
 * identifiers) are replaced. Anything else after `$` is an invalid placeholder, and a name not
 * in the mapping is an error too; both throw, with the offending text.
 */
export function substitutePlaceholders(text: string, mapping: ReadonlyMap<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const rest = text.slice(at + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i = at + 2;
      continue;
    }
    const m = /^(?:([_A-Za-z][_A-Za-z0-9]*)|\{([_A-Za-z][_A-Za-z0-9]*)\})/.exec(rest);
    if (!m) throw new PlaceholderError(`invalid placeholder at '${text.slice(at, at + 12)}'`);
    const name = (m[1] ?? m[2])!;
    const value = mapping.get(name);
    if (value === undefined) throw new PlaceholderError(`no Value named '${name}'`);
    out += value;
    i = at + 1 + m[0].length;
  }
  return out;
}

export class PlaceholderError extends Error {}
