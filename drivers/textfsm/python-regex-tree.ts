/**
 * The tree a Python regex parses into (python-regex-parse.ts) and is written out from
 * (python-regex.ts), and what can be asked of it without writing it out.
 */
export type Category = 'd' | 'D' | 'w' | 'W' | 's' | 'S';
export type ClassItem = { k: 'range'; lo: number; hi: number } | { k: 'cat'; cat: Category; ascii: boolean };
export type Anchor = 'bol' | 'eol' | 'bos' | 'eos' | 'b' | 'B';

export type RegexNode =
  | { k: 'lit'; cp: number; ci: boolean }
  | { k: 'any'; dotall: boolean }
  | { k: 'cat'; cat: Category; ascii: boolean }
  | { k: 'class'; negate: boolean; items: ClassItem[]; ci: boolean }
  | { k: 'at'; at: Anchor; ascii: boolean }
  | { k: 'group'; index: number | null; name: string | null; body: Alternation }
  | { k: 'look'; behind: boolean; negate: boolean; body: Alternation }
  | { k: 'backref'; index: number }
  | { k: 'repeat'; min: number; max: number; lazy: boolean; body: RegexNode };

export interface Alternation {
  branches: RegexNode[][];
}

export interface ParsedRegex {
  root: Alternation;
  /**
   * Case-insensitive everywhere with a backreference: only the JavaScript `i` flag can do that.
   * Otherwise the `ci` nodes are spelt out by hand, which follows Python's case rules more closely.
   */
  ignoreCaseFlag: boolean;
  /** Capturing groups, named or not (Python's `pattern.groups`). */
  groupCount: number;
  /** Named groups in the order they open, with their numbers. */
  groupNames: Map<string, number>;
}

/** A pattern Python would reject, or one JavaScript cannot express. `position` counts code points. */
export class PyRegexError extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly unsupported = false,
  ) {
    super(message);
    this.name = 'PyRegexError';
  }
}

/** Python's `getwidth()`: the shortest and longest text a pattern can match. */
export function alternationWidth(alt: Alternation): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (const b of alt.branches) {
    let l = 0;
    let h = 0;
    for (const n of b) {
      const [nl, nh] = nodeWidth(n);
      l += nl;
      h += nh;
    }
    lo = Math.min(lo, l);
    hi = Math.max(hi, h);
  }
  return [lo === Infinity ? 0 : lo, hi];
}

function nodeWidth(n: RegexNode): [number, number] {
  switch (n.k) {
    case 'lit':
    case 'any':
    case 'cat':
    case 'class':
      return [1, 1];
    case 'at':
    case 'look':
      return [0, 0];
    case 'group':
      return alternationWidth(n.body);
    case 'backref':
      return [0, Infinity];
    case 'repeat': {
      const [l, h] = nodeWidth(n.body);
      return [l * n.min, h === 0 ? 0 : h * n.max];
    }
  }
}
