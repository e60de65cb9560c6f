import yaml from 'js-yaml';
import { isNrxError } from './errors.js';
import { parseYaml } from './yaml.js';
import { currentRender } from './template-budget.js';
import { jsonpathQuery } from './jsonpath.js';
import { jsonErrorOffset } from './json-position.js';
import { REGEX_FILTERS } from './template-regex.js';
import { filterError, VERSION_FILTERS } from './st2-version.js';

/**
 * StackStorm's own Jinja filters, with the behaviour StackStorm documents, so a pack's
 * templates render here as they do there. Each takes and returns plain data (never a
 * function); the sandbox (template-sandbox.ts) counts every call and holds arguments and
 * results to the render's size limits.
 */

interface DumpOptions {
  indent: number | null;
  sortKeys: boolean;
  itemSep: string;
  keySep: string;
}

/** A string as Python's json.dumps writes it: ASCII only, everything else as \uXXXX. */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's json.dumps(value, indent, sort_keys, separators), the text StackStorm makes. */
export function pythonJsonDumps(value: unknown, o: DumpOptions, depth = 0): string {
  currentRender()?.tick();
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  if (typeof value === 'bigint') return String(value);
  if (depth > 64) throw filterError('the value is nested more than 64 deep', { limit: 'depth' });
  if (value instanceof Date) return pyString(value.toISOString());
  if (typeof value !== 'object') return pyString(String(value));
  const entries: Array<[string | null, unknown]> = Array.isArray(value)
    ? value.map((v) => [null, v])
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  if (o.sortKeys && !Array.isArray(value)) entries.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (!entries.length) return open + close;
  // Indents multiply with depth: the text is held to the render's limits while it is built, not after.
  const b = currentRender();
  const most = b ? b.valueCap + b.limits.maxOutputChars : Infinity;
  let size = 0;
  const items = entries.map(([k, v]) => {
    const item = (k === null ? '' : pyString(k) + o.keySep) + pythonJsonDumps(v, o, depth + 1);
    size += item.length + (o.indent ?? 0) * (depth + 1) + 2;
    if (size > most && b) throw b.refuse(`the JSON text would be more than ${most} characters, the most a filter may make here`, 'output size', most);
    return item;
  });
  if (o.indent === null) return open + items.join(o.itemSep) + close;
  const pad = (n: number): string => '\n' + ' '.repeat(o.indent! * n);
  // With an indent Python ends each item's line at the separator (trailing spaces dropped only when it is ', ').
  return open + pad(depth + 1) + items.join(o.itemSep + pad(depth + 1)) + pad(depth) + close;
}

function indentOf(indent: unknown, filter: string): number | null {
  if (indent === undefined || indent === null) return null;
  const n = Number(indent);
  if (!Number.isInteger(n) || n < 0 || n > 16)
    throw filterError(`${filter}: indent must be a whole number from 0 to 16 (got ${JSON.stringify(indent)})`, { filter });
  return n;
}

/** `to_json_string(indent=None, sort_keys=False, separators=(',', ': '))`. */
function toJsonString(value: unknown, indent?: unknown, sortKeys?: unknown, separators?: unknown): string {
  const seps = Array.isArray(separators) && separators.length === 2 ? separators.map(String) : [',', ': '];
  return pythonJsonDumps(value, { indent: indentOf(indent, 'to_json_string'), sortKeys: sortKeys === true, itemSep: seps[0]!, keySep: seps[1]! });
}

/** json.dumps' defaults: what to_complex and json_escape make. */
const PY_DEFAULT: DumpOptions = { indent: null, sortKeys: false, itemSep: ', ', keySep: ': ' };

/** JSON text to data; text that is not JSON fails naming where. A value that is not text is already data. */
function fromJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    // The engine's wording stays inside (it names no position on every Node version).
    const pos = jsonErrorOffset(value);
    const before = value.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    const near = value.slice(pos, pos + 20);
    throw filterError(
      `from_json_string: the text is not valid JSON at line ${line}, column ${column}${near ? ` (near ${JSON.stringify(near)})` : ' (it ends too early)'}`,
      { filter: 'from_json_string', line, column },
    );
  }
}

function fromYamlString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseYaml(value, 'from_yaml_string').doc;
  } catch (e) {
    // The parser's message carries the place as "from_yaml_string, line N: ..."; it reads well as it is.
    const why = isNrxError(e) ? e.message.replace(/^from_yaml_string(?=[,:])/, 'the text') : 'the text is not valid YAML';
    throw filterError(`from_yaml_string: ${why}`, { filter: 'from_yaml_string' });
  }
}

/** As PyYAML's safe_dump(default_flow_style=False): block style, keys sorted, lists not indented under their key. */
function toYamlString(value: unknown, indent?: unknown): string {
  const n = indentOf(indent, 'to_yaml_string') ?? 2;
  try {
    const text = yaml.dump(value, { indent: Math.max(1, n), sortKeys: true, noArrayIndent: true, noRefs: true, skipInvalid: true, lineWidth: 80 });
    // PyYAML ends a document that is a lone scalar with the end marker.
    return value !== null && typeof value === 'object' ? text : `${text}...\n`;
  } catch {
    throw filterError('to_yaml_string: the value cannot be written as YAML', { filter: 'to_yaml_string' });
  }
}

/** json.dumps(value) without the quotes around it: a string ready to paste inside JSON quotes. */
function jsonEscape(value: unknown): string {
  const text = pythonJsonDumps(value, PY_DEFAULT);
  return typeof value === 'string' ? text.slice(1, -1) : text;
}

/** `4587 | to_human_time_from_seconds` is '1h16m27s'; below a second, microseconds as StackStorm prints them. */
function toHumanTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const seconds = typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw filterError(`to_human_time_from_seconds: ${JSON.stringify(value)} is not a number of seconds`, { filter: 'to_human_time_from_seconds' });
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${seconds}\u03bcs`;
  let rest = Math.round(seconds);
  const parts: Array<[number, string]> = [];
  for (const [size, unit] of [
    [365 * 86400, 'y'],
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ] as const) {
    parts.push([Math.floor(rest / size), unit]);
    rest %= size;
  }
  parts.push([rest, 's']);
  const first = parts.findIndex(([n]) => n !== 0);
  return parts
    .slice(first)
    .map(([n, u]) => `${n}${u}`)
    .join('');
}

/** os.path.basename / dirname (POSIX): the text after / before the last slash. */
function basename(value: unknown): string {
  const p = String(value ?? '');
  return p.slice(p.lastIndexOf('/') + 1);
}

function dirname(value: unknown): string {
  const p = String(value ?? '');
  const cut = p.lastIndexOf('/') + 1;
  const head = p.slice(0, cut);
  // Python keeps a head made only of slashes, and drops the trailing ones of any other.
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

export const ST2_FILTERS: Readonly<Record<string, (...args: never[]) => unknown>> = {
  json_escape: jsonEscape,
  to_json_string: toJsonString,
  from_json_string: fromJsonString,
  to_yaml_string: toYamlString,
  from_yaml_string: fromYamlString,
  to_complex: (value: unknown): string => pythonJsonDumps(value, PY_DEFAULT),
  jsonpath_query: jsonpathQuery,
  to_human_time_from_seconds: toHumanTime,
  // StackStorm marks None so a parameter renders as None, not 'None'; a whole-expression value here keeps null already.
  use_none: (value: unknown): unknown => (value === undefined ? null : value),
  basename,
  dirname,
  ...REGEX_FILTERS,
  ...VERSION_FILTERS,
};
