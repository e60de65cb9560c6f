import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from './run-page.js';

/**
 * Pages the README links to that other work is writing at this moment (issue 11); once they are
 * in the repository, remove them from here.
 */
const BEING_WRITTEN = new Set<string>();

const pages = (): string[] => [
  'README.md',
  'test/lab/README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown links and bare mentions of a path that would be a document: `[text](target)`. */
function links(page: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  readFileSync(path.join(REPO, page), 'utf8')
    .split('\n')
    .forEach((l, i) => {
      for (const m of l.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1]!, line: i + 1 });
    });
  return out;
}

test('the README, the docs pages and the lab README link only to files in the repository, and those exist', () => {
  const bad: string[] = [];
  for (const page of pages()) {
    for (const { target, line } of links(page)) {
      if (/^(https?|mailto):/.test(target) || target.startsWith('#')) continue;
      const file = path.normalize(path.join(path.dirname(page), target.split('#')[0]!));
      if (path.isAbsolute(target) || file.startsWith('..')) bad.push(`${page}:${line}: ${target} is outside the repository`);
      else if (!existsSync(path.join(REPO, file)) && !BEING_WRITTEN.has(file)) bad.push(`${page}:${line}: ${target} does not exist`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the lab README names no document outside the repository (the lab facts are stated in it)', () => {
  const text = readFileSync(path.join(REPO, 'test/lab/README.md'), 'utf8');
  assert.doesNotMatch(text, /(\.\.\/){2,}|\/work\/|LAB\.md|DESIGN\.md|shared\//);
});
