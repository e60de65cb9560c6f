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
}

export type ToWorker = { kind: 'close' };

export type FromWorker =
  | { kind: 'listening'; host: string; port: number; recvBufferBytes: number }
  | { kind: 'error'; message: string }
  | { kind: 'socket-error'; message: string }
  | { kind: 'datagrams'; batch: DatagramBatch }
  | { kind: 'closed' };
