import { isNrxError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import type { EventEnvelope } from '../../events/envelope.js';
import { SensorCounters } from '../common/counters.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { UdpListener } from '../common/udp.js';
import { decodeTrap, type SnmpTrap } from './message.js';
import { normaliseTrap, type TrapContext } from './normalise.js';
import type { UsmUser } from './usm.js';

export interface TrapListenerOptions {
  host?: string;
  /** Default 10162 (unprivileged; 162 needs root). 0 picks a free port. */
  port?: number;
  recvBufferBytes?: number;
  /** SNMPv3 USM users (per user, optionally the engine IDs of the agents allowed to use it). */
  users?: UsmUser[];
  /** v1/v2c communities accepted; absent: any community. */
  communities?: string[];
  onEvent: (event: EventEnvelope) => void;
  deviceOf?: TrapContext['deviceOf'];
  ifNameOf?: TrapContext['ifNameOf'];
  log?: Logger;
}

/**
 * The SNMP trap sensor: own BER/USM decoder (see message.ts), normalised events, counters.
 * Traps from a community not configured, or v3 traps that fail authentication, are counted
 * as malformed with the reason logged (rate limited).
 */
export class TrapListener extends UdpListener {
  readonly counters = new SensorCounters('snmptrap');
  /** v3 messages refused: unknown user, wrong digest, undecryptable. Also counted as malformed. */
  authFailures = 0;
  private readonly warn: RateLimitedLog;

  constructor(private readonly opts: TrapListenerOptions) {
    super();
    this.warn = new RateLimitedLog(opts.log ?? silentLogger);
  }

  start(): Promise<{ address: string; port: number }> {
    return this.listen(this.opts.host ?? '0.0.0.0', this.opts.port ?? 10162, this.opts.recvBufferBytes);
  }

  receive(msg: Buffer, from: { address: string; port: number }): void {
    this.counters.received++;
    let trap: SnmpTrap;
    try {
      trap = decodeTrap(msg, { users: this.opts.users });
      if (this.opts.communities && trap.community !== undefined && !this.opts.communities.includes(trap.community)) {
        this.counters.malformed++;
        this.authFailures++;
        this.warn.warn({ sensor: 'snmptrap', from: from.address }, 'SNMP trap with a community that is not configured');
        return;
      }
    } catch (e) {
      this.counters.malformed++;
      if (isNrxError(e) && e.code === 'NRX_ERR_SNMP_AUTH') this.authFailures++;
      this.warn.warn({ sensor: 'snmptrap', from: from.address, bytes: msg.length, err: isNrxError(e) ? e.message : String(e) }, 'SNMP trap refused');
      return;
    }
    this.counters.decoded++;
    const event = normaliseTrap(trap, { sourceAddress: from.address, deviceOf: this.opts.deviceOf, ifNameOf: this.opts.ifNameOf });
    if (event.type === 'network.snmp_trap') this.counters.unknown++;
    else this.counters.normalised++;
    try {
      this.opts.onEvent(event);
    } catch {
      this.counters.dropped++;
    }
  }
}
