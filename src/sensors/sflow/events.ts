import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import type { GenericInterfaceCounters, LagPortCounters } from './counter-records.js';
import type { SflowDatagram } from './decoder.js';

export interface SflowThresholds {
  /** Per cent of ifSpeed, either direction (default 90). */
  utilisationPercent: number;
  /** Errors per 100 packets, either direction (default 1). */
  errorRatePercent: number;
  /** Re-arm once the value falls this many points below the threshold, so a value hovering at it does not flap (default 5 / 0.5). */
  utilisationHysteresis: number;
  errorRateHysteresis: number;
}

export const DEFAULT_THRESHOLDS: SflowThresholds = { utilisationPercent: 90, errorRatePercent: 1, utilisationHysteresis: 5, errorRateHysteresis: 0.5 };

export interface SflowEventDetectorOptions {
  thresholds?: Partial<SflowThresholds>;
  /** Inventory device name for an agent address (null: not in the inventory). */
  deviceOf?: (agent: string) => string | null;
  source?: string;
}

/** LACP actor state bits: a member carries traffic when it is in sync, collecting and distributing. */
const LACP_IN_SERVICE = 0x08 | 0x10 | 0x20;

interface PortState {
  name?: string;
  oper?: 'up' | 'down';
  last?: { c: GenericInterfaceCounters; uptimeMs: number };
  high: Record<'utilIn' | 'utilOut' | 'errIn' | 'errOut', boolean>;
  lagUp?: boolean;
  lagId?: number;
}

/**
 * Turns counter samples into network events. Pure: datagrams in, events out, no clock (rates
 * use the agent's own uptime, so replayed captures give the same events). The first sample of
 * an interface only sets the baseline: a state is an event only when it changes.
 */
export class SflowEventDetector {
  private readonly ports = new Map<string, PortState>();
  private readonly t: SflowThresholds;

  constructor(private readonly opts: SflowEventDetectorOptions = {}) {
    this.t = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  }

  observe(d: SflowDatagram, time?: string): EventEnvelope[] {
    const events: EventEnvelope[] = [];
    for (const s of d.samples) {
      if (s.kind !== 'counter') continue;
      const ifIndex = s.counters.interface?.ifIndex ?? (s.sourceIdType === 0 ? s.sourceIdIndex : undefined);
      if (ifIndex === undefined) continue;
      const port = this.port(d.agent, ifIndex);
      if (s.counters.portName) port.name = s.counters.portName;
      const emit = (type: string, payload: Record<string, unknown>): void => {
        const device = this.opts.deviceOf?.(d.agent) ?? null;
        events.push(
          makeEvent(
            type,
            { ...(device ? { device } : {}), host: d.agent, ...payload },
            { source: this.opts.source ?? 'sensor:sflow', device, ...(time ? { time } : {}) },
          ),
        );
      };
      const iface = port.name ?? String(ifIndex);
      if (s.counters.interface) this.interfaceCounters(port, s.counters.interface, d.uptimeMs, iface, ifIndex, emit);
      if (s.counters.lag) this.lagCounters(d.agent, port, s.counters.lag, iface, ifIndex, emit);
    }
    return events;
  }

  private port(agent: string, ifIndex: number): PortState {
    const key = `${agent}#${ifIndex}`;
    let p = this.ports.get(key);
    if (!p) {
      p = { high: { utilIn: false, utilOut: false, errIn: false, errOut: false } };
      this.ports.set(key, p);
    }
    return p;
  }

  private interfaceCounters(p: PortState, c: GenericInterfaceCounters, uptimeMs: number, iface: string, ifIndex: number, emit: Emit): void {
    if (p.oper !== undefined && p.oper !== c.operStatus) {
      emit(c.operStatus === 'down' ? 'network.interface_down' : 'network.interface_up', {
        interface: iface,
        ifIndex,
        admin_status: c.adminStatus,
        oper_status: c.operStatus,
        reason: c.adminStatus === 'down' ? 'administratively down' : 'sFlow counter sample: ifOperStatus changed',
      });
    }
    p.oper = c.operStatus;
    const last = p.last;
    p.last = { c, uptimeMs };
    if (!last) return;
    const seconds = ((uptimeMs - last.uptimeMs) >>> 0) / 1000;
    if (seconds <= 0 || seconds > 3600) return; // agent restarted or a stale baseline: no rate
    if (c.ifSpeed > 0) {
      for (const dir of ['in', 'out'] as const) {
        const octets = dir === 'in' ? c.ifInOctets - last.c.ifInOctets : c.ifOutOctets - last.c.ifOutOctets;
        if (octets < 0) continue; // counter reset
        const utilisation = round2(((octets * 8) / seconds / c.ifSpeed) * 100);
        this.cross(p, dir === 'in' ? 'utilIn' : 'utilOut', utilisation, this.t.utilisationPercent, this.t.utilisationHysteresis, () =>
          emit('network.interface_utilisation_high', {
            interface: iface,
            ifIndex,
            direction: dir,
            utilisation,
            threshold: this.t.utilisationPercent,
            speed: c.ifSpeed,
            interval_s: seconds,
          }),
        );
      }
    }
    for (const dir of ['in', 'out'] as const) {
      const errors = delta32(dir === 'in' ? c.ifInErrors : c.ifOutErrors, dir === 'in' ? last.c.ifInErrors : last.c.ifOutErrors);
      const pkts =
        dir === 'in'
          ? delta32(c.ifInUcastPkts, last.c.ifInUcastPkts) +
            delta32(c.ifInMulticastPkts, last.c.ifInMulticastPkts) +
            delta32(c.ifInBroadcastPkts, last.c.ifInBroadcastPkts)
          : delta32(c.ifOutUcastPkts, last.c.ifOutUcastPkts) +
            delta32(c.ifOutMulticastPkts, last.c.ifOutMulticastPkts) +
            delta32(c.ifOutBroadcastPkts, last.c.ifOutBroadcastPkts);
      if (errors + pkts === 0) continue;
      const errorRate = round2((errors / (errors + pkts)) * 100);
      this.cross(p, dir === 'in' ? 'errIn' : 'errOut', errorRate, this.t.errorRatePercent, this.t.errorRateHysteresis, () =>
        emit('network.interface_errors_high', {
          interface: iface,
          ifIndex,
          direction: dir,
          error_rate: errorRate,
          errors,
          threshold: this.t.errorRatePercent,
          interval_s: seconds,
        }),
      );
    }
  }

  /** Fire once when the value reaches the threshold; re-arm only after it falls below threshold - hysteresis. */
  private cross(p: PortState, key: keyof PortState['high'], value: number, threshold: number, hysteresis: number, fire: () => void): void {
    if (!p.high[key] && value >= threshold) {
      p.high[key] = true;
      fire();
    } else if (p.high[key] && value < threshold - hysteresis) p.high[key] = false;
  }

  private lagCounters(agent: string, p: PortState, l: LagPortCounters, member: string, ifIndex: number, emit: Emit): void {
    const up = (l.actorOperState & LACP_IN_SERVICE) === LACP_IN_SERVICE && l.dot3adAggPortAttachedAggID !== 0;
    if (l.dot3adAggPortAttachedAggID !== 0) p.lagId = l.dot3adAggPortAttachedAggID;
    if (p.lagUp !== undefined && p.lagUp !== up) {
      const lagIndex = p.lagId;
      const lag = lagIndex !== undefined ? (this.ports.get(`${agent}#${lagIndex}`)?.name ?? String(lagIndex)) : 'unknown';
      emit(up ? 'network.lag_member_up' : 'network.lag_member_down', {
        lag,
        member,
        ifIndex,
        actor_oper_state: l.actorOperState,
        partner_oper_state: l.partnerOperState,
        reason: up ? 'LACP: collecting and distributing' : describeLacp(l.actorOperState),
      });
    }
    p.lagUp = up;
  }
}

type Emit = (type: string, payload: Record<string, unknown>) => void;

function delta32(now: number, before: number): number {
  return (now - before) >>> 0 > 0x7fffffff ? 0 : (now - before) >>> 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function describeLacp(state: number): string {
  const missing = [
    [0x08, 'synchronization'],
    [0x10, 'collecting'],
    [0x20, 'distributing'],
  ]
    .filter(([bit]) => !(state & (bit as number)))
    .map(([, name]) => name);
  return `LACP actor state lacks ${missing.join(', ') || 'an aggregator'}${state & 0x40 ? ' (defaulted: no LACPDUs from the partner)' : ''}`;
}
