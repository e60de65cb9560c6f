import { compileSafeRegex } from './safe-regex.js';
import { currentRender } from './template-budget.js';
import { filterError } from './st2-version.js';

/**
 * StackStorm's regex Jinja filters on the linear-time engine of safe-regex.ts, so a template
 * cannot stall the appliance with a pattern that backtracks: regex_match (at the start),
 * regex_search (anywhere), regex_replace (every match) and regex_substring (the Nth match, as
 * Python's re.findall lists them). Each takes StackStorm's `ignorecase` as its last argument.
 * Patterns keep their RE2 syntax (Python's `(?P<name>...)` included); lookaround and
 * backreferences are refused with NRX_ERR_TEMPLATE naming the construct.
 */
const compile = (p: unknown, ignorecase: unknown) =>
  compileSafeRegex(String(p), { code: 'NRX_ERR_TEMPLATE', shown: String(p), ignoreCase: ignorecase === true });

/**
 * A replacement as Python's re.sub reads it (`\1`, `\g<1>`, `\g<name>`, `\\`), in the engine's
 * syntax; `$1` keeps working as before.
 */
export function pythonReplacement(r: string): string {
  return r.replace(/\\(?:g<([A-Za-z_][A-Za-z0-9_]*|\d+)>|(\d{1,2})|(.))/gs, (all, g: string | undefined, n: string | undefined, c: string | undefined) => {
    if (g !== undefined) return /^\d+$/.test(g) ? `$${g}` : `$<${g}>`;
    if (n !== undefined) return `$${n}`;
    const escapes: Record<string, string> = { '\\': '\\', n: '\n', t: '\t', r: '\r' };
    return escapes[c!] ?? all;
  });
}

export const REGEX_FILTERS = {
  regex_match: (v: unknown, p: unknown, ignorecase?: unknown): boolean =>
    compileSafeRegex(`\\A(?:${String(p)})`, { code: 'NRX_ERR_TEMPLATE', shown: String(p), ignoreCase: ignorecase === true }).test(String(v)),
  regex_search: (v: unknown, p: unknown, ignorecase?: unknown): boolean => compile(p, ignorecase).test(String(v)),
  regex_replace: (v: unknown, p: unknown, r: unknown, ignorecase?: unknown): string =>
    compile(p, ignorecase).replaceAll(String(v), pythonReplacement(String(r ?? ''))),
  regex_substring: (v: unknown, p: unknown, index?: unknown, ignorecase?: unknown): unknown => {
    const i = index === undefined || index === null ? 0 : Number(index);
    if (!Number.isInteger(i))
      throw filterError(`regex_substring: the result index must be a whole number (got ${JSON.stringify(index)})`, { filter: 'regex_substring' });
    const max = currentRender()?.limits.maxLoopIterations ?? 100_000;
    const found = compile(p, ignorecase).findAll(String(v), i >= 0 ? i + 1 : max + 1);
    // Python indexes from the end too: -1 is the last match.
    const m = found[i >= 0 ? i : found.length + i];
    if (!m)
      throw filterError(`regex_substring: ${JSON.stringify(String(p))} has no match number ${i} (it matched ${found.length} time(s))`, {
        filter: 'regex_substring',
      });
    // As re.findall: the whole match without groups, the group with one, all groups with more.
    if (m.length === 1) return m[0];
    if (m.length === 2) return m[1] ?? '';
    return m.slice(1).map((g) => g ?? '');
  },
};
