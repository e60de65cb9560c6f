// Nothing outside src/store talks to a database: modules reach their tables through the
// store's repositories, so a second backend needs no change outside src/store.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SCANNED = ['src', 'drivers'];
const STORE = path.join('src', 'store');

const FORBIDDEN: Array<{ what: string; pattern: RegExp }> = [
  { what: 'imports better-sqlite3', pattern: /['"]better-sqlite3['"]/ },
  { what: "uses a store's raw connection (.database)", pattern: /\.database\b/ },
  // `this.prepare(` is a class's own method (the execution engine prepares executions)
  { what: 'prepares a statement (.prepare()', pattern: /(?<!\bthis)\.prepare\(/ },
  {
    what: 'holds SQL text',
    pattern: /['"`]\s*(?:SELECT\s[\s\S]*?\sFROM\s|INSERT INTO\s|UPDATE\s+\w+\s+SET\s|DELETE FROM\s|CREATE (?:TABLE|INDEX)\s|PRAGMA\s)/,
  },
];

/** Every finding in one source text, as `line: what`. */
function sqlFindings(source: string): string[] {
  const found: string[] = [];
  source.split('\n').forEach((line, i) => {
    for (const f of FORBIDDEN) if (f.pattern.test(line)) found.push(`${i + 1}: ${f.what}: ${line.trim().slice(0, 120)}`);
  });
  return found;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(path.join(ROOT, dir)).sort()) {
    const rel = path.join(dir, name);
    if (rel === STORE || name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(path.join(ROOT, rel)).isDirectory()) sourceFiles(rel, out);
    else if (/\.(?:ts|mts|cts|js|mjs)$/.test(name)) out.push(rel);
  }
  return out;
}

describe('no SQL outside src/store', () => {
  test('the scan finds each kind of database use and lets an own prepare() method pass', () => {
    const findings = sqlFindings(
      [
        "import Database from 'better-sqlite3';",
        'const db = store.database;',
        "db.prepare('x').run();",
        'const q = `SELECT name FROM auth_users`;',
        "run('DELETE FROM kv WHERE 1');",
        'const prep = this.prepare(actionRef, params);',
        "say('select the devices from the list');",
      ].join('\n'),
    );
    assert.deepEqual(
      findings.map((f) => f.split(':')[0]),
      ['1', '2', '3', '4', '5'],
    );
  });

  test(`${SCANNED.join(' and ')} (src/store aside) import no database driver and hold no SQL`, () => {
    const files = SCANNED.flatMap((d) => sourceFiles(d));
    assert.ok(files.length > 50, `scanned only ${files.length} files`);
    const findings = files.flatMap((f) => sqlFindings(readFileSync(path.join(ROOT, f), 'utf8')).map((x) => `${f}:${x}`));
    assert.deepEqual(findings, [], `use the store's repositories (src/store/repositories) instead:\n${findings.join('\n')}`);
  });
});
