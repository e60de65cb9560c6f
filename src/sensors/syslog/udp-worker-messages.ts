import type { DatagramBatch } from './datagram-batch.js';

/** What the syslog UDP worker is started with (workerData). */
export interface UdpWorkerOptions {
  host: string;
  port: number;
  recvBufferBytes: number;
  /** Datagrams and bytes per batch to the host, and the longest wait for a partial batch (ms). */
  batchSize: number;
  batchBytes: number;
  flushMs: number;
  /** Batches handed over and not yet decoded beyond which datagrams are dropped (and counted): memory stays bounded. */
  maxBatchesInFlight: number;
}

/** `decoded`: the host finished that many batches. */
export type ToWorker = { kind: 'close' } | { kind: 'decoded'; batches: number };

export type FromWorker =
  | { kind: 'listening'; host: string; port: number; recvBufferBytes: number }
  | { kind: 'error'; message: string }
  | { kind: 'socket-error'; message: string }
  | { kind: 'datagrams'; batch: DatagramBatch }
  /** Datagrams read and dropped since the last report because the decoder was maxBatchesInFlight behind. */
  | { kind: 'dropped'; count: number }
  | { kind: 'closed' };
