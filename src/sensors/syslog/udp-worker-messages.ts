import type { UdpReaderKind } from '../common/udp-batch-reader.js';
import type { DatagramBatch } from './datagram-batch.js';

/** How the worker reads: `auto` takes the native recvmmsg reader where it was built, else dgram. */
export type UdpReaderChoice = UdpReaderKind | 'auto';

/** What the syslog UDP worker is started with (workerData). */
export interface UdpWorkerOptions {
  host: string;
  port: number;
  recvBufferBytes: number;
  reader: UdpReaderChoice;
  /** Longer datagrams are handed on cut to this length and counted (`truncated` messages). */
  maxDatagramBytes: number;
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
  | {
      kind: 'listening';
      host: string;
      port: number;
      recvBufferBytes: number;
      /** SO_RCVBUFFORCE was allowed: the buffer may be larger than net.core.rmem_max. */
      forced: boolean;
      reader: UdpReaderKind;
      /** Why the native reader is not used, when `auto` fell back to dgram. */
      fallback?: string;
    }
  | { kind: 'error'; message: string }
  | { kind: 'socket-error'; message: string }
  | { kind: 'datagrams'; batch: DatagramBatch }
  /** Datagrams read and dropped since the last report because the decoder was maxBatchesInFlight behind. */
  | { kind: 'dropped'; count: number }
  /** Datagrams longer than maxDatagramBytes since the last report (handed on cut). */
  | { kind: 'truncated'; count: number }
  | { kind: 'closed' };
