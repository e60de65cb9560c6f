import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { harness } from '../api/harness.js';

/**
 * The UI's typed API client, checked against the appliance's own OpenAPI document: every method
 * and path the UI calls must be an operation there, so a route renamed or removed in the API
 * breaks this test rather than a page.
 */
const UI = 'src/ui';
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );

const PARAM = '{param}';
/** What one `${...}` in a path can be: the string literals it names (directly or by a union type in the file), else a path parameter. */
function values(expr: string, file: string): string[] {
  const literals = [...expr.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  if (literals.length) return literals;
  const union = new RegExp(`\\b${expr.trim()}: ((?:'[^']*'(?: \\| )?)+)`).exec(file);
  if (union) return [...union[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  return [PARAM];
}
/** Every concrete path a template can produce (query strings dropped). */
function expand(template: string, file: string): string[] {
  const clean = template.replace(/\$\{q\(.*$/, '');
  const parts = clean.split(/(\$\{[^}]*\})/);
  let out = [''];
  for (const part of parts) {
    const options = part.startsWith('${') ? values(part.slice(2, -1), file) : [part];
    out = out.flatMap((o) => options.map((v) => o + v));
  }
  return out.map((p) => p.replace(/\?.*$/, ''));
}

/** `METHOD path` for each call the UI makes: get/post/put/api('METHOD', ...) and the EventSource stream. */
function uiCalls(): Set<string> {
  const calls = new Set<string>();
  const call =
    /\b(get|post|put|del|EventSource)(?:<(?:[^<>]|<[^<>]*>)*>)?\(\s*(?:`([^`]*)`|'([^']*)')|\bapi(?:<[^>]*>)?\(\s*'([A-Z]+)',\s*(?:`([^`]*)`|'([^']*)')/g;
  for (const f of sources(UI)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(call)) {
      const method = m[4] ?? { get: 'GET', post: 'POST', put: 'PUT', del: 'DELETE', EventSource: 'GET' }[m[1] as 'get'];
      const template = m[2] ?? m[3] ?? m[5] ?? m[6]!;
      if (!template.startsWith('/api/')) continue;
      for (const p of expand(template, text)) calls.add(`${method} ${p}`);
    }
  }
  return calls;
}

test("every method and path the web UI calls is an operation in the appliance's /openapi.json", async () => {
  const h = await harness();
  try {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), segs: p.split('/') })));
    const calls = uiCalls();
    // the UI's pages call at least these; if the extraction broke, the test must not pass empty
    for (const expected of [
      'GET /api/v1/stream',
      'POST /api/v1/executions/{param}/rerun',
      'POST /api/v1/rules/{param}/disable',
      'PUT /api/v1/workflows/{param}',
    ])
      assert.ok(calls.has(expected), `found the UI call ${expected} (have: ${[...calls].join(', ')})`);
    assert.ok(calls.size >= 20, `found the UI's API calls (${calls.size})`);
    for (const c of calls) {
      const [method, p] = c.split(' ') as [string, string];
      const segs = p.split('/');
      const known = operations.some(
        (o) => o.method === method && o.segs.length === segs.length && o.segs.every((s, i) => (segs[i] === PARAM ? /^\{.+\}$/.test(s) : s === segs[i])),
      );
      assert.ok(known, `${c} (called by src/ui) is not an operation in /openapi.json`);
    }
  } finally {
    await h.close();
  }
});
