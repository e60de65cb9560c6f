import { isNrxError, NrxError, describeError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import { SensorCounters } from '../common/counters.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { decodeSyslog } from './decode.js';
import { identifyDevice, type DeviceResolver } from './device.js';
import { normaliseSyslog } from './normalise.js';
import { DEFAULT_MAX_STORED_TEXT_BYTES, limitStoredText } from './stored-text.js';

export interface SyslogSensorOptions {
  /** Where each event goes (the lead connects it to appliance.emit). A rejected promise counts as dropped. */
  publish: (event: EventEnvelope) => void | Promise<void>;
  /** Inventory lookup by hostname and source address; without it the device is the hostname. */
  resolver?: DeviceResolver | null;
  /** Force one platform for every message (`--platform`), above inventory and sniffing. */
  platform?: string | null;
  logger?: Logger;
  /** Longest text (message, raw, ...) an event keeps, in UTF-8 bytes; longer is cut and counted. Default 8 KiB. */
  maxStoredTextBytes?: number;
  /** Clock (tests). */
  now?: () => number;
}

/**
 * Bytes in, events out: decode, identify the device, normalise, wrap in an envelope, publish.
 * The envelope's time is the arrival time (device clocks are often wrong: `*Mar  1` means an
 * unset clock); the device's own time is in payload.timestamp. Never throws: bad input is
 * counted as malformed and logged, rate-limited, with the reason.
 */
export class SyslogSensor {
  readonly counters = new SensorCounters('syslog');
  /** Events whose text was cut to maxStoredTextBytes (exported as the `truncated` counter). */
  truncated = 0;
  private readonly log: Logger;
  private readonly malformedLog: RateLimitedLog;
  private readonly dropLog: RateLimitedLog;
  private readonly now: () => number;

  constructor(private readonly opts: SyslogSensorOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.malformedLog = new RateLimitedLog(this.log, { now: this.now });
    this.dropLog = new RateLimitedLog(this.log, { now: this.now });
  }

  /**
   * One message (a datagram or a stream frame) from `sourceAddress`, arrived at `receivedAt` (ms;
   * default now: a datagram read on the UDP worker thread brings its own). Returns the event published, if any.
   */
  handle(bytes: Buffer | string, sourceAddress: string, receivedAt = this.now()): EventEnvelope | null {
    this.counters.received++;
    let event: EventEnvelope;
    try {
      const msg = decodeSyslog(bytes, { receivedAt, sourceAddress });
      this.counters.decoded++;
      const device = identifyDevice(this.opts.resolver, msg.hostname, sourceAddress);
      const n = normaliseSyslog(msg, { device, platform: this.opts.platform ?? null });
      if (n.type === 'network.syslog') this.counters.unknown++;
      else this.counters.normalised++;
      if (limitStoredText(n.payload, this.opts.maxStoredTextBytes ?? DEFAULT_MAX_STORED_TEXT_BYTES)) this.truncated++;
      event = makeEvent(n.type, n.payload, { source: 'sensor:syslog', device: device.name, time: msg.receivedAt });
    } catch (e) {
      this.reject(e, sourceAddress, bytes);
      return null;
    }
    try {
      const done = this.opts.publish(event);
      if (done && typeof done.then === 'function') done.then(undefined, (e: unknown) => this.dropped(e, event));
    } catch (e) {
      this.dropped(e, event);
      return null;
    }
    return event;
  }

  /** Input that never became a message (bad framing, oversized frame) or failed to decode. */
  reject(e: unknown, sourceAddress: string, bytes?: Buffer | string, countReceived = false): void {
    if (countReceived) this.counters.received++;
    this.counters.malformed++;
    const err = isNrxError(e) ? e : new NrxError('NRX_ERR_DECODE', `syslog from ${sourceAddress}: ${describeError(e).message}`);
    const sample = bytes === undefined ? undefined : (typeof bytes === 'string' ? bytes : bytes.toString('latin1')).slice(0, 120);
    this.malformedLog.warn({ sensor: 'syslog', source: sourceAddress, code: err.code, sample }, `malformed syslog message: ${err.message}`);
  }

  private dropped(e: unknown, event: EventEnvelope): void {
    this.counters.dropped++;
    this.dropLog.warn({ sensor: 'syslog', type: event.type, device: event.device, err: describeError(e) }, 'syslog event could not be published');
  }
}
