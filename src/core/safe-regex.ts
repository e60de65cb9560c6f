import { RE2JS } from 're2js';
import { NrxError, type ErrorCode } from './errors.js';

/**
 * Regular expressions written by users (rule criteria, wait_for criteria, template filters,
 * parameter schemas) run on RE2JS, an RE2 port: matching time grows linearly with the
 * input, so `^(a+)+$` cannot backtrack for minutes the way V8's engine does. RE2 has no
 * lookaround and no backreferences; such patterns are refused when they compile, naming
 * the construct. Linear is not free: the slow path costs about (input length x program
 * size), so both are bounded too.
 */
export const REGEX_LIMITS = {
  /** RE2 instructions in one compiled pattern (`a{1000}` is about 1,000). */
  programSize: 5_000,
  /** Input characters x program size for one match: about 60 ms on the slowest path. */
  work: 2_000_000,
};

export interface SafeRegexFlags {
  ignoreCase?: boolean;
  dotAll?: boolean;
  multiline?: boolean;
}

export interface SafeRegexOptions extends SafeRegexFlags {
  /** Error code for a bad pattern or an over-budget match (default NRX_ERR_CRITERIA). */
  code?: ErrorCode;
  /** The pattern as the user wrote it, for messages (when `source` is a translation). */
  shown?: string;
}

function brief(pattern: string): string {
  return JSON.stringify(pattern.length > 60 ? `${pattern.slice(0, 57)}...` : pattern);
}

/** A compiled user pattern: match anywhere, or replace every match. */
export class SafeRegex {
  private readonly size: number;

  constructor(
    private readonly re: RE2JS,
    private readonly shown: string,
    private readonly code: ErrorCode,
  ) {
    this.size = re.programSize();
  }

  /** True when the pattern matches somewhere in `input` (RegExp.prototype.test). */
  test(input: string): boolean {
    this.checkBudget(input);
    return this.re.test(input);
  }

  /** Replace every match; `$1`, `$<name>`, `$&` and `$$` as in String.prototype.replace. */
  replaceAll(input: string, replacement: string): string {
    this.checkBudget(input);
    return this.re.matcher(input).replaceAll(replacement);
  }

  /** The named groups of the first match in `input` (unmatched groups are null), or null when nothing matches. */
  namedGroups(input: string): Record<string, string | null> | null {
    this.checkBudget(input);
    const m = this.re.matcher(input);
    return m.find() ? m.getNamedGroups() : null;
  }

  /** Every match in `input`, left to right, as [whole match, group 1, ...] (unmatched groups are null); at most `max`. */
  findAll(input: string, max: number): Array<Array<string | null>> {
    this.checkBudget(input);
    const m = this.re.matcher(input);
    const out: Array<Array<string | null>> = [];
    while (out.length < max && m.find()) {
      const groups: Array<string | null> = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
      out.push(groups);
    }
    return out;
  }

  private checkBudget(input: string): void {
    if (input.length * this.size <= REGEX_LIMITS.work) return;
    const most = Math.floor(REGEX_LIMITS.work / this.size);
    throw new NrxError(this.code, `regex ${brief(this.shown)} is too costly for a value of ${input.length} characters (at most ${most} for this pattern)`);
  }
}

interface Construct {
  test: RegExp;
  name: string;
}

// Checked in order at each position outside a character class.
const UNSUPPORTED: Construct[] = [
  { test: /^\(\?=/, name: 'lookahead (?=...)' },
  { test: /^\(\?!/, name: 'negative lookahead (?!...)' },
  { test: /^\(\?<=/, name: 'lookbehind (?<=...)' },
  { test: /^\(\?<!/, name: 'negative lookbehind (?<!...)' },
  { test: /^\(\?>/, name: 'atomic group (?>...)' },
  { test: /^\(\?\(/, name: 'conditional (?(...)...)' },
  { test: /^\(\?P=/, name: 'backreference (?P=name)' },
  { test: /^\\k[<'{]/, name: 'backreference \\k<name>' },
  { test: /^\\[1-9]/, name: 'backreference \\N' },
  { test: /^[*+?]\+/, name: 'possessive quantifier (*+, ++, ?+)' },
];

/** The first construct RE2 cannot run, by name, or null. */
export function unsupportedConstruct(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (inClass) {
      if (c === '\\') i++;
      else if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c !== '(' && c !== '\\' && c !== '*' && c !== '+' && c !== '?') continue;
    const rest = pattern.slice(i, i + 4);
    const hit = UNSUPPORTED.find((u) => u.test.test(rest));
    if (hit) return hit.name;
    if (c === '\\') i++;
  }
  return null;
}

const MAX_CACHED = 10_000;
const cache = new Map<string, SafeRegex>();

/**
 * Compile an RE2-syntax pattern (cached: templated patterns come back for every event).
 * Throws NrxError (`code`, default NRX_ERR_CRITERIA) for a construct RE2 lacks, a syntax
 * error, or a pattern over the size limit.
 */
export function compileSafeRegex(source: string, opts: SafeRegexOptions = {}): SafeRegex {
  const code = opts.code ?? 'NRX_ERR_CRITERIA';
  const shown = opts.shown ?? source;
  const key = `${code}\u0000${opts.ignoreCase ? 'i' : ''}${opts.dotAll ? 's' : ''}${opts.multiline ? 'm' : ''}\u0000${shown}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const construct = unsupportedConstruct(source);
  if (construct)
    throw new NrxError(
      code,
      `regex ${brief(shown)}: ${construct} is not supported (user regexes run on a linear-time RE2 engine, which has no lookaround or backreferences)`,
    );
  const flags = (opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (opts.dotAll ? RE2JS.DOTALL : 0) | (opts.multiline ? RE2JS.MULTILINE : 0);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp: /, '');
    throw new NrxError(code, `invalid regular expression ${brief(shown)}: ${why}`, { cause: e });
  }
  if (re.programSize() > REGEX_LIMITS.programSize) {
    throw new NrxError(code, `regex ${brief(shown)} is too large: ${re.programSize()} RE2 instructions (at most ${REGEX_LIMITS.programSize})`);
  }
  const safe = new SafeRegex(re, shown, code);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, safe);
  return safe;
}

/**
 * ajv's `code.regExp` engine: JSON-schema `pattern`s (action parameters, trigger payloads)
 * on the linear-time engine. A pattern RE2 cannot run fails the schema's compile; a value
 * over the work budget does not match the pattern.
 */
export const ajvPatternEngine = Object.assign(
  (pattern: string): { test(s: string): boolean } => {
    const re = compileSafeRegex(pattern, { code: 'NRX_ERR_SPEC_INVALID' });
    return {
      test: (s: string): boolean => {
        try {
          return re.test(s);
        } catch {
          return false;
        }
      },
    };
  },
  { code: 'ajvPatternEngine' },
);
