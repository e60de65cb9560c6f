import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonical, detectChanges, sameValue, type Change } from '../../../src/sensors/poller/change-detector.js';
import type { Item } from '../../../src/sensors/poller/items.js';

const FIELDS = ['state', 'remoteAs', 'operUp', 'addresses', 'extra'] as const;
const value = fc.oneof(
  fc.constantFrom('up', 'down', 'idle', 'established'),
  fc.integer({ min: 0, max: 3 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
  fc.record({ a: fc.integer({ min: 0, max: 1 }), b: fc.constantFrom('x', 'y') }),
);
const item = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: FIELDS.length });
const reading = fc
  .dictionary(fc.constantFrom('10.0.1.1', '10.0.2.1', 'default|10.0.3.1', 'eth0', ''), item, { maxKeys: 5 })
  .map((o) => new Map(Object.entries(o)));
const watch = fc.option(fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 }), { nil: null });

/** Apply changes to the previous reading: what the detector claims the new reading is. */
function replay(previous: Map<string, Item>, changes: Change[]): Map<string, Item> {
  const out = new Map([...previous].map(([k, v]) => [k, { ...v }]));
  for (const c of changes) {
    if (c.kind === 'added') out.set(c.key, { ...c.item });
    else if (c.kind === 'removed') out.delete(c.key);
    else out.get(c.key)![c.field] = c.value;
  }
  return out;
}

function watchedView(r: Map<string, Item>, fields: readonly string[] | null): string {
  const view = [...r].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, it]) => [k, Object.fromEntries((fields ?? FIELDS).map((f) => [f, it[f] ?? null]))]);
  return canonical(view);
}

describe('change detector', () => {
  test('no change, no event: a reading compared with itself (or a copy with keys reordered) yields nothing', () => {
    fc.assert(
      fc.property(reading, watch, (r, w) => {
        assert.deepEqual(detectChanges(r, r, w), []);
        const reordered = new Map([...r].reverse().map(([k, it]) => [k, Object.fromEntries(Object.entries(it).reverse())]));
        assert.deepEqual(detectChanges(r, reordered, w), []);
      }),
      { numRuns: 1000 },
    );
  });

  test('exactly one change per difference: replaying the changes on the old reading gives the new one, and none is redundant', () => {
    fc.assert(
      fc.property(reading, reading, watch, (before, after, w) => {
        const changes = detectChanges(before, after, w);
        // complete: every watched difference is reported
        assert.equal(watchedView(replay(before, changes), w), watchedView(after, w));
        // exactly one per (key, field) and per added/removed key
        const ids = changes.map((c) => (c.kind === 'changed' ? `${c.key}\u0000${c.field}` : `${c.kind}\u0000${c.key}`));
        assert.equal(new Set(ids).size, ids.length);
        for (const c of changes) {
          if (c.kind === 'changed') {
            assert.ok(!sameValue(c.previous, c.value), 'a reported change really differs');
            if (w) assert.ok((w as readonly string[]).includes(c.field), 'only watched fields are reported');
          }
          if (c.kind === 'added') assert.ok(!before.has(c.key) && after.has(c.key));
          if (c.kind === 'removed') assert.ok(before.has(c.key) && !after.has(c.key));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('only watched fields count', () => {
    const before = new Map([['10.0.1.1', { state: 'established', upDown: '00:01:00', prefixesReceived: 3 }]]);
    const after = new Map([['10.0.1.1', { state: 'established', upDown: '00:01:30', prefixesReceived: 4 }]]);
    assert.deepEqual(detectChanges(before, after, ['state']), []);
    const all = detectChanges(before, after, null);
    assert.deepEqual(
      all.map((c) => (c.kind === 'changed' ? [c.field, c.previous, c.value] : c.kind)),
      [
        ['prefixesReceived', 3, 4],
        ['upDown', '00:01:00', '00:01:30'],
      ],
    );
  });

  test('a missing field equals null; lists and objects compare by content', () => {
    assert.ok(sameValue(undefined, null));
    assert.ok(sameValue({ b: [1, { c: 2 }], a: 1 }, { a: 1, b: [1, { c: 2 }] }));
    assert.ok(!sameValue([1, 2], [2, 1]));
    assert.ok(!sameValue('1', 1));
    assert.deepEqual(detectChanges(new Map([['k', { a: null }]]), new Map([['k', {}]]), null), []);
  });

  test('items that appear and disappear are reported once each', () => {
    const before = new Map([['a', { state: 'idle' }]]);
    const after = new Map([['b', { state: 'idle' }]]);
    assert.deepEqual(
      detectChanges(before, after, ['state']).map((c) => [c.kind, c.key]),
      [
        ['added', 'b'],
        ['removed', 'a'],
      ],
    );
  });
});
