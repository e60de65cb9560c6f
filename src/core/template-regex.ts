import { compileSafeRegex } from './safe-regex.js';

/**
 * The Jinja filters regex_match (at the start), regex_search (anywhere) and regex_replace
 * (every match), on the linear-time engine of safe-regex.ts: a template cannot stall the
 * appliance with a pattern that backtracks. Patterns keep their JavaScript/RE2 syntax;
 * lookaround and backreferences are refused with NRX_ERR_TEMPLATE naming the construct.
 */
const opts = (p: unknown) => ({ code: 'NRX_ERR_TEMPLATE' as const, shown: String(p) });

export const REGEX_FILTERS = {
  regex_match: (v: unknown, p: unknown): boolean => compileSafeRegex(`\\A(?:${String(p)})`, opts(p)).test(String(v)),
  regex_search: (v: unknown, p: unknown): boolean => compileSafeRegex(String(p), opts(p)).test(String(v)),
  regex_replace: (v: unknown, p: unknown, r: unknown): string => compileSafeRegex(String(p), opts(p)).replaceAll(String(v), String(r ?? '')),
};
