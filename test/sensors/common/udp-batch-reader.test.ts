import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadUdpBatchReader, type UdpBatchReaderAddon } from '../../../src/sensors/common/udp-batch-reader.js';
import { emptyBatch, forEachDatagram, type DatagramBatch } from '../../../src/sensors/syslog/datagram-batch.js';
import { nativeReader, nativeReaderMissing } from '../syslog/native-reader.js';

const skip = nativeReaderMissing();

/** Reads into batches of `capacity` bytes / `maxCount` datagrams until `want` datagrams came (or 3 s passed). */
function readAll(addon: UdpBatchReaderAddon, reader: unknown, want: number, capacity = 64 * 1024, maxCount = 64): DatagramBatch[] {
  const batches: DatagramBatch[] = [];
  let b = emptyBatch(capacity, maxCount);
  let total = 0;
  const end = Date.now() + 3_000;
  while (total < want && Date.now() < end) {
    const before = b.count;
    b.count = addon.read(reader, new Uint8Array(b.bytes), b.ends, b.receivedAt, b.sources, b.addresses, b.count, 20);
    total += b.count - before;
    // a batch that took nothing more although the socket has more is full (by count or bytes)
    if (b.count === maxCount || (b.count > 0 && b.count === before)) {
      batches.push(b);
      b = emptyBatch(capacity, maxCount);
    }
  }
  if (b.count) batches.push(b);
  return batches;
}

function datagrams(batches: DatagramBatch[]): Array<{ text: string; from: string; at: number }> {
  const out: Array<{ text: string; from: string; at: number }> = [];
  for (const b of batches) forEachDatagram(b, (bytes, from, at) => out.push({ text: bytes.toString(), from, at }));
  return out;
}

async function send(client: dgram.Socket, port: number, host: string, lines: Array<string | Buffer>): Promise<void> {
  for (const l of lines) await new Promise<void>((r) => client.send(l, port, host, () => r()));
}

test('recvmmsg reader: datagrams of any size come back whole, in the order sent, packed into batches with their source', { skip }, async () => {
  const addon = nativeReader();
  const before = Date.now();
  const o = addon.open('127.0.0.1', 0, 4 * 1024 * 1024, 65_535, 64);
  assert.equal(o.address, '127.0.0.1');
  assert.ok(o.port > 0);
  assert.ok(o.recvBufferBytes >= 4 * 1024 * 1024, `granted ${o.recvBufferBytes}`);
  const client = dgram.createSocket('udp4');
  // sizes from empty to 9,000 bytes; more datagrams than one recvmmsg call (64) and than one batch takes
  const lines = Array.from({ length: 500 }, (_, i) => `${i}:${'y'.repeat((i * 7919) % 9_000)}`);
  lines[3] = '';
  try {
    await send(client, o.port, '127.0.0.1', lines);
    const batches = readAll(addon, o.reader, lines.length, 128 * 1024, 64);
    assert.ok(batches.length > lines.length / 64, `${batches.length} batches`);
    const got = datagrams(batches);
    assert.deepEqual(
      got.map((d) => d.text),
      lines,
    );
    assert.ok(got.every((d) => d.from === '127.0.0.1'));
    assert.ok(got.every((d) => d.at >= before - 1 && d.at <= Date.now()));
    for (const b of batches) assert.ok(b.ends[b.count - 1]! <= b.bytes.byteLength);
    assert.equal(addon.truncated(o.reader), 0);
  } finally {
    client.close();
    addon.close(o.reader);
  }
});

test('recvmmsg reader: IPv6 sources, and IPv4 senders on a dual-stack socket, named as Node names them', { skip }, async () => {
  const addon = nativeReader();
  const cases: Array<[string, 'udp4' | 'udp6', string]> = [
    ['::1', 'udp6', '::1'],
    ['::', 'udp4', '127.0.0.1'],
    ['::', 'udp6', '::1'],
  ];
  for (const [bindTo, family, sendTo] of cases) {
    // what Node's dgram reports as the source, for the same sender
    const ref = dgram.createSocket(bindTo.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => ref.bind(0, bindTo, () => r()));
    const client = dgram.createSocket(family);
    const expected = new Promise<string>((r) => ref.once('message', (_m, rinfo) => r(rinfo.address)));
    await send(client, ref.address().port, sendTo, ['probe']);
    const nodeSays = await expected;
    ref.close();

    const o = addon.open(bindTo, 0, 1024 * 1024, 65_535, 16);
    try {
      await send(client, o.port, sendTo, ['a', 'b']);
      const got = datagrams(readAll(addon, o.reader, 2));
      assert.deepEqual(
        got.map((d) => [d.text, d.from]),
        [
          ['a', nodeSays],
          ['b', nodeSays],
        ],
        `bound to ${bindTo}, sent from ${family} to ${sendTo}`,
      );
    } finally {
      client.close();
      addon.close(o.reader);
    }
  }
});

test('recvmmsg reader: several sources in one batch each get an index into its address list', { skip }, async () => {
  const addon = nativeReader();
  const o = addon.open('0.0.0.0', 0, 1024 * 1024, 65_535, 64);
  const a = dgram.createSocket('udp4');
  const b = dgram.createSocket('udp4');
  // the second device sends from another loopback address
  await new Promise<void>((r) => b.bind(0, '127.0.0.2', () => r()));
  try {
    await send(a, o.port, '127.0.0.1', ['a1']);
    await send(b, o.port, '127.0.0.1', ['b1']);
    await send(a, o.port, '127.0.0.1', ['a2']);
    const batches = readAll(addon, o.reader, 3);
    assert.deepEqual(
      datagrams(batches).map((d) => [d.text, d.from]),
      [
        ['a1', '127.0.0.1'],
        ['b1', '127.0.0.2'],
        ['a2', '127.0.0.1'],
      ],
    );
    assert.deepEqual(batches[0]!.addresses, ['127.0.0.1', '127.0.0.2'], 'each source once per batch');
  } finally {
    a.close();
    b.close();
    addon.close(o.reader);
  }
});

test('recvmmsg reader: a datagram longer than maxDatagramBytes is cut to it and counted; the next one is whole', { skip }, async () => {
  const addon = nativeReader();
  const o = addon.open('127.0.0.1', 0, 1024 * 1024, 256, 16);
  const client = dgram.createSocket('udp4');
  try {
    await send(client, o.port, '127.0.0.1', ['short', 'z'.repeat(1000), 'after']);
    const got = datagrams(readAll(addon, o.reader, 3, 4096, 16));
    assert.deepEqual(
      got.map((d) => d.text),
      ['short', 'z'.repeat(256), 'after'],
    );
    assert.equal(addon.truncated(o.reader), 1);
  } finally {
    client.close();
    addon.close(o.reader);
  }
});

test('recvmmsg reader: waits in poll() no longer than asked when nothing comes; discard throws away what waits', { skip }, async () => {
  const addon = nativeReader();
  const o = addon.open('127.0.0.1', 0, 1024 * 1024, 65_535, 16);
  const b = emptyBatch(128 * 1024, 16);
  try {
    const t0 = Date.now();
    assert.equal(addon.read(o.reader, new Uint8Array(b.bytes), b.ends, b.receivedAt, b.sources, b.addresses, 0, 60), 0);
    const waited = Date.now() - t0;
    assert.ok(waited >= 50 && waited < 1_000, `waited ${waited} ms`);
    const client = dgram.createSocket('udp4');
    await send(client, o.port, '127.0.0.1', ['1', '2', '3']);
    client.close();
    let discarded = 0;
    const end = Date.now() + 2_000;
    while (discarded < 3 && Date.now() < end) discarded += addon.discard(o.reader, 20);
    assert.equal(discarded, 3);
  } finally {
    addon.close(o.reader);
  }
});

test('recvmmsg reader: close releases the port; a port in use is refused with its errno', { skip }, async () => {
  const addon = nativeReader();
  const o = addon.open('127.0.0.1', 0, 1024 * 1024, 65_535, 16);
  assert.throws(() => addon.open('127.0.0.1', o.port, 1024 * 1024, 65_535, 16), { code: 'EADDRINUSE', message: /^bind EADDRINUSE/ });
  addon.close(o.reader);
  const b = emptyBatch(128 * 1024, 16);
  assert.throws(() => addon.read(o.reader, new Uint8Array(b.bytes), b.ends, b.receivedAt, b.sources, b.addresses, 0, 0), /closed/);
  const again = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.bind(o.port, '127.0.0.1', () => resolve());
  });
  again.close();
});

test('without the built addon the loader says why, so the caller falls back to dgram', () => {
  const r = loadUdpBatchReader(['./no-such-build/udp_batch_reader.node']);
  assert.ok('unavailable' in r);
  assert.match(r.unavailable, process.platform === 'linux' ? /was not built .*npm run build:native/ : /Linux only/);
});

test(
  'recvmmsg reader: a link-local IPv6 source carries its interface, as Node names it (in a network namespace of its own)',
  { skip: skip || (process.getuid?.() !== 0 && 'needs root for a network namespace (unshare --net)') },
  () => {
    const built = fileURLToPath(new URL('../../../native/build/Release/udp_batch_reader.node', import.meta.url));
    const script = fileURLToPath(new URL('./fixtures/link-local-source.mjs', import.meta.url));
    const out = execFileSync('unshare', ['--net', process.execPath, script, built], { encoding: 'utf8', timeout: 20_000 });
    const { node, native } = JSON.parse(out) as { node: string; native: string };
    assert.match(node, /^fe80::1%nrx0$/);
    assert.equal(native, node);
  },
);
