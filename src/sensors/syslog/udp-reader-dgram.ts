/**
 * The syslog UDP worker's fallback reader: Node's dgram, one datagram per callback (a system
 * call, a Buffer and an address string each). Used where the native batch reader was not built;
 * keeping the callback this small is what lets the thread empty the kernel's receive buffer.
 */
import dgram from 'node:dgram';
import type { MessagePort } from 'node:worker_threads';
import { DatagramBatchWriter, transferList, type DatagramBatch } from './datagram-batch.js';
import type { FromWorker, ToWorker, UdpWorkerOptions } from './udp-worker-messages.js';

export function readWithDgram(opts: UdpWorkerOptions, port: MessagePort, fallback?: string): void {
  const writer = new DatagramBatchWriter(opts.batchBytes, opts.batchSize);
  let timer: NodeJS.Timeout | null = null;
  let inFlight = 0;
  let dropped = 0;
  let truncated = 0;
  const post = (m: FromWorker): void => port.postMessage(m);

  const send = (batch: DatagramBatch | null): void => {
    if (!batch) return;
    inFlight++;
    port.postMessage({ kind: 'datagrams', batch } satisfies FromWorker, transferList(batch));
  };
  const report = (): void => {
    if (dropped > 0) post({ kind: 'dropped', count: dropped });
    if (truncated > 0) post({ kind: 'truncated', count: truncated });
    dropped = truncated = 0;
  };
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    send(writer.flush());
  };

  const socket = dgram.createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: opts.recvBufferBytes });
  socket.on('message', (msg, rinfo) => {
    if (inFlight >= opts.maxBatchesInFlight) {
      dropped++;
      return;
    }
    if (msg.length > opts.maxDatagramBytes) {
      msg = msg.subarray(0, opts.maxDatagramBytes);
      truncated++;
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
    post({
      kind: 'listening',
      host: a.address,
      port: a.port,
      recvBufferBytes: socket.getRecvBufferSize(),
      forced: false,
      reader: 'dgram',
      ...(fallback ? { fallback } : {}),
    });
  });

  port.on('message', (m: ToWorker) => {
    if (m.kind === 'decoded') {
      inFlight -= m.batches;
      report();
    } else if (m.kind === 'close') {
      socket.close(() => {
        flush();
        report();
        post({ kind: 'closed' });
        port.close();
      });
    }
  });
}
