import { currentRender } from './template-budget.js';
import { filterError } from './st2-version.js';

/**
 * The JSONPath StackStorm's `jsonpath_query` filter takes (python-jsonpath-rw), the part real
 * packs use: `$`, `.name`, `['name']`, `.*`, `[*]`, `[0]`, `[-1]`, `[1:3]`, `[0,2]`, and `..name`
 * (every depth). Filters (`?()`), `where`, `|` and script parts are refused by name before
 * anything runs: they are code, and a template may not run code. The walk is linear in the
 * value's size and reads the render's clock as it goes.
 */

type Step =
  { kind: 'field'; names: string[] | '*' } | { kind: 'index'; picks: Array<number | [number | null, number | null]> | '*' } | { kind: 'descend'; then: Step };

const NAME = /^[A-Za-z0-9_@$-]+/;

function refuse(query: string, at: number, what: string): Error {
  return filterError(`jsonpath_query: ${JSON.stringify(query)} at character ${at + 1}: ${what}`, { filter: 'jsonpath_query' });
}

export function parseJsonPath(query: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const s = query.trim();
  if (s.startsWith('$')) i = 1;
  const field = (): Step => {
    if (s[i] === '*') {
      i++;
      return { kind: 'field', names: '*' };
    }
    if (s[i] === "'" || s[i] === '"') return { kind: 'field', names: [quoted()] };
    const m = NAME.exec(s.slice(i));
    if (!m) throw refuse(query, i, s[i] === undefined ? 'a name is missing at the end' : `${JSON.stringify(s[i])} is not supported here`);
    i += m[0].length;
    return { kind: 'field', names: [m[0]] };
  };
  const quoted = (): string => {
    const q = s[i]!;
    const end = s.indexOf(q, i + 1);
    if (end < 0) throw refuse(query, i, 'the quote is not closed');
    const name = s.slice(i + 1, end);
    i = end + 1;
    return name;
  };
  const int = (): number | null => {
    const m = /^-?\d+/.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const bracket = (): Step => {
    i++;
    const skip = (): void => {
      while (s[i] === ' ') i++;
    };
    skip();
    if (s[i] === '*') {
      i++;
      skip();
      if (s[i++] !== ']') throw refuse(query, i - 1, "']' expected after '*'");
      return { kind: 'index', picks: '*' };
    }
    if (s[i] === "'" || s[i] === '"') {
      const names: string[] = [];
      for (;;) {
        skip();
        names.push(quoted());
        skip();
        if (s[i] === ',') i++;
        else break;
      }
      if (s[i++] !== ']') throw refuse(query, i - 1, "']' expected");
      return { kind: 'field', names };
    }
    const picks: Array<number | [number | null, number | null]> = [];
    for (;;) {
      skip();
      const from = int();
      if (s[i] === ':') {
        i++;
        picks.push([from, int()]);
      } else if (from === null)
        throw refuse(
          query,
          i,
          `${s[i] === undefined ? 'the bracket is not closed' : `${JSON.stringify(s[i])} is not supported (filters and scripts are code)`}`,
        );
      else picks.push(from);
      skip();
      if (s[i] === ',') i++;
      else break;
    }
    if (s[i++] !== ']') throw refuse(query, i - 1, "']' expected");
    return { kind: 'index', picks };
  };
  if (i === 0 && s.length && s[0] !== '.' && s[0] !== '[') steps.push(field());
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      i += 2;
      steps.push({ kind: 'descend', then: s[i] === '[' ? bracket() : field() });
    } else if (s[i] === '.') {
      i++;
      steps.push(field());
    } else if (s[i] === '[') steps.push(bracket());
    else throw refuse(query, i, `${JSON.stringify(s[i])} is not supported (only paths: filters, 'where' and '|' are not)`);
  }
  return steps;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function apply(step: Step, v: unknown, out: unknown[]): void {
  currentRender()?.tick();
  if (step.kind === 'field') {
    if (!isObject(v)) return;
    if (step.names === '*') for (const k of Object.keys(v)) out.push(v[k]);
    else for (const n of step.names) if (own(v, n)) out.push(v[n]);
    return;
  }
  if (step.kind === 'index') {
    // As jsonpath-rw does: `[*]` and slices see a single value as a list of one.
    const list = Array.isArray(v) ? v : [v];
    if (step.picks === '*') return void out.push(...list);
    for (const p of step.picks) {
      if (typeof p === 'number') {
        if (!Array.isArray(v)) continue;
        const at = p < 0 ? list.length + p : p;
        if (at >= 0 && at < list.length) out.push(list[at]);
      } else {
        const norm = (n: number | null, d: number): number => (n === null ? d : n < 0 ? Math.max(0, list.length + n) : Math.min(n, list.length));
        out.push(...list.slice(norm(p[0], 0), norm(p[1], list.length)));
      }
    }
    return;
  }
  // Every depth, the value itself first, then its children in order.
  const stack: unknown[] = [v];
  while (stack.length) {
    const node = stack.pop();
    apply(step.then, node, out);
    const children = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
    for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]);
  }
}

/** StackStorm's `jsonpath_query`: the list of matches, or null (None) when nothing matches. */
export function jsonpathQuery(value: unknown, query: unknown): unknown[] | null {
  if (typeof query !== 'string') throw filterError('jsonpath_query: the query must be text, such as "$.interfaces[*].name"', { filter: 'jsonpath_query' });
  let found: unknown[] = [value];
  for (const step of parseJsonPath(query)) {
    const next: unknown[] = [];
    for (const v of found) apply(step, v, next);
    found = next;
  }
  return found.length ? found : null;
}
