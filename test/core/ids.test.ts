import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const decode = (s: string): number => [...s].reduce((n, c) => n * 32 + ALPHABET.indexOf(c), 0);

test('ids are 26 base32 characters: the time in ms, a per-millisecond counter, then randomness', () => {
  const before = Date.now();
  const ids = Array.from({ length: 5_000 }, newId);
  const after = Date.now();
  for (const id of ids) assert.match(id, /^[0-9a-hjkmnp-tv-z]{26}$/);
  const times = ids.map((id) => decode(id.slice(0, 10)));
  assert.ok(
    times.every((t) => t >= before && t <= after),
    'the first 10 characters are the creation time',
  );
  // within one millisecond the counter goes up by one per id
  for (let i = 1; i < ids.length; i++)
    if (times[i] === times[i - 1]) assert.equal(decode(ids[i]!.slice(10, 14)), decode(ids[i - 1]!.slice(10, 14)) + 1);
    else assert.equal(decode(ids[i]!.slice(10, 14)), 0);
});

test('ids made later sort after earlier ones, and none repeats', () => {
  const ids = Array.from({ length: 50_000 }, newId);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  // the random tail uses the whole alphabet
  assert.equal(new Set(ids.flatMap((id) => [...id.slice(14)])).size, 32);
});
