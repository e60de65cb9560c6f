import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NrxError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { EventEnvelope } from '../../events/envelope.js';
import type { DeviceRow } from '../device-index.js';
import type { FromWorker, ToWorker, UdpWorkerOptions } from './udp-worker-messages.js';

export interface UdpWorkerHostOptions extends Omit<UdpWorkerOptions, 'devices' | 'batchSize' | 'flushMs'> {
  /** The inventory as rows, and a version that moves when it changes (checked every second). */
  devices: () => { version: number; rows: readonly DeviceRow[] };
  /** Each event the worker decoded, in arrival order. */
  onEvent: (e: EventEnvelope) => void;
  log: Logger;
}

/**
 * The main thread's side of the syslog UDP worker (udp-worker.ts): starts it, passes the
 * decoded events on, keeps its latest counters, and sends it the inventory when that changes.
 * One syscall-and-decode core for the socket, the other for the store and the rules.
 */
export class UdpWorkerHost {
  private worker: Worker | null = null;
  private latest: Record<string, number> = {};
  private devicesVersion = -1;
  private devicesTimer: NodeJS.Timeout | null = null;
  private closed: Promise<void> | null = null;

  constructor(private readonly opts: UdpWorkerHostOptions) {}

  /** The sensor counters of the UDP path (received, decoded, normalised, unknown, malformed, dropped, truncated). */
  counters(): Record<string, number> {
    return this.latest;
  }

  async start(): Promise<{ host: string; port: number; recvBufferBytes: number }> {
    const { devices, onEvent, log, ...rest } = this.opts;
    const snap = devices();
    this.devicesVersion = snap.version;
    const data: UdpWorkerOptions = { ...rest, devices: snap.rows, batchSize: 1024, flushMs: 4 };
    const worker = startWorker(data);
    this.worker = worker;
    const listening = await new Promise<{ host: string; port: number; recvBufferBytes: number }>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.kind) {
          case 'listening':
            resolve(m);
            return;
          case 'error':
            reject(new NrxError('NRX_ERR_CONFIG', `syslog UDP cannot listen on ${rest.host}:${rest.port}: ${m.message}`));
            return;
          case 'socket-error':
            log.error({ sensor: 'syslog', err: m.message }, 'syslog UDP socket error');
            return;
          case 'events':
            this.latest = m.counters;
            for (const e of m.events) onEvent(e);
            return;
          case 'counters':
            this.latest = m.counters;
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
    this.devicesTimer = setInterval(() => this.sendDevices(), 1_000);
    this.devicesTimer.unref();
    return listening;
  }

  private sendDevices(): void {
    const snap = this.opts.devices();
    if (snap.version === this.devicesVersion || !this.worker) return;
    this.devicesVersion = snap.version;
    this.worker.postMessage({ kind: 'devices', rows: snap.rows } satisfies ToWorker);
  }

  /** Close the socket; the events decoded before are delivered first. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    if (this.devicesTimer) clearInterval(this.devicesTimer);
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
