import { isNrxError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { EventEnvelope } from '../../events/envelope.js';
import { SensorCounters } from '../common/counters.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { decodeSflowDatagram, type SflowDatagram } from './decoder.js';
import { SflowEventDetector, type SflowEventDetectorOptions } from './events.js';
import { SequenceTracker } from './sequence.js';
import { UdpListener } from '../common/udp.js';

export interface SflowListenerOptions {
  host?: string;
  /** Default 6343 (the IANA sFlow port is unprivileged). 0 picks a free port. */
  port?: number;
  /** Socket receive buffer; the kernel default (208 KiB) drops bursts. Default 16 MiB (capped by net.core.rmem_max). */
  recvBufferBytes?: number;
  /** Publishes every event; must not throw (if it does, the event is counted as dropped). */
  onEvent: (event: EventEnvelope) => void;
  /** Every decoded datagram, for collectors that want the samples themselves. */
  onDatagram?: (d: SflowDatagram, from: { address: string; port: number }) => void;
  detector?: SflowEventDetectorOptions;
  log?: Logger;
}

/**
 * The sFlow sensor: a UDP socket, the pure decoder, per-agent sequence tracking (lost
 * datagrams) and the event detector. Malformed datagrams are counted and logged (rate
 * limited); nothing a sender does can stop the listener.
 */
export class SflowListener extends UdpListener {
  readonly counters = new SensorCounters('sflow');
  readonly sequences = new SequenceTracker();
  /** Samples decoded, all datagrams together. */
  samples = 0;
  private readonly detector: SflowEventDetector;
  private readonly warn: RateLimitedLog;

  constructor(private readonly opts: SflowListenerOptions) {
    super();
    this.detector = new SflowEventDetector({ source: 'sensor:sflow', ...opts.detector });
    this.warn = new RateLimitedLog(opts.log ?? silentLogger);
  }

  start(): Promise<{ address: string; port: number }> {
    return this.listen(this.opts.host ?? '0.0.0.0', this.opts.port ?? 6343, this.opts.recvBufferBytes);
  }

  /** One datagram through the pipeline; public so tests and replays can skip the socket. */
  receive(msg: Buffer, from: { address: string; port: number }): void {
    this.counters.received++;
    let d: SflowDatagram;
    try {
      d = decodeSflowDatagram(msg, { flowRecords: this.opts.onDatagram !== undefined });
    } catch (e) {
      this.counters.malformed++;
      this.warn.warn({ sensor: 'sflow', from: from.address, bytes: msg.length, err: isNrxError(e) ? e.message : String(e) }, 'malformed sFlow datagram');
      return;
    }
    this.counters.decoded++;
    this.samples += d.samples.length;
    for (const s of d.samples) if (s.kind === 'unknown') this.counters.unknown++;
    this.sequences.observe(d.agent, d.subAgentId, d.sequence);
    this.opts.onDatagram?.(d, from);
    for (const event of this.detector.observe(d)) {
      try {
        this.opts.onEvent(event);
        this.counters.normalised++;
      } catch {
        this.counters.dropped++;
      }
    }
  }
}

// kept here too for the benchmarks that import it from the sFlow listener
export { udpReceiveBufferErrors } from '../common/udp.js';
