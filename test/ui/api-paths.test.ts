import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROUTE_ACCESS } from '../../src/api/permissions.js';

const UI = 'src/ui';
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.tsx') ? [path.join(dir, e.name)] : [],
  );

/** `/api/v1/executions/${id}/${op}` -> ['api','v1','executions','*','*'] */
function segments(p: string): string[] {
  return p
    .replace(/\$\{[^}]*\}/g, '*')
    .split('/')
    .filter(Boolean);
}

test('every API path the web UI calls is a route of the API (the UI talks only to the public REST API)', () => {
  const routes = Object.keys(ROUTE_ACCESS).map((r) => segments(r.split(' ')[1]!).map((s) => (s.startsWith(':') ? '*' : s)));
  const used = new Set<string>();
  for (const file of sources(UI))
    for (const m of readFileSync(file, 'utf8').matchAll(/`(\/api\/v1\/(?:[^`$?]|\$\{[^}]*\})*)|'(\/api\/v1\/[^'?]*)'/g))
      used.add((m[1] ?? m[2]!).replace(/\$\{q\(.*$/, ''));
  assert.ok(used.size >= 10, `found the UI's API calls (${used.size})`);
  for (const p of used) {
    const s = segments(p);
    const known = routes.some((r) => r.length === s.length && r.every((seg, i) => seg === '*' || s[i] === '*' || seg === s[i]));
    assert.ok(known, `${p} (used in src/ui) is not a route in src/api/permissions.ts`);
  }
});

test('the web UI type-checks against the browser and library types (tsc -p src/ui/tsconfig.json)', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${UI}/tsconfig.json`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
