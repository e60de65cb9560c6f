/**
 * Python regular expressions (as TextFSM templates and ntc-templates indexes write them) as
 * JavaScript RegExps with the same meaning: `(?P<name>...)` groups, leading `(?i)`-style flags,
 * `\A`/`\Z`, Unicode `\d \w \s \b` as Python defines them, Python's escapes and `{` rules.
 * Matching is Python's `re.match`: anchored at the start, not at the end (the sticky flag).
 *
 * The subjects are single lines (TextFSM splits its input first), so `$` and `\Z` both mean the
 * end of the subject and `.` never meets a newline it should skip.
 */
import { caseClose, caseVariants } from './case-fold.js';
import { PY_DIGIT_CLASS, PY_SPACE_CLASS, PY_WORD_CLASS } from './py-text.js';
import { parsePythonRegex, PyRegexError, type Alternation, type Category, type ClassItem, type RegexNode } from './python-regex-parse.js';

export { PyRegexError } from './python-regex-parse.js';

export interface PythonRegex {
  /** Anchored at the start: set lastIndex = 0 before exec (matchAt does). */
  regex: RegExp;
  /** The JavaScript source, for messages and tests. */
  source: string;
  groupCount: number;
  /** Named groups by name -> group number, in the order they open. */
  groupNames: Map<string, number>;
}

/** Translate and compile. Throws PyRegexError for a pattern Python rejects or JavaScript cannot express. */
export function compilePythonRegex(pattern: string): PythonRegex {
  const parsed = parsePythonRegex(pattern);
  const source = emitAlternation(parsed.root, !parsed.ignoreCaseFlag);
  let regex: RegExp;
  try {
    regex = new RegExp(source, parsed.ignoreCaseFlag ? 'iuy' : 'uy');
  } catch (e) {
    throw new PyRegexError(`cannot be expressed as a JavaScript regex (${(e as Error).message})`, 0, true);
  }
  return { regex, source, groupCount: parsed.groupCount, groupNames: parsed.groupNames };
}

/** Python's `re.match(subject)`: a match starting at index 0, or null. */
export function matchAt(r: PythonRegex, subject: string): RegExpExecArray | null {
  r.regex.lastIndex = 0;
  return r.regex.exec(subject);
}

const WORD = `[${PY_WORD_CLASS}]`;
const ASCII_WORD = '[A-Za-z0-9_]';
const ASCII_SPACE_CLASS = '\\t\\n\\v\\f\\r ';
/** Everything outside Python's `\s`: lets `\S` sit inside a bracket class. */
const NOT_SPACE_CLASS =
  '\\0-\\x08\\x0e-\\x1b\\x21-\\x84\\x86-\\x9f\\xa1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\u{10ffff}';
const NOT_ASCII_SPACE_CLASS = '\\0-\\x08\\x0e-\\x1f\\x21-\\u{10ffff}';
const NOT_ASCII_DIGIT_CLASS = '\\0-\\/\\x3a-\\u{10ffff}';
const NOT_ASCII_WORD_CLASS = '\\0-\\/\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\u{10ffff}';

// Characters that must be escaped to be literal in a `u`-flag regex; `-` only inside a class
// (where `\-` is the one legal spelling and outside it is an error).
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

function literal(cp: number, inClass = false): string {
  const c = String.fromCodePoint(cp);
  if (SYNTAX.has(c) || (inClass && c === '-')) return `\\${c}`;
  if (cp >= 0x20 && cp < 0x7f) return c;
  return `\\u{${cp.toString(16)}}`;
}

/** A category as bracket-class contents, or null when it has no such form (Unicode `\W`). */
function categoryBody(cat: Category, ascii: boolean): string | null {
  switch (cat) {
    case 'd':
      return ascii ? '0-9' : PY_DIGIT_CLASS;
    case 'D':
      return ascii ? NOT_ASCII_DIGIT_CLASS : '\\P{Nd}';
    case 's':
      return ascii ? ASCII_SPACE_CLASS : PY_SPACE_CLASS;
    case 'S':
      return ascii ? NOT_ASCII_SPACE_CLASS : NOT_SPACE_CLASS;
    case 'w':
      return ascii ? 'A-Za-z0-9_' : PY_WORD_CLASS;
    case 'W':
      return ascii ? NOT_ASCII_WORD_CLASS : null;
  }
}

function emitCategory(cat: Category, ascii: boolean): string {
  if (cat === 'W' && !ascii) return `[^${PY_WORD_CLASS}]`;
  return `[${categoryBody(cat, ascii)}]`;
}

function emitClass(negate: boolean, items: ClassItem[], foldCase: boolean): string {
  let body = '';
  let wideNotWord = false;
  const ranges = items.filter((i) => i.k === 'range').map((i): [number, number] => [i.lo, i.hi]);
  for (const [lo, hi] of foldCase ? caseClose(ranges) : ranges) body += lo === hi ? literal(lo, true) : `${literal(lo, true)}-${literal(hi, true)}`;
  for (const item of items) {
    if (item.k === 'cat') {
      const b = categoryBody(item.cat, item.ascii);
      if (b === null) wideNotWord = true;
      else body += b;
    }
  }
  if (!wideNotWord) return `[${negate ? '^' : ''}${body}]`;
  // Unicode \W inside a class: a union JavaScript cannot nest, so an alternation.
  const parts = [`[^${PY_WORD_CLASS}]`, ...(body ? [`[${body}]`] : [])].join('|');
  return negate ? `(?:(?!${parts})[^])` : `(?:${parts})`;
}

function emitAnchor(n: Extract<RegexNode, { k: 'at' }>): string {
  const w = n.ascii ? ASCII_WORD : WORD;
  switch (n.at) {
    case 'bol':
    case 'bos':
      return '^';
    case 'eol':
    case 'eos':
      return '$';
    case 'b':
      return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
    case 'B':
      // Python's \B never matches in an empty string
      return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})(?:(?<=[^])|(?=[^])))`;
  }
}

/** `byHand`: case-insensitive parts are spelled out (no `i` flag). */
function emitNode(n: RegexNode, byHand: boolean): string {
  switch (n.k) {
    case 'lit': {
      const variants = byHand && n.ci ? caseVariants(n.cp) : [n.cp];
      return variants.length === 1 ? literal(n.cp) : `[${variants.map((v) => literal(v, true)).join('')}]`;
    }
    case 'any':
      return n.dotall ? '[^]' : '[^\\n]';
    case 'cat':
      return emitCategory(n.cat, n.ascii);
    case 'class':
      return emitClass(n.negate, n.items, byHand && n.ci);
    case 'at':
      return emitAnchor(n);
    case 'group': {
      const body = emitAlternation(n.body, byHand);
      // named groups are read by number (groupNames), so V8 need not build a groups object per match
      return n.index === null ? `(?:${body})` : `(${body})`;
    }
    case 'look':
      return `(?${n.behind ? '<' : ''}${n.negate ? '!' : '='}${emitAlternation(n.body, byHand)})`;
    case 'backref':
      // grouped, so a digit that follows is never read as part of the number
      return `(?:\\${n.index})`;
    case 'repeat': {
      let body = emitNode(n.body, byHand);
      // JavaScript refuses a quantifier on an assertion; Python repeats it as a group
      if (n.body.k === 'look' || n.body.k === 'repeat') body = `(?:${body})`;
      return body + quantifier(n.min, n.max) + (n.lazy ? '?' : '');
    }
  }
}

function quantifier(min: number, max: number): string {
  if (min === 0 && max === 1) return '?';
  if (min === 0 && max === Infinity) return '*';
  if (min === 1 && max === Infinity) return '+';
  if (max === Infinity) return `{${min},}`;
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

function emitAlternation(alt: Alternation, byHand: boolean): string {
  return alt.branches.map((b) => b.map((n) => emitNode(n, byHand)).join('')).join('|');
}
