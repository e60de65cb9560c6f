import { NrxError } from '../core/errors.js';
import { compileSafeRegex, type SafeRegex } from '../core/safe-regex.js';

/**
 * Python regular expressions as rule authors write them (StackStorm evaluates criteria with
 * Python's `re`), translated to RE2 syntax and run on the linear-time engine of
 * core/safe-regex.ts. Compiled patterns are cached there, since templated patterns are
 * re-rendered for every event. Globs are in glob.ts.
 */

const INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

export interface PythonRegexOptions {
  ignoreCase?: boolean;
  dotAll?: boolean;
  /** Match at the start only, as Python's re.match (the `matchregex` operator). */
  anchored?: boolean;
}

/**
 * Translate a Python regular expression for RE2: leading inline flags, `\Z`, `{,n}`,
 * `\uXXXX`, `(?#...)` comments, a `]` first in a class, and Python's `$` (which also
 * matches before a final newline). Verbose mode (?x) is refused, and so is what RE2 cannot
 * run in linear time (backreferences, lookaround), by name: NRX_ERR_CRITERIA.
 */
export function pythonRegex(pattern: string, opts: PythonRegexOptions = {}): SafeRegex {
  // one map per option set, keyed by the pattern string itself: its hash is cached, so a hit is cheap
  const cache = translated[(opts.ignoreCase ? 1 : 0) | (opts.dotAll ? 2 : 0) | (opts.anchored ? 4 : 0)]!;
  let re = cache.get(pattern);
  if (re) return re;
  re = compilePython(pattern, opts);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(pattern, re);
  return re;
}

const MAX_CACHED = 10_000;
const translated = Array.from({ length: 8 }, () => new Map<string, SafeRegex>());

function compilePython(pattern: string, opts: PythonRegexOptions): SafeRegex {
  const flags = { ignoreCase: Boolean(opts.ignoreCase), dotAll: Boolean(opts.dotAll), multiline: false };
  let src = pattern;
  const inline = INLINE_FLAGS.exec(src);
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'x') throw new NrxError('NRX_ERR_CRITERIA', `regex ${JSON.stringify(pattern)}: verbose mode (?x) is not supported`);
      if (f === 'i') flags.ignoreCase = true;
      if (f === 's') flags.dotAll = true;
      if (f === 'm') flags.multiline = true;
    }
    src = src.slice(inline[0].length);
  }
  const body = translate(src, flags.multiline);
  return compileSafeRegex(opts.anchored ? `\\A(?:${body})` : body, { ...flags, shown: pattern });
}

const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX8 = /^[0-9a-fA-F]{8}$/;
const EMPTY_MIN = /^\{,(\d+)\}/;

function translate(src: string, multiline: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) out += '\\\\';
      else if (!inClass && n === 'Z') out += '\\z';
      else if (n === 'u' && HEX4.test(src.slice(i + 1, i + 5))) {
        out += `\\x{${src.slice(i + 1, i + 5)}}`;
        i += 4;
      } else if (n === 'U' && HEX8.test(src.slice(i + 1, i + 9))) {
        out += `\\x{${src.slice(i + 1, i + 9)}}`;
        i += 8;
      } else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?#', i)) {
      const end = src.indexOf(')', i);
      if (end !== -1) {
        i = end;
        continue;
      }
    }
    const emptyMin = c === '{' ? EMPTY_MIN.exec(src.slice(i, i + 12)) : null;
    if (emptyMin) {
      out += `{0,${emptyMin[1]}}`;
      i += emptyMin[0].length - 1;
      continue;
    }
    // Python's $ also matches before a final newline; RE2's (without m) only at the end
    if (c === '$' && !multiline) {
      out += '(?:\\n?\\z)';
      continue;
    }
    out += c;
  }
  return out;
}
