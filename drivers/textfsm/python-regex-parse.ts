/**
 * A parser for Python's `re` syntax (CPython 3.11, str patterns) into a small tree, so it can be
 * written out as a JavaScript regex with the same meaning. It accepts what Python accepts and
 * rejects what Python rejects, with Python's words; the few Python features JavaScript cannot
 * express (possessive quantifiers, atomic and conditional groups, backreferences in a
 * look-behind or under mixed case rules, `\N{...}`) are rejected with a message that says so.
 */
import { pyIsIdentifier } from './py-text.js';
import { alternationWidth, PyRegexError, type Alternation, type Category, type ClassItem, type ParsedRegex, type RegexNode } from './python-regex-tree.js';

export { PyRegexError } from './python-regex-tree.js';
export type { Alternation, Category, ClassItem, ParsedRegex, RegexNode } from './python-regex-tree.js';

interface Flags {
  i: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

const SPECIAL = new Set('.\\[{()*+?^$|');
const VERBOSE_SPACE = new Set(' \t\n\r\v\f');
const FLAG_LETTERS = new Set('aiLmstux');
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const CATEGORIES = new Set('dDsSwW');
const MAX_REPEAT = 4294967295;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isOct = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isAsciiLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);

export function parsePythonRegex(pattern: string): ParsedRegex {
  return new Parser(pattern).parse();
}

class Parser {
  private readonly cps: string[];
  private pos = 0;
  private groupCount = 0;
  private readonly groupNames = new Map<string, number>();
  private readonly openGroups = new Set<number>();
  private lookbehindDepth = 0;
  private readonly global: Flags = { i: false, s: false, x: false, a: false };
  private mixedCase = false;
  private caseInsensitiveBackref = false;

  constructor(pattern: string) {
    this.cps = Array.from(pattern);
  }

  parse(): ParsedRegex {
    const root = this.alternation(this.global, false);
    if (this.pos < this.cps.length) throw this.error('unbalanced parenthesis');
    if (this.mixedCase && this.caseInsensitiveBackref) {
      throw this.error('a case-insensitive backreference in a pattern that also uses (?i:...) or (?-i:...) is not supported', 0, true);
    }
    return { root, ignoreCaseFlag: this.global.i && this.caseInsensitiveBackref, groupCount: this.groupCount, groupNames: this.groupNames };
  }

  private error(message: string, at = this.pos, unsupported = false): PyRegexError {
    return new PyRegexError(message, at, unsupported);
  }

  private peek(): string | undefined {
    return this.cps[this.pos];
  }

  private next(): string | undefined {
    return this.cps[this.pos++];
  }

  private eat(c: string): boolean {
    if (this.cps[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private alternation(flags: Flags, nested: boolean): Alternation {
    const branches: RegexNode[][] = [];
    for (;;) {
      // Global flags are only allowed before anything else at the top of the first branch.
      branches.push(this.sequence(nested ? flags : this.global, !nested && branches.length === 0));
      if (!this.eat('|')) return { branches };
    }
  }

  private sequence(flags: Flags, first: boolean): RegexNode[] {
    const items: RegexNode[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return items;
      this.pos++;
      if (flags.x) {
        if (VERBOSE_SPACE.has(c)) continue;
        if (c === '#') {
          while (this.pos < this.cps.length && this.next() !== '\n');
          continue;
        }
      }
      if (c === '\\') items.push(this.escape(flags));
      else if (!SPECIAL.has(c)) items.push({ k: 'lit', cp: c.codePointAt(0)!, ci: flags.i });
      else if (c === '[') items.push(this.charClass(flags));
      else if (c === '*' || c === '+' || c === '?' || c === '{') this.quantifier(c, items);
      else if (c === '.') items.push({ k: 'any', dotall: flags.s });
      else if (c === '^') items.push({ k: 'at', at: 'bol', ascii: flags.a });
      else if (c === '$') items.push({ k: 'at', at: 'eol', ascii: flags.a });
      else {
        const node = this.group(flags, first && items.length === 0);
        if (node) items.push(node);
      }
    }
  }

  private quantifier(c: string, items: RegexNode[]): void {
    const here = this.pos;
    let min = 0;
    let max = Infinity;
    if (c === '+') min = 1;
    else if (c === '?') max = 1;
    else if (c === '{') {
      if (this.peek() === '}') {
        items.push({ k: 'lit', cp: 0x7b, ci: false });
        return;
      }
      let lo = '';
      let hi = '';
      while (isDigit(this.peek())) lo += this.next();
      if (this.eat(',')) while (isDigit(this.peek())) hi += this.next();
      else hi = lo;
      if (!this.eat('}')) {
        // not a repeat after all: a literal brace, as Python reads it
        items.push({ k: 'lit', cp: 0x7b, ci: false });
        this.pos = here;
        return;
      }
      if (lo) min = Number(lo);
      if (hi) max = Number(hi);
      if (min >= MAX_REPEAT || (hi && max >= MAX_REPEAT)) throw this.error('the repetition number is too large', here);
      if (max < min) throw this.error('min repeat greater than max repeat', here);
    }
    const prev = items[items.length - 1];
    if (!prev || prev.k === 'at') throw this.error('nothing to repeat', here - 1);
    if (prev.k === 'repeat') throw this.error('multiple repeat', here - 1);
    let lazy = false;
    if (this.eat('?')) lazy = true;
    else if (this.peek() === '+') throw this.error('possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported', this.pos, true);
    items[items.length - 1] = { k: 'repeat', min, max, lazy, body: prev };
  }

  /** After `(`. Returns undefined for a comment or a global-flags group. */
  private group(flags: Flags, first: boolean): RegexNode | undefined {
    const start = this.pos - 1;
    let capture = true;
    let name: string | null = null;
    let inner = flags;
    if (this.eat('?')) {
      const c = this.next();
      if (c === undefined) throw this.error('unexpected end of pattern');
      if (c === 'P') {
        if (this.eat('<')) {
          name = this.until('>', 'group name');
        } else if (this.eat('=')) {
          const ref = this.until(')', 'group name');
          const index = this.groupNames.get(ref);
          if (index === undefined) throw this.error(`unknown group name '${ref}'`);
          return this.backref(index, flags);
        } else {
          const d = this.next();
          if (d === undefined) throw this.error('unexpected end of pattern');
          throw this.error(`unknown extension ?P${d}`);
        }
      } else if (c === ':') {
        capture = false;
      } else if (c === '#') {
        for (;;) {
          const d = this.next();
          if (d === undefined) throw this.error('missing ), unterminated comment', start);
          if (d === ')') return undefined;
        }
      } else if (c === '=' || c === '!' || c === '<') {
        return this.lookaround(flags, c, start);
      } else if (c === '(') {
        throw this.error('conditional groups (?(id)yes|no) are not supported', start, true);
      } else if (c === '>') {
        throw this.error('atomic groups (?>...) are not supported', start, true);
      } else if (FLAG_LETTERS.has(c) || c === '-') {
        const scoped = this.flags(c, flags, first, start);
        if (!scoped) return undefined;
        inner = scoped;
        capture = false;
      } else {
        throw this.error(`unknown extension ?${c}`);
      }
    }
    let index: number | null = null;
    if (capture) {
      index = ++this.groupCount;
      if (name !== null) {
        const was = this.groupNames.get(name);
        if (was !== undefined) throw this.error(`redefinition of group name '${name}' as group ${index}; was group ${was}`);
        this.groupNames.set(name, index);
      }
      this.openGroups.add(index);
    }
    const body = this.alternation(inner, true);
    if (!this.eat(')')) throw this.error('missing ), unterminated subpattern', start);
    if (index !== null) this.openGroups.delete(index);
    return { k: 'group', index, name, body };
  }

  private lookaround(flags: Flags, c: string, start: number): RegexNode {
    let behind = false;
    let kind = c;
    if (c === '<') {
      const d = this.next();
      if (d === undefined) throw this.error('unexpected end of pattern');
      if (d !== '=' && d !== '!') throw this.error(`unknown extension ?<${d}`);
      behind = true;
      kind = d;
    }
    if (behind) this.lookbehindDepth++;
    const body = this.alternation(flags, true);
    if (behind) this.lookbehindDepth--;
    if (!this.eat(')')) throw this.error('missing ), unterminated subpattern', start);
    if (behind) {
      const [lo, hi] = alternationWidth(body);
      if (lo !== hi) throw this.error('look-behind requires fixed-width pattern', start);
    }
    return { k: 'look', behind, negate: kind === '!', body };
  }

  /** `(?aiLmsux)` sets global flags (returns undefined); `(?a-i:...)` returns the group's flags. */
  private flags(c: string, flags: Flags, first: boolean, start: number): Flags | undefined {
    const add = new Set<string>();
    const del = new Set<string>();
    let ch: string | undefined = c;
    if (ch !== '-') {
      for (;;) {
        if (ch === 'L') throw this.error("bad inline flags: cannot use 'L' flag with a str pattern");
        add.add(ch!);
        if (add.has('a') && add.has('u')) throw this.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
        ch = this.next();
        if (ch === undefined) throw this.error('missing -, : or )');
        if (ch === ')' || ch === '-' || ch === ':') break;
        if (!FLAG_LETTERS.has(ch)) throw this.error(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing -, : or )');
      }
    }
    if (ch === ')') {
      if (!first) throw this.error('global flags not at the start of the expression', start);
      if (add.has('t')) throw this.error('the TEMPLATE flag (?t) is not supported', start, true);
      if (add.has('i')) this.global.i = true;
      if (add.has('s')) this.global.s = true;
      if (add.has('x')) this.global.x = true;
      if (add.has('a')) this.global.a = true;
      return undefined;
    }
    if (add.has('t')) throw this.error('bad inline flags: cannot turn on global flag');
    if (ch === '-') {
      ch = this.next();
      if (ch === undefined) throw this.error('missing flag');
      if (!FLAG_LETTERS.has(ch)) throw this.error(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing flag');
      for (;;) {
        if (ch === 'a' || ch === 'u' || ch === 'L') throw this.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
        del.add(ch!);
        ch = this.next();
        if (ch === undefined) throw this.error('missing :');
        if (ch === ':') break;
        if (!FLAG_LETTERS.has(ch)) throw this.error(/\p{L}/u.test(ch) ? 'unknown flag' : 'missing :');
      }
    }
    if (del.has('t')) throw this.error('bad inline flags: cannot turn off global flag');
    for (const f of add) if (del.has(f)) throw this.error('bad inline flags: flag turned on and off');
    const scoped: Flags = {
      i: add.has('i') || (flags.i && !del.has('i')),
      s: add.has('s') || (flags.s && !del.has('s')),
      x: add.has('x') || (flags.x && !del.has('x')),
      a: add.has('a') || flags.a,
    };
    // JavaScript (Node 20) has no scoped modifiers: the emitter spells such parts out by hand
    if (scoped.i !== flags.i) this.mixedCase = true;
    return scoped;
  }

  private until(terminator: string, what: string): string {
    const start = this.pos;
    let s = '';
    for (;;) {
      const c = this.next();
      if (c === undefined) {
        if (!s) throw this.error(`missing ${what}`, start);
        throw this.error(`missing ${terminator}, unterminated name`, start);
      }
      if (c === terminator) {
        if (!s) throw this.error(`missing ${what}`, start);
        break;
      }
      s += c;
    }
    if (!pyIsIdentifier(s)) throw this.error(`bad character in group name '${s}'`, start);
    return s;
  }

  private backref(index: number, flags: Flags): RegexNode {
    if (this.openGroups.has(index)) throw this.error('cannot refer to an open group');
    if (flags.i) this.caseInsensitiveBackref = true;
    if (this.lookbehindDepth > 0) throw this.error('backreferences inside a look-behind are not supported', this.pos, true);
    return { k: 'backref', index };
  }

  private hexEscape(c: string, digits: number, at: number): number {
    let h = '';
    while (h.length < digits && isHex(this.peek())) h += this.next();
    if (h.length !== digits) throw this.error(`incomplete escape \\${c}${h}`, at);
    const cp = parseInt(h, 16);
    if (cp > 0x10ffff) throw this.error(`bad escape \\${c}${h}`, at);
    return cp;
  }

  private escape(flags: Flags): RegexNode {
    const at = this.pos - 1;
    const c = this.next();
    if (c === undefined) throw this.error('bad escape (end of pattern)', at);
    if (CATEGORIES.has(c)) return { k: 'cat', cat: c as Category, ascii: flags.a };
    if (c === 'A') return { k: 'at', at: 'bos', ascii: flags.a };
    if (c === 'Z') return { k: 'at', at: 'eos', ascii: flags.a };
    if (c === 'b') return { k: 'at', at: 'b', ascii: flags.a };
    if (c === 'B') return { k: 'at', at: 'B', ascii: flags.a };
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { k: 'lit', cp: simple, ci: false };
    if (c === 'x') return { k: 'lit', cp: this.hexEscape(c, 2, at), ci: flags.i };
    if (c === 'u') return { k: 'lit', cp: this.hexEscape(c, 4, at), ci: flags.i };
    if (c === 'U') return { k: 'lit', cp: this.hexEscape(c, 8, at), ci: flags.i };
    if (c === 'N') throw this.error('\\N{...} named characters are not supported; write the character or \\uXXXX', at, true);
    if (c === '0') {
      let o = '0';
      while (o.length < 3 && isOct(this.peek())) o += this.next();
      return { k: 'lit', cp: parseInt(o, 8), ci: flags.i };
    }
    if (isDigit(c)) {
      let d = c;
      if (isDigit(this.peek())) {
        d += this.next();
        if (isOct(d[0]) && isOct(d[1]) && isOct(this.peek())) {
          d += this.next();
          const cp = parseInt(d, 8);
          if (cp > 0o377) throw this.error(`octal escape value \\${d} outside of range 0-0o377`, at);
          return { k: 'lit', cp, ci: flags.i };
        }
      }
      const group = Number(d);
      if (group > this.groupCount) throw this.error(`invalid group reference ${group}`, at + 1);
      return this.backref(group, flags);
    }
    if (isAsciiLetter(c)) throw this.error(`bad escape \\${c}`, at);
    return { k: 'lit', cp: c.codePointAt(0)!, ci: flags.i };
  }

  /** One element inside `[...]` after a backslash: a code point or a category. */
  private classEscape(flags: Flags): number | ClassItem {
    const at = this.pos - 1;
    const c = this.next();
    if (c === undefined) throw this.error('bad escape (end of pattern)', at);
    if (c === 'b') return 8;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    if (CATEGORIES.has(c)) return { k: 'cat', cat: c as Category, ascii: flags.a };
    if (c === 'x') return this.hexEscape(c, 2, at);
    if (c === 'u') return this.hexEscape(c, 4, at);
    if (c === 'U') return this.hexEscape(c, 8, at);
    if (c === 'N') throw this.error('\\N{...} named characters are not supported; write the character or \\uXXXX', at, true);
    if (isOct(c)) {
      let o = c;
      while (o.length < 3 && isOct(this.peek())) o += this.next();
      const cp = parseInt(o, 8);
      if (cp > 0o377) throw this.error(`octal escape value \\${o} outside of range 0-0o377`, at);
      return cp;
    }
    if (isDigit(c) || isAsciiLetter(c)) throw this.error(`bad escape \\${c}`, at);
    return c.codePointAt(0)!;
  }

  /** After `[`. */
  private charClass(flags: Flags): RegexNode {
    const here = this.pos - 1;
    const negate = this.eat('^');
    const items: ClassItem[] = [];
    const element = (c: string): number | ClassItem => (c === '\\' ? this.classEscape(flags) : c.codePointAt(0)!);
    for (;;) {
      const c = this.next();
      if (c === undefined) throw this.error('unterminated character set', here);
      if (c === ']' && items.length > 0) break;
      const first = element(c);
      if (this.eat('-')) {
        const d = this.next();
        if (d === undefined) throw this.error('unterminated character set', here);
        if (d === ']') {
          items.push(typeof first === 'number' ? { k: 'range', lo: first, hi: first } : first, { k: 'range', lo: 45, hi: 45 });
          break;
        }
        const second = element(d);
        if (typeof first !== 'number' || typeof second !== 'number' || second < first) throw this.error(`bad character range ${c}-${d}`, here);
        items.push({ k: 'range', lo: first, hi: second });
      } else {
        items.push(typeof first === 'number' ? { k: 'range', lo: first, hi: first } : first);
      }
    }
    return { k: 'class', negate, items, ci: flags.i };
  }
}
