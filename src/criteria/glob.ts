import { NrxError } from '../core/errors.js';

/**
 * fnmatch-style globs (`*`, `?`, `[seq]`, `[!seq]`; `*` crosses '/') matched over the
 * whole value. Not through a backtracking RegExp: `*a*a*a*a*a*a*a*a*b` took seconds on a
 * 40-character value that way. The matcher below remembers only the last `*` it passed,
 * so a match costs at most (value length x pattern length) steps, and that is bounded.
 */
export const GLOB_LIMITS = {
  /** Value characters x pattern tokens for one match: about 10 ms at worst. */
  work: 2_000_000,
};

/** `*`, one literal character, or one character out of a set (`?`, `[...]`). */
type Token = { star: true } | { star: false; lit: string } | { star: false; lit?: undefined; one: (c: string) => boolean };

export interface Glob {
  readonly source: string;
  /** True when the glob matches the whole of `value`. */
  test(value: string): boolean;
}

function classToken(set: string, negate: boolean, glob: string): Token {
  const body = set.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/^\^/, '\\^');
  let re: RegExp;
  try {
    // one character class, no quantifier: cannot backtrack
    re = new RegExp(`^[${negate ? '^' : ''}${body}]$`, 's');
  } catch (e) {
    throw new NrxError('NRX_ERR_CRITERIA', `invalid wildcard pattern ${JSON.stringify(glob)}: ${(e as Error).message}`, { cause: e });
  }
  return { star: false, one: (c) => re.test(c) };
}

function tokenize(glob: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < glob.length) {
    const c = glob[i++]!;
    if (c === '*') {
      if (!out[out.length - 1]?.star) out.push({ star: true });
    } else if (c === '?') out.push({ star: false, one: () => true });
    else if (c === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        out.push({ star: false, lit: '[' });
        continue;
      }
      const set = glob.slice(i, j);
      i = j + 1;
      out.push(set.startsWith('!') ? classToken(set.slice(1), true, glob) : classToken(set, false, glob));
    } else out.push({ star: false, lit: c });
  }
  return out;
}

class CompiledGlob implements Glob {
  constructor(
    readonly source: string,
    private readonly tokens: Token[],
  ) {}

  test(value: string): boolean {
    const toks = this.tokens;
    if (value.length * toks.length > GLOB_LIMITS.work) {
      throw new NrxError('NRX_ERR_CRITERIA', `wildcard ${JSON.stringify(this.source.slice(0, 60))} is too costly for a value of ${value.length} characters`);
    }
    let p = 0;
    let s = 0;
    let starAt = -1;
    let resumeAt = 0;
    while (s < value.length) {
      const t = toks[p];
      if (t && !t.star && (t.lit !== undefined ? t.lit === value[s] : t.one(value[s]!))) {
        p++;
        s++;
      } else if (t?.star) {
        starAt = p++;
        resumeAt = s;
      } else if (starAt !== -1) {
        // let the last star take one more character and retry what follows it
        p = starAt + 1;
        s = ++resumeAt;
      } else return false;
    }
    while (toks[p]?.star) p++;
    return p === toks.length;
  }
}

const MAX_CACHED = 10_000;
const cache = new Map<string, Glob>();

/** Compile (cached) a glob; throws NRX_ERR_CRITERIA for an invalid `[...]` range. */
export function compileGlob(glob: string): Glob {
  let g = cache.get(glob);
  if (g) return g;
  g = new CompiledGlob(glob, tokenize(glob));
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(glob, g);
  return g;
}
