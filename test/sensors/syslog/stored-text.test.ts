import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cutUtf8, limitStoredText } from '../../../src/sensors/syslog/stored-text.js';

describe('stored syslog text limit', () => {
  test('cuts at the byte limit without splitting a character', () => {
    assert.equal(cutUtf8('abc', 3), 'abc');
    assert.equal(cutUtf8('abcdef', 4), 'abcd');
    assert.equal(cutUtf8('aé', 2), 'a'); // é is 2 bytes
    assert.equal(cutUtf8('a€€', 6), 'a€'); // € is 3 bytes
    assert.equal(cutUtf8('a😀b', 4), 'a'); // 😀 is 4 bytes, a surrogate pair
    assert.equal(cutUtf8('😀😀', 4), '😀');
    assert.equal(cutUtf8('x'.repeat(10) + '😀', 11), 'x'.repeat(10));
    for (const s of ['é'.repeat(5000), '€'.repeat(5000), '😀'.repeat(5000), 'a€😀é'.repeat(2000)]) {
      const cut = cutUtf8(s, 8192);
      assert.ok(Buffer.byteLength(cut) <= 8192 && Buffer.byteLength(cut) > 8192 - 4, `${Buffer.byteLength(cut)} bytes`);
      assert.ok(s.startsWith(cut));
      assert.ok(!cut.includes('\ufffd'));
    }
  });

  test('a payload over the limit is cut and marked; one within it is left alone', () => {
    const small = { message: 'hello', raw: '<13>hello', severity: 5 };
    assert.equal(limitStoredText(small, 64), false);
    assert.deepEqual(small, { message: 'hello', raw: '<13>hello', severity: 5 });
    const big = { message: 'm'.repeat(100), raw: 'r'.repeat(100), severity: 5, host: 'edge-1' };
    assert.equal(limitStoredText(big, 64), true);
    assert.deepEqual(big, { message: 'm'.repeat(64), raw: 'r'.repeat(64), severity: 5, host: 'edge-1', truncated: true });
  });

  test('structured data keeps whole parameters while they fit', () => {
    const p = { message: 'x', structured_data: { a: { k1: 'v'.repeat(20), k2: 'w'.repeat(40) }, b: { k3: 'z' } } };
    assert.equal(limitStoredText(p, 32), true);
    assert.deepEqual(p.structured_data, { a: { k1: 'v'.repeat(20) }, b: { k3: 'z' } });
  });
});
