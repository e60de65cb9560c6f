import { NrxError } from '../core/errors.js';

/**
 * Patterns rule authors write in Python's dialects: shell globs (fnmatch) and Python
 * regular expressions. Both are translated to JavaScript RegExps once and cached, since
 * templated patterns are re-rendered for every event.
 */

const MAX_CACHED = 10_000;
const regexCache = new Map<string, RegExp>();

function cached(key: string, build: () => RegExp): RegExp {
  let re = regexCache.get(key);
  if (re) return re;
  re = build();
  if (regexCache.size >= MAX_CACHED) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** fnmatch-style glob as a full-match RegExp: `*`, `?`, `[seq]`, `[!seq]`; `*` crosses '/'. */
export function globToRegExp(glob: string): RegExp {
  return cached(`g\u0000${glob}`, () => {
    let out = '';
    let i = 0;
    while (i < glob.length) {
      const c = glob[i++]!;
      if (c === '*') out += '[\\s\\S]*';
      else if (c === '?') out += '[\\s\\S]';
      else if (c === '[') {
        let j = i;
        if (glob[j] === '!') j++;
        if (glob[j] === ']') j++;
        while (j < glob.length && glob[j] !== ']') j++;
        if (j >= glob.length) {
          out += '\\[';
          continue;
        }
        let set = glob.slice(i, j);
        i = j + 1;
        const negate = set.startsWith('!');
        if (negate) set = set.slice(1);
        set = set.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/^\^/, '\\^');
        out += `[${negate ? '^' : ''}${set}]`;
      } else out += escapeRegex(c);
    }
    try {
      return new RegExp(`^(?:${out})$`, 's');
    } catch (e) {
      throw new NrxError('NRX_ERR_CRITERIA', `invalid wildcard pattern ${JSON.stringify(glob)}: ${(e as Error).message}`, { cause: e });
    }
  });
}

const INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

/**
 * Translate a Python regular expression to a JavaScript one: leading inline flags,
 * `(?P<name>...)`, `(?P=name)`, `\A`, `\Z`, a `]` first in a class, and Python's `$`
 * (which also matches before a final newline). Verbose mode (?x) is refused.
 */
export function pythonRegex(pattern: string, opts: { ignoreCase?: boolean; dotAll?: boolean; sticky?: boolean } = {}): RegExp {
  const key = `r\u0000${opts.ignoreCase ? 'i' : ''}${opts.dotAll ? 's' : ''}${opts.sticky ? 'y' : ''}\u0000${pattern}`;
  return cached(key, () => {
    const flags = new Set<string>();
    if (opts.ignoreCase) flags.add('i');
    if (opts.dotAll) flags.add('s');
    if (opts.sticky) flags.add('y');
    let src = pattern;
    const inline = INLINE_FLAGS.exec(src);
    if (inline) {
      for (const f of inline[1]!) {
        if (f === 'x') throw new NrxError('NRX_ERR_CRITERIA', `regex ${JSON.stringify(pattern)}: verbose mode (?x) is not supported`);
        if (f === 'i' || f === 'm' || f === 's') flags.add(f);
      }
      src = src.slice(inline[0].length);
    }
    const body = translate(src, flags.has('m'));
    try {
      return new RegExp(body, [...flags].join(''));
    } catch (e) {
      throw new NrxError('NRX_ERR_CRITERIA', `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, { cause: e });
    }
  });
}

function translate(src: string, multiline: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) out += '\\\\';
      else if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'Z') out += '(?![\\s\\S])';
      else out += `\\${n}`;
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
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      if (end !== -1) {
        out += `\\k<${src.slice(i + 4, end)}>`;
        i = end;
        continue;
      }
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    out += c;
  }
  return out;
}
