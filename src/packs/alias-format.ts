import { NrxError } from '../core/errors.js';
import { compileSafeRegex, type SafeRegex } from '../core/safe-regex.js';

/**
 * StackStorm's action-alias format strings (`bgp summary {{ device }}`,
 * `show {{ what=version }} on {{ device }}`), matched the way st2's ActionAliasFormatParser
 * does: the text around the placeholders is a regular expression, a placeholder takes a
 * quoted string, a `{...}` object or the shortest run of text that lets the rest match, a
 * placeholder with a default may be left out, and `key=value` pairs at the end of a command
 * become extra parameters. Formats compile to RE2 (linear time): a chat line cannot make the
 * matcher backtrack, and a format using lookaround is refused when it loads.
 */
export interface CompiledFormat {
  /** The format as written (a plain format, or one `representation` entry). */
  source: string;
  /** Placeholder names in order. */
  params: string[];
  /** Defaults of the optional placeholders, as written (quotes removed). */
  defaults: Record<string, string>;
  regex: SafeRegex;
}

/** `{{ name }}` or `{{ name = default }}`, with the whitespace before it (it belongs to an optional placeholder). */
const PLACEHOLDER = /(\s*)\{\{\s*([A-Za-z_][\w.]*)\s*(?:=\s*("[^"]*"|'[^']*'|\{[^}]*\}|[^}]*?))?\s*\}\}/g;

/** Chat lines longer than this are not commands: the matcher's work stays small. */
export const MAX_COMMAND_LENGTH = 2_000;

export function compileFormat(source: string): CompiledFormat {
  const params: string[] = [];
  const defaults: Record<string, string> = {};
  let pattern = '';
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    const [whole, space, name, dflt] = m as unknown as [string, string, string, string | undefined];
    if (params.includes(name)) throw new NrxError('NRX_ERR_SPEC_INVALID', `format ${JSON.stringify(source)}: placeholder '${name}' appears twice`);
    const group = `p${params.length}`;
    params.push(name);
    pattern += source.slice(last, m.index);
    last = m.index + whole.length;
    // quoted values lose their quotes; otherwise the shortest text that lets the rest match
    const value = `(?:"(?P<${group}_dq>[^"]*)"|'(?P<${group}_sq>[^']*)'|(?P<${group}_v>\\{.+?\\}|.+?))`;
    const lead = space ? '\\s+' : '';
    if (dflt === undefined) pattern += lead + value;
    else {
      defaults[name] = unquote(dflt.trim());
      pattern += `(?:${lead}${value})?`;
    }
  }
  pattern += source.slice(last);
  // anchored like st2 when the format does not anchor itself
  const anchored = `${pattern.startsWith('^') ? '' : '^\\s*'}${pattern}${pattern.endsWith('$') ? '' : '\\s*$'}`;
  const regex = compileSafeRegex(anchored, { dotAll: true, code: 'NRX_ERR_SPEC_INVALID', shown: source });
  return { source, params, defaults, regex };
}

/**
 * The parameters `command` gives `format`, or null when it does not match. Values are strings,
 * as st2 extracts them (the action's schema coerces them). Nothing here renders a template:
 * `{{ 7*7 }}` typed in a chat stays that text.
 */
export function matchFormat(format: CompiledFormat, command: string): Record<string, string> | null {
  if (command.length > MAX_COMMAND_LENGTH) return null;
  const { rest, pairs } = trailingPairs(command);
  let groups = format.regex.namedGroups(` ${rest} `);
  let extra = pairs;
  if (!groups && pairs.length) {
    // the pairs may belong to the format itself (`set {{ key }}` with `set a=b`)
    groups = format.regex.namedGroups(` ${command} `);
    extra = [];
  }
  if (!groups) return null;
  const out: Record<string, string> = {};
  format.params.forEach((name, i) => {
    const v = groups[`p${i}_dq`] ?? groups[`p${i}_sq`] ?? groups[`p${i}_v`];
    if (v !== null && v !== undefined && v !== '') out[name] = v;
    else if (name in format.defaults) out[name] = format.defaults[name]!;
  });
  for (const [k, v] of extra) out[k] = v;
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/**
 * st2's "ending" pairs: the longest run of `key=value` words at the end of the command
 * (values may be quoted or a `{...}` object), cut off and returned in order.
 */
export function trailingPairs(command: string): { rest: string; pairs: Array<[string, string]> } {
  const tokens = tokenize(command);
  const pairs: Array<[string, string]> = [];
  let cut = command.length;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    const eq = t.text.indexOf('=');
    if (eq <= 0 || /\s/.test(t.text.slice(0, eq))) break;
    pairs.unshift([t.text.slice(0, eq), unquote(t.text.slice(eq + 1))]);
    cut = t.start;
  }
  return { rest: command.slice(0, cut).trimEnd(), pairs };
}

/** Whitespace-separated words; a quoted or braced run is one word (`msg="a b"`, `x={"a": 1}`). */
function tokenize(s: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    let close: string | null = null;
    while (i < s.length && (close !== null || !/\s/.test(s[i]!))) {
      const c = s[i]!;
      if (close !== null) {
        if (c === close) close = null;
      } else if (c === '"' || c === "'") close = c;
      else if (c === '{') close = '}';
      i++;
    }
    out.push({ text: s.slice(start, i), start });
  }
  return out;
}
