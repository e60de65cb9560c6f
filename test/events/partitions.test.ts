import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import { extrasToRelease, fairShares, fnv1a, parsePartitionCount, partitionOf, takeOrder } from '../../src/events/partitions.js';

test('the partition hash is FNV-1a: the published test vectors, so every node and version agrees', () => {
  // from the FNV reference (draft-eastlake-fnv): "" and "a" and "foobar"
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test('a device always falls in the same partition, inside 0..P-1', () => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 1, max: 1024 }), (device, p) => {
      const a = partitionOf(device, p);
      assert.ok(Number.isInteger(a) && a >= 0 && a < p);
      assert.equal(partitionOf(device, p), a);
    }),
  );
  assert.equal(partitionOf(null, 16), partitionOf('', 16), 'events without a device share one partition');
});

test('device names spread over the partitions: 2,000 leaf names fill each of 16 within a third of the mean', () => {
  const counts = new Array<number>(16).fill(0);
  for (let i = 0; i < 2_000; i++) counts[partitionOf(`leaf${i}.dc${i % 7}`, 16)]!++;
  for (const c of counts) assert.ok(c > 125 * (2 / 3) && c < 125 * (4 / 3), `partition sizes ${counts.join(',')}`);
});

test('fair shares: all P partitions given out, sizes differ by at most one, every node computes the same from any order', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 256 }), (members, p) => {
      const shares = fairShares(members, p);
      const sizes = [...shares.values()];
      assert.equal(shares.size, members.length);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        p,
      );
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      assert.deepEqual(fairShares([...members].reverse(), p), shares);
    }),
  );
  assert.equal(fairShares([], 16).size, 0);
});

test('take order starts at an offset of the node and covers every free partition once; extras are the highest numbers', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 63 })), fc.string(), (free, self) => {
      assert.deepEqual(
        [...takeOrder(free, self)].sort((a, b) => a - b),
        [...free].sort((a, b) => a - b),
      );
    }),
  );
  assert.deepEqual(extrasToRelease([7, 1, 12, 3], 2), [7, 12]);
  assert.deepEqual(extrasToRelease([1, 3], 2), []);
});

test('a partition count is a whole number from 1 to 1024; default 16', () => {
  assert.equal(parsePartitionCount(undefined), 16);
  assert.equal(parsePartitionCount('32'), 32);
  for (const bad of ['0', '-1', '1.5', 'many', '2000'])
    assert.throws(
      () => parsePartitionCount(bad),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && e.message.includes(bad),
    );
});
