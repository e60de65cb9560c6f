/**
 * The syslog UDP socket on a worker thread that does nothing but read it: datagrams are copied
 * into batches (datagram-batch.ts) with their source and arrival time, and the batches are
 * transferred to the main thread, which decodes them in arrival order (see UdpWorkerHost).
 * Two readers: the native one (udp-reader-recvmmsg.ts: many datagrams per system call, packed
 * into the batch in C) where it was built, else Node's dgram (udp-reader-dgram.ts: one
 * datagram per callback). When the decoder falls maxBatchesInFlight batches behind, datagrams
 * are dropped here and counted (`dropped` messages), so that a flood cannot grow memory
 * without bound. Messages from the host: `decoded` (batches finished) and `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadUdpBatchReader } from '../common/udp-batch-reader.js';
import { readWithDgram } from './udp-reader-dgram.js';
import { readWithRecvmmsg } from './udp-reader-recvmmsg.js';
import type { UdpWorkerOptions } from './udp-worker-messages.js';

const opts = workerData as UdpWorkerOptions;
const port = parentPort!;

if (opts.reader === 'dgram') readWithDgram(opts, port);
else {
  const native = loadUdpBatchReader();
  if ('addon' in native) readWithRecvmmsg(opts, port, native.addon);
  else if (opts.reader === 'recvmmsg') port.postMessage({ kind: 'error', message: `the native recvmmsg reader is not available: ${native.unavailable}` });
  else readWithDgram(opts, port, native.unavailable);
}
