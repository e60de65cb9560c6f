import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROUTE_ACCESS } from '../../src/api/permissions.js';

const page = readFileSync(path.join(import.meta.dirname, '../../docs/api.md'), 'utf8');

test("docs/api.md's route table lists every route the API enforces access for, and no other", () => {
  const listed = [...page.matchAll(/^\| `((?:GET|POST|PUT|DELETE|PATCH) \S+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual([...listed].sort(), Object.keys(ROUTE_ACCESS).sort());
});
