import type { EventEnvelope } from '../../events/envelope.js';
import type { DeviceRow } from '../device-index.js';

/** What the syslog UDP worker is started with (workerData). */
export interface UdpWorkerOptions {
  host: string;
  port: number;
  recvBufferBytes: number;
  platform: string | null;
  maxStoredTextBytes?: number;
  devices: readonly DeviceRow[];
  /** Events per message to the host, and the longest wait for a partial batch (ms). */
  batchSize: number;
  flushMs: number;
}

export type ToWorker = { kind: 'devices'; rows: readonly DeviceRow[] } | { kind: 'close' };

export type FromWorker =
  | { kind: 'listening'; host: string; port: number; recvBufferBytes: number }
  | { kind: 'error'; message: string }
  | { kind: 'socket-error'; message: string }
  | { kind: 'events'; events: EventEnvelope[]; counters: Record<string, number> }
  | { kind: 'counters'; counters: Record<string, number> }
  | { kind: 'closed' };
