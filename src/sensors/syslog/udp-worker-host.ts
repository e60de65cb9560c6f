import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NrxError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { forEachDatagramText } from './datagram-batch.js';
import type { UdpReaderKind } from '../common/udp-batch-reader.js';
import type { FromWorker, ToWorker, UdpReaderChoice, UdpWorkerOptions } from './udp-worker-messages.js';

export interface UdpWorkerHostOptions extends Omit<
  UdpWorkerOptions,
  'batchSize' | 'batchBytes' | 'flushMs' | 'maxBatchesInFlight' | 'reader' | 'maxDatagramBytes'
> {
  /** Each datagram the worker read, in arrival order, as UTF-8 text, with its source and arrival time (ms). */
  onDatagram: (text: string, sourceAddress: string, receivedAt: number) => void;
  /** Datagrams the worker read and dropped because decoding here was too far behind. */
  onDropped: (count: number) => void;
  /** Datagrams longer than maxDatagramBytes, handed on cut to it. */
  onTruncated?: (count: number) => void;
  /** Default `auto`: the native recvmmsg reader where it was built, else dgram. */
  reader?: UdpReaderChoice;
  /** Default 65,535: no datagram is cut. */
  maxDatagramBytes?: number;
  log: Logger;
  /** Default MAX_BATCHES_IN_FLIGHT. */
  maxBatchesInFlight?: number;
}

/** At most this many batches (up to 1,024 datagrams and 256 KiB each) wait to be decoded: about 70 MiB. */
export const MAX_BATCHES_IN_FLIGHT = 256;

/** What the worker answers once its socket is bound. */
export interface UdpWorkerListening {
  host: string;
  port: number;
  recvBufferBytes: number;
  forced: boolean;
  reader: UdpReaderKind;
  /** Why the native reader is not used, when it fell back to dgram. */
  fallback?: string;
}

/**
 * The main thread's side of the syslog UDP worker (udp-worker.ts): starts it and hands each
 * datagram of its batches on, in arrival order, to be decoded here. The worker thread's core
 * goes to the socket alone (reading is Node's costliest step per datagram); decoding here costs
 * about what receiving the decoded events as cloned objects did.
 */
export class UdpWorkerHost {
  private worker: Worker | null = null;
  private closed: Promise<void> | null = null;

  constructor(private readonly opts: UdpWorkerHostOptions) {}

  async start(): Promise<UdpWorkerListening> {
    const { onDatagram, onDropped, onTruncated, log, maxBatchesInFlight, reader, maxDatagramBytes, ...rest } = this.opts;
    const data: UdpWorkerOptions = {
      ...rest,
      reader: reader ?? 'auto',
      maxDatagramBytes: maxDatagramBytes ?? 65_535,
      batchSize: 1024,
      batchBytes: 256 * 1024,
      flushMs: 4,
      maxBatchesInFlight: maxBatchesInFlight ?? MAX_BATCHES_IN_FLIGHT,
    };
    const worker = startWorker(data);
    this.worker = worker;
    const listening = await new Promise<UdpWorkerListening>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.kind) {
          case 'listening': {
            const { kind: _, ...l } = m;
            resolve(l);
            return;
          }
          case 'error':
            reject(new NrxError('NRX_ERR_CONFIG', `syslog UDP cannot listen on ${rest.host}:${rest.port}: ${m.message}`));
            return;
          case 'socket-error':
            log.error({ sensor: 'syslog', err: m.message }, 'syslog UDP socket error');
            return;
          case 'datagrams':
            try {
              forEachDatagramText(m.batch, onDatagram);
            } finally {
              worker.postMessage({ kind: 'decoded', batches: 1 } satisfies ToWorker);
            }
            return;
          case 'dropped':
            onDropped(m.count);
            return;
          case 'truncated':
            onTruncated?.(m.count);
            return;
        }
      });
      worker.once('error', (e) => reject(new NrxError('NRX_ERR_INTERNAL', `syslog UDP worker failed to start: ${e.message}`, { cause: e })));
      worker.once('exit', (code) => reject(new NrxError('NRX_ERR_INTERNAL', `syslog UDP worker exited (${code}) before listening`)));
    }).catch(async (e: unknown) => {
      await worker.terminate();
      this.worker = null;
      throw e;
    });
    worker.on('error', (e) => log.error({ sensor: 'syslog', err: e.message }, 'syslog UDP worker failed'));
    return listening;
  }

  /** Close the socket; the datagrams read before are handed on first. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.closed = new Promise<void>((resolve) => {
      const done = setTimeout(() => void worker.terminate().then(() => resolve()), 5_000);
      worker.on('message', (m: FromWorker) => {
        if (m.kind !== 'closed') return;
        clearTimeout(done);
        void worker.terminate().then(() => resolve());
      });
      worker.once('exit', () => {
        clearTimeout(done);
        resolve();
      });
      worker.postMessage({ kind: 'close' } satisfies ToWorker);
    });
    return this.closed;
  }
}

function startWorker(workerData: UdpWorkerOptions): Worker {
  if (path.extname(fileURLToPath(import.meta.url)) !== '.ts') return new Worker(new URL('./udp-worker.js', import.meta.url), { workerData });
  // Node 20 does not run `--import tsx` in workers: register tsx's loader there first
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./udp-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData });
}
