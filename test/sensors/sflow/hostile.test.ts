import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { readPcapUdp } from '../../../src/sensors/pcap.js';
import { decodeSflowDatagram } from '../../../src/sensors/sflow/decoder.js';
import { sampleSummaries } from '../../../src/sensors/sflow/ndjson.js';

const REAL = ['sflow_expanded', 'sflow-print-v6', 'sflow_multiple_counter_30_pdus']
  .flatMap((n) => readPcapUdp(readFileSync(`test/sensors/sflow/fixtures/tcpdump/${n}.pcap`)).map((p) => Buffer.from(p.payload)))
  .filter((p) => p.readUInt32BE(0) === 5);

/** Decoding either succeeds (and the result serialises) or fails with NRX_ERR_DECODE: nothing else, ever. */
function decodesOrRefuses(b: Buffer): void {
  try {
    const d = decodeSflowDatagram(b);
    JSON.stringify(sampleSummaries(d));
  } catch (e) {
    if (!(e instanceof NrxError) || e.code !== 'NRX_ERR_DECODE') throw e;
    assert.match(e.message, /offset \d+, field '/);
  }
}

test('random bytes never throw anything but NRX_ERR_DECODE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (a) => decodesOrRefuses(Buffer.from(a))),
    { numRuns: 3000 },
  );
});

test('random bytes behind a valid v5 header reach the sample and record decoders', () => {
  const head = REAL[0]!.subarray(0, 28);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 800 }), (a) => decodesOrRefuses(Buffer.concat([head, Buffer.from(a)]))),
    { numRuns: 3000 },
  );
});

test('every truncation of real datagrams is refused with an offset, never read past the end', () => {
  for (const p of REAL.slice(0, 12)) {
    for (let n = 0; n < p.length; n += 1) {
      const cut = Buffer.from(p.subarray(0, n)); // a copy: the decoder cannot see bytes beyond n
      decodesOrRefuses(cut);
    }
  }
});

test('bit flips and hostile 32-bit words (huge counts and lengths) in real datagrams', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: REAL.length - 1 }),
      fc.nat(),
      fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0, 1, 0x10000),
      (which, at, word) => {
        const b = Buffer.from(REAL[which]!);
        const off = (at % Math.floor(b.length / 4)) * 4;
        b.writeUInt32BE(word >>> 0, off);
        decodesOrRefuses(b);
      },
    ),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: REAL.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (which, at, bit) => {
      const b = Buffer.from(REAL[which]!);
      b[at % b.length]! ^= 1 << bit;
      decodesOrRefuses(b);
    }),
    { numRuns: 3000 },
  );
});

test('a count that cannot fit is refused at once (no loop over 4 billion samples)', () => {
  const b = Buffer.from(REAL[0]!.subarray(0, 28));
  b.writeUInt32BE(0xffffffff, 24);
  const t0 = Date.now();
  assert.throws(() => decodeSflowDatagram(b), /offset 24, field 'samples.count': count 4294967295 cannot fit/);
  assert.ok(Date.now() - t0 < 50);
});
