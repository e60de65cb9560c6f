import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { SyslogStreamFramer } from '../../../src/sensors/syslog/framing.js';

function feed(framer: SyslogStreamFramer, chunks: Buffer[]): { frames: string[]; sizes: number[]; errors: NrxError[] } {
  const frames: string[] = [];
  const sizes: number[] = [];
  const errors: NrxError[] = [];
  for (const c of [...chunks.map((ch) => framer.push(ch)), framer.end()]) {
    frames.push(...c.frames.map((f) => f.toString('utf8')));
    sizes.push(...c.frames.map((f) => f.length));
    errors.push(...c.errors);
  }
  return { frames, sizes, errors };
}

function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

test('octet counting and newline framing, mixed on one connection', () => {
  const a = '<13>1 - h app - - - multi\nline message';
  const wire = Buffer.from(`${Buffer.byteLength(a)} ${a}<14>Nov 22 00:07:58 vm p: lf framed\r\n<15>Nov 22 00:07:59 vm p: last without newline`);
  const { frames, errors } = feed(new SyslogStreamFramer('10.0.0.1'), [wire]);
  assert.deepEqual(frames, [a, '<14>Nov 22 00:07:58 vm p: lf framed\r', '<15>Nov 22 00:07:59 vm p: last without newline']);
  assert.equal(errors.length, 0);
});

test('a line starting with digits is newline-framed unless the count is followed by "<" (NX-OS without PRI)', () => {
  const { frames } = feed(new SyslogStreamFramer('s'), [Buffer.from('2018 Oct 31 08:12:52 sw01 %ETHPORT-5-IF_UP: x\n')]);
  assert.deepEqual(frames, ['2018 Oct 31 08:12:52 sw01 %ETHPORT-5-IF_UP: x']);
});

test('an oversized octet-counted frame is skipped and reported; the next frame still arrives', () => {
  const big = `<13>${'x'.repeat(200)}`;
  const { frames, errors } = feed(new SyslogStreamFramer('10.0.0.1', 100), [Buffer.from(`${big.length} ${big}5 <13>a`)]);
  assert.deepEqual(frames, ['<13>a']);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /octet-counted frame of 204 bytes is longer than 100 at offset 0/);
});

test('an oversized line is skipped up to its newline and reported', () => {
  const { frames, errors } = feed(new SyslogStreamFramer('s', 50), [Buffer.from('x'.repeat(40)), Buffer.from(`${'y'.repeat(40)}\n<13>ok\n`)]);
  assert.deepEqual(frames, ['<13>ok']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'NRX_ERR_DECODE');
});

test('the connection closing inside an octet-counted frame is an error, not a frame', () => {
  const { frames, errors } = feed(new SyslogStreamFramer('s'), [Buffer.from('30 <13>only part')]);
  assert.deepEqual(frames, []);
  assert.match(errors[0]!.message, /connection closed inside an octet-counted frame \(16 of 30 bytes\)/);
});

const message = fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }).map((s) => `<13>${s}`);

test('property: any messages, any framing per message, any chunking -> the same messages back', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(message, fc.boolean()), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
      // newline framing cannot carry a newline inside a message (that is what octet counting is for)
      const framed = msgs.map(([m, octet]) => (octet || m.includes('\n') ? ([m, true] as const) : ([m.replace(/\r$/, ''), false] as const)));
      const wire = Buffer.concat(
        framed.map(([m, octet]) => (octet ? Buffer.concat([Buffer.from(`${Buffer.byteLength(m)} `), Buffer.from(m)]) : Buffer.from(`${m}\n`))),
      );
      const { frames, errors } = feed(new SyslogStreamFramer('s'), split(wire, cuts));
      assert.deepEqual(errors, []);
      assert.deepEqual(
        frames,
        framed.map(([m]) => m).filter((m) => m.length > 0),
      );
    }),
    { numRuns: 1500 },
  );
});

test('property: hostile byte streams never throw and never yield a frame larger than the limit', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
      const framer = new SyslogStreamFramer('s', 64);
      const { sizes, errors } = feed(
        framer,
        chunks.map((c) => Buffer.from(c)),
      );
      for (const n of sizes) assert.ok(n <= 64, `frame of ${n} bytes within the limit`);
      for (const e of errors) assert.equal(e.code, 'NRX_ERR_DECODE');
    }),
    { numRuns: 2000 },
  );
});
