import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../src/core/config.js';

/*
 * test/architecture/imports.test.ts checks the layers (drivers/ on src/core alone). Sensors sit
 * above executions there; this adds that pollers and runners share the device layer and do not
 * reach into each other in either direction.
 */

/** Every .ts file under a folder of the repository, as paths relative to the repository. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}

/** The modules a file imports (static imports, re-exports and dynamic imports), resolved when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith('.') ? path.normalize(path.join(path.dirname(file), s)) : s));
}

test('sensors and runners sit on the device layer and never import each other', () => {
  const offending: string[] = [];
  for (const file of sources('src/sensors')) for (const m of importsOf(file)) if (m.startsWith('src/executions/')) offending.push(`${file} -> ${m}`);
  for (const file of sources('src/executions')) for (const m of importsOf(file)) if (m.startsWith('src/sensors/')) offending.push(`${file} -> ${m}`);
  assert.deepEqual(offending, []);
});
