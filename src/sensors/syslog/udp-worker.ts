/**
 * The syslog UDP socket on a worker thread that does nothing but read it: each datagram is
 * copied into a batch (datagram-batch.ts) with its source and arrival time, and the batches are
 * transferred to the main thread, which decodes them in arrival order (see UdpWorkerHost). Node
 * reads one datagram per callback; keeping that callback this small is what lets the thread
 * empty the kernel's receive buffer before it overflows. When the decoder falls
 * maxBatchesInFlight batches behind, datagrams are dropped here and counted (reported as
 * `dropped` messages), so that a flood cannot grow memory without bound. Messages from the host:
 * `decoded` (batches finished) and `close`.
 */
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { DatagramBatchWriter, transferList, type DatagramBatch } from './datagram-batch.js';
import type { FromWorker, ToWorker, UdpWorkerOptions } from './udp-worker-messages.js';

const opts = workerData as UdpWorkerOptions;
const port = parentPort!;
const writer = new DatagramBatchWriter(opts.batchBytes, opts.batchSize);
let timer: NodeJS.Timeout | null = null;
let inFlight = 0;
let dropped = 0;

function send(batch: DatagramBatch | null): void {
  if (!batch) return;
  inFlight++;
  port.postMessage({ kind: 'datagrams', batch } satisfies FromWorker, transferList(batch));
}

function reportDropped(): void {
  if (dropped === 0) return;
  post({ kind: 'dropped', count: dropped });
  dropped = 0;
}

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  send(writer.flush());
}

function post(m: FromWorker): void {
  port.postMessage(m);
}

const socket = dgram.createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: opts.recvBufferBytes });
socket.on('message', (msg, rinfo) => {
  if (inFlight >= opts.maxBatchesInFlight) {
    dropped++;
    return;
  }
  const full = writer.push(msg, rinfo.address, Date.now());
  if (full) send(full);
  // a partial batch waits at most flushMs: latency stays bounded when traffic is light
  if (writer.pending > 0) timer ??= setTimeout(flush, opts.flushMs);
});
socket.once('error', (e) => post({ kind: 'error', message: e.message }));
socket.bind(opts.port, opts.host, () => {
  socket.on('error', (e) => post({ kind: 'socket-error', message: e.message }));
  const a = socket.address();
  post({ kind: 'listening', host: a.address, port: a.port, recvBufferBytes: socket.getRecvBufferSize() });
});

port.on('message', (m: ToWorker) => {
  if (m.kind === 'decoded') {
    inFlight -= m.batches;
    reportDropped();
  } else if (m.kind === 'close') {
    socket.close(() => {
      flush();
      reportDropped();
      post({ kind: 'closed' });
      port.close();
    });
  }
});
