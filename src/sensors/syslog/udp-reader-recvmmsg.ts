/**
 * The syslog UDP worker's reader where the native addon is built: recvmmsg reads up to 64
 * datagrams per system call and the addon packs them straight into the batch (bytes, ends,
 * arrival time, source), so this thread spends about a tenth of what Node's dgram costs per
 * datagram. The thread runs one loop: read (sleeping in poll() when the socket is empty, at
 * most IDLE_MS), hand a batch on when it is full, has waited flushMs, or the socket stayed empty
 * through a nap (traffic is light: nothing gains from waiting longer), and look at the host's
 * messages (`decoded`, `close`) between reads with receiveMessageOnPort, since the loop never
 * returns to the event loop.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { UdpBatchReaderAddon } from '../common/udp-batch-reader.js';
import { emptyBatch, transferList, type DatagramBatch } from './datagram-batch.js';
import type { FromWorker, ToWorker, UdpWorkerOptions } from './udp-worker-messages.js';

/** Longest sleep in poll() with nothing to read: how soon `close` is seen on an idle socket. */
const IDLE_MS = 20;
/**
 * With a batch begun and the socket empty, the thread naps this long (ms) instead of waking for
 * every datagram: the kernel queues what comes meanwhile and the next read takes it in one call.
 * A socket still empty after one nap hands the batch on: a lone datagram waits about NAP_MS,
 * not flushMs, while a steady stream keeps filling batches (its reads after a nap find more).
 * A datagram that ends a wait of a nap or more (the socket had been empty that long) is handed
 * on at once, without the nap: light traffic gains nothing from it.
 */
const NAP_MS = 1;
/** Longest the reads at close go on: what the kernel had queued is handed on, a flood does not keep the socket open. */
const CLOSE_DRAIN_MS = 200;

export function readWithRecvmmsg(opts: UdpWorkerOptions, port: MessagePort, addon: UdpBatchReaderAddon): void {
  const post = (m: FromWorker): void => port.postMessage(m);
  let reader: unknown;
  try {
    const o = addon.open(opts.host, opts.port, opts.recvBufferBytes, opts.maxDatagramBytes, opts.batchSize);
    reader = o.reader;
    post({ kind: 'listening', host: o.address, port: o.port, recvBufferBytes: o.recvBufferBytes, forced: o.forced, reader: 'recvmmsg' });
  } catch (e) {
    post({ kind: 'error', message: (e as Error).message });
    return;
  }

  const capacity = Math.max(opts.batchBytes, 2 * opts.maxDatagramBytes);
  let batch = emptyBatch(capacity, opts.batchSize);
  let bytes = new Uint8Array(batch.bytes);
  let firstAt = 0;
  let inFlight = 0;
  let dropped = 0;
  let truncatedReported = 0;

  const report = (): void => {
    if (dropped > 0) post({ kind: 'dropped', count: dropped });
    dropped = 0;
    const truncated = addon.truncated(reader);
    if (truncated > truncatedReported) post({ kind: 'truncated', count: truncated - truncatedReported });
    truncatedReported = truncated;
  };
  const send = (): void => {
    const full: DatagramBatch = batch;
    inFlight++;
    port.postMessage({ kind: 'datagrams', batch: full } satisfies FromWorker, transferList(full));
    batch = emptyBatch(capacity, opts.batchSize);
    bytes = new Uint8Array(batch.bytes);
  };
  /** Reads into the batch, waiting up to `wait` ms when nothing comes; hands it on when it is full or old enough. */
  const readOnce = (wait: number, flushMs: number): number => {
    const before = batch.count;
    const count = addon.read(reader, bytes, batch.ends, batch.receivedAt, batch.sources, batch.addresses, before, wait);
    batch.count = count;
    if (count === 0) return 0;
    const now = Date.now();
    if (before === 0) firstAt = now;
    // full by count, or too full for the largest datagram to fit, or waited long enough
    if (count === opts.batchSize || batch.ends[count - 1]! + opts.maxDatagramBytes > capacity || now - firstAt >= flushMs) send();
    return count - before;
  };

  const nap = new Int32Array(new SharedArrayBuffer(4));
  /** The last read of a begun batch found the socket empty and the thread napped since. */
  let napped = false;
  for (;;) {
    let closing = false;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const msg = m.message as ToWorker;
      if (msg.kind === 'decoded') {
        inFlight -= msg.batches;
        report();
      } else if (msg.kind === 'close') closing = true;
    }
    if (closing) break;
    try {
      if (inFlight >= opts.maxBatchesInFlight) dropped += addon.discard(reader, IDLE_MS);
      else if (batch.count === 0) {
        napped = false;
        const asleepFrom = performance.now();
        // what ends a wait of a nap or more came alone into an empty socket: the traffic is light, it goes at once
        if (readOnce(IDLE_MS, opts.flushMs) > 0 && batch.count > 0 && performance.now() - asleepFrom >= NAP_MS) send();
      } else if (readOnce(0, opts.flushMs) > 0) napped = false;
      else if (batch.count === 0)
        napped = false; // handed on: old enough
      else if (napped) {
        // still nothing after a nap: the traffic is light, the batch goes now
        napped = false;
        send();
      } else {
        napped = true;
        Atomics.wait(nap, 0, 0, Math.min(NAP_MS, Math.max(0, opts.flushMs - (Date.now() - firstAt))));
      }
    } catch (e) {
      post({ kind: 'socket-error', message: (e as Error).message });
      Atomics.wait(nap, 0, 0, 100);
    }
  }

  // what the kernel holds already is handed on, then the port is released
  const until = Date.now() + CLOSE_DRAIN_MS;
  try {
    while (Date.now() < until && readOnce(0, Infinity) > 0);
  } catch (e) {
    post({ kind: 'socket-error', message: (e as Error).message });
  }
  if (batch.count > 0) send();
  addon.close(reader);
  report();
  post({ kind: 'closed' });
  port.close();
}
