import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { FrameDecoder, encodeChunked, encodeEom } from '../../../drivers/transports/netconf-framing.js';
import { NrxError } from '../../../src/core/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): Buffer => fs.readFileSync(path.join(here, 'fixtures', name));

/** Feed `bytes` cut at the given offsets; returns every message decoded. */
function decodeSplit(bytes: Buffer, cuts: number[], chunked: boolean): string[] {
  const d = new FrameDecoder();
  if (chunked) d.useChunked();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...d.push(bytes.subarray(from, p)));
    from = p;
  }
  d.end();
  return out;
}

function framingError(fn: () => unknown): NrxError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NrxError, `expected NrxError, got ${String(e)}`);
    assert.equal(e.code, 'NRX_ERR_NETCONF_FRAMING');
    return e;
  }
  assert.fail('expected a framing error');
}

// XML-ish text, including multi-byte characters that must survive a split inside them.
const messageText = fc
  .string({ unit: fc.constantFrom('a', '<', '>', ']', '#', '\n', 'é', '€', '😀', ' '), minLength: 1, maxLength: 200 })
  .filter((s) => !s.includes(']]>')); // XML never has ']]>' outside CDATA ends, and 1.0 framing cannot carry it

describe('NETCONF framing', () => {
  test('real netconfd base:1.1 session: hello in 1.0 framing, then three chunked replies', () => {
    const bytes = fixture('netconfd-session-1.1.bin');
    const d = new FrameDecoder();
    const all = d.push(bytes.subarray(0, bytes.indexOf(']]>]]>') + 6));
    assert.equal(all.length, 1);
    assert.match(all[0]!, /<hello/);
    assert.match(all[0]!, /urn:ietf:params:netconf:base:1\.1/);
    d.useChunked();
    const replies = d.push(bytes.subarray(bytes.indexOf(']]>]]>') + 6));
    d.end();
    assert.equal(replies.length, 3);
    assert.match(replies[0]!, /message-id="1"[\s\S]*<hostname>leaf9<\/hostname>/);
    assert.match(replies[1]!, /<error-tag>operation-failed<\/error-tag>/);
    assert.match(replies[2]!, /message-id="3"[\s\S]*<ok\/>/);
  });

  test('real netconfd base:1.0 session decodes to hello + three replies, whatever the split', () => {
    const bytes = fixture('netconfd-session-1.0.bin');
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
        const msgs = decodeSplit(bytes, cuts, false);
        assert.equal(msgs.length, 4);
        assert.match(msgs[0]!, /<hello/);
        assert.match(msgs[3]!, /<ok\/>/);
      }),
      { numRuns: 200 },
    );
  });

  test('1.0: any messages, any split, come out whole and in order', () => {
    fc.assert(
      fc.property(fc.array(messageText, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 40 }), (msgs, cuts) => {
        const bytes = Buffer.concat(msgs.map((m) => encodeEom(m)));
        assert.deepEqual(decodeSplit(bytes, cuts, false), msgs);
      }),
      { numRuns: 500 },
    );
  });

  test('1.1: any messages, any split, any chunk size come out whole and in order', () => {
    fc.assert(
      fc.property(
        fc.array(messageText, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (msgs, chunk, cuts) => {
          const bytes = Buffer.concat(msgs.map((m) => encodeChunked(m, chunk)));
          assert.deepEqual(decodeSplit(bytes, cuts, true), msgs);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('1.1 byte by byte: a message split inside a UTF-8 character and inside a chunk header', () => {
    const bytes = encodeChunked('<x>é€😀</x>', 3);
    const d = new FrameDecoder();
    d.useChunked();
    const out: string[] = [];
    for (const b of bytes) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(out, ['<x>é€😀</x>']);
  });

  test('1.1 hostile headers are refused with the byte offset', () => {
    const cases: Array<[string, RegExp]> = [
      ['X#4\nabcd\n##\n', /byte 0: expected LF starting a chunk header, got 'X'/],
      ['\nX4\nabcd\n##\n', /byte 1: expected '#' after LF/],
      ['\n#0\n\n##\n', /chunk size starts with 0/],
      ['\n#04\nabcd\n##\n', /chunk size starts with 0/],
      ['\n#\n', /expected chunk size digits/],
      ['\n#4x\nabcd', /expected LF after chunk size 4, got 'x'/],
      ['\n#99999999999\n', /more than 10 digits/],
      ['\n#4294967296\n', /exceeds 4294967295/],
      ['\n##\n', /end-of-chunks marker before any chunk/],
      ['\n#4\nabcd\n##X', /expected LF ending the end-of-chunks marker/],
      ['\n#4\nabcdXX', /byte 8: expected LF starting a chunk header/],
    ];
    for (const [input, re] of cases) {
      const d = new FrameDecoder();
      d.useChunked();
      const e = framingError(() => d.push(Buffer.from(input)));
      assert.match(e.message, re, JSON.stringify(input));
      // Poisoned: the next push fails the same way instead of reading garbage as a message.
      assert.equal(
        framingError(() => d.push(Buffer.from('\n#1\na\n##\n'))),
        e,
      );
    }
  });

  test('a message over the size limit is refused, in both framings', () => {
    const eom = new FrameDecoder({ maxMessageBytes: 100 });
    eom.push(Buffer.alloc(60, 0x61));
    assert.match(framingError(() => eom.push(Buffer.alloc(60, 0x61))).message, /longer than 100 bytes/);
    const ch = new FrameDecoder({ maxMessageBytes: 100 });
    ch.useChunked();
    assert.match(framingError(() => ch.push(Buffer.from('\n#101\n'))).message, /longer than 100 bytes/);
  });

  test('a stream that ends inside a message is an error, not a short message', () => {
    const eom = new FrameDecoder();
    eom.push(Buffer.from('<rpc-reply>half'));
    assert.match(framingError(() => eom.end()).message, /stream ended inside a message \(15 bytes/);
    const ch = new FrameDecoder();
    ch.useChunked();
    ch.push(Buffer.from('\n#10\nabc'));
    assert.match(framingError(() => ch.end()).message, /stream ended inside a message/);
    const blank = new FrameDecoder();
    blank.push(Buffer.from('<a/>]]>]]>\n'));
    blank.end(); // trailing whitespace after the last 1.0 message is not a message
  });

  test('hostile input never crashes: random bytes either decode or raise NRX_ERR_NETCONF_FRAMING', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunked, pieces) => {
        const d = new FrameDecoder({ maxMessageBytes: 256 });
        if (chunked) d.useChunked();
        try {
          for (const p of pieces) for (const m of d.push(p)) assert.equal(typeof m, 'string');
          d.end();
        } catch (e) {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_NETCONF_FRAMING', String(e));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('truncating a valid 1.1 stream anywhere gives the whole messages before the cut, then a clear error at end', () => {
    const msgs = ['<a>1</a>', '<b>22</b>', '<c>333</c>'];
    const bytes = Buffer.concat(msgs.map((m) => encodeChunked(m, 4)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        const d = new FrameDecoder();
        d.useChunked();
        const got = d.push(bytes.subarray(0, cut));
        assert.deepEqual(got, msgs.slice(0, got.length));
        const complete = msgs.map((m) => encodeChunked(m, 4).length).reduce<number[]>((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], []);
        if (complete.includes(cut) || cut === 0) d.end();
        else framingError(() => d.end());
      }),
    );
  });

  test('encodeChunked refuses an empty message (RFC 6242 needs one chunk)', () => {
    framingError(() => encodeChunked(''));
  });
});
