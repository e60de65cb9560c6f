import { BGP_STATES } from '../../events/builtin-triggers.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import type { SnmpTrap, Varbind } from './message.js';

/** Well-known notification OIDs (SNMPv2-MIB snmpTraps, BGP4-MIB). Numeric: no MIB files are needed. */
export const TRAP_OID = {
  coldStart: '1.3.6.1.6.3.1.1.5.1',
  warmStart: '1.3.6.1.6.3.1.1.5.2',
  linkDown: '1.3.6.1.6.3.1.1.5.3',
  linkUp: '1.3.6.1.6.3.1.1.5.4',
} as const;

/** bgpEstablished / bgpBackwardTransition: RFC 4273 ({bgpNotification 1|2}) and RFC 1657 v1 traps translated by RFC 3584 ({bgp 0 1|2}). */
const BGP_ESTABLISHED = new Set(['1.3.6.1.2.1.15.0.1', '1.3.6.1.2.1.15.7.1']);
const BGP_BACKWARD = new Set(['1.3.6.1.2.1.15.0.2', '1.3.6.1.2.1.15.7.2']);

const IF_INDEX = '1.3.6.1.2.1.2.2.1.1.';
const IF_DESCR = '1.3.6.1.2.1.2.2.1.2.';
const IF_ADMIN = '1.3.6.1.2.1.2.2.1.7.';
const IF_OPER = '1.3.6.1.2.1.2.2.1.8.';
const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1.';
const BGP_PEER_STATE = '1.3.6.1.2.1.15.3.1.2.';
const BGP_PEER_REMOTE_ADDR = '1.3.6.1.2.1.15.3.1.7.';
const BGP_PEER_LAST_ERROR = '1.3.6.1.2.1.15.3.1.14.';

const IF_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];

export interface TrapContext {
  /** Where the datagram came from (the agent, or a relay). */
  sourceAddress: string;
  /** Inventory device for an agent address (null: not in the inventory). */
  deviceOf?: (address: string) => string | null;
  /** ifIndex -> ifName when the trap did not carry it (an inventory cache, an SNMP poller). */
  ifNameOf?: (address: string, ifIndex: number) => string | undefined;
  time?: string;
  source?: string;
}

/**
 * A trap as the event rules match on: linkDown/linkUp, BGP transitions and restarts get their
 * own types; anything else is network.snmp_trap with numeric OIDs and values. Every payload keeps
 * trap_oid and the varbinds, so nothing the agent said is lost.
 */
export function normaliseTrap(t: SnmpTrap, ctx: TrapContext): EventEnvelope {
  const agent = t.agentAddress && t.agentAddress !== '0.0.0.0' ? t.agentAddress : ctx.sourceAddress;
  const device = ctx.deviceOf?.(agent) ?? null;
  const common: Record<string, unknown> = {
    ...(device ? { device } : {}),
    host: agent,
    trap_oid: t.trapOid,
    version: t.version,
    uptime: t.uptime,
    varbinds: t.varbinds,
  };
  const emit = (type: string, payload: Record<string, unknown>): EventEnvelope =>
    makeEvent(type, { ...common, ...payload }, { source: ctx.source ?? 'sensor:snmptrap', device, ...(ctx.time ? { time: ctx.time } : {}) });

  if (t.trapOid === TRAP_OID.linkDown || t.trapOid === TRAP_OID.linkUp) {
    const down = t.trapOid === TRAP_OID.linkDown;
    const ifIndex = ifIndexOf(t.varbinds);
    const ifName = (ifIndex !== undefined ? textAt(t.varbinds, IF_NAME + ifIndex) : undefined) ?? (ifIndex !== undefined ? ctx.ifNameOf?.(agent, ifIndex) : undefined);
    const ifDescr = ifIndex !== undefined ? textAt(t.varbinds, IF_DESCR + ifIndex) : undefined;
    const iface = ifName ?? ifDescr ?? (ifIndex !== undefined ? String(ifIndex) : 'unknown');
    const admin = ifIndex !== undefined ? numberAt(t.varbinds, IF_ADMIN + ifIndex) : undefined;
    const oper = ifIndex !== undefined ? numberAt(t.varbinds, IF_OPER + ifIndex) : undefined;
    return emit(down ? 'network.interface_down' : 'network.interface_up', {
      interface: iface,
      ...(ifIndex !== undefined ? { ifIndex } : {}),
      ...(ifName ? { ifName } : {}),
      ...(admin !== undefined ? { admin_status: IF_STATUS[admin] ?? admin } : {}),
      ...(oper !== undefined ? { oper_status: IF_STATUS[oper] ?? oper } : {}),
      ...(down && admin === 2 ? { reason: 'administratively down' } : {}),
      message: `SNMP ${down ? 'linkDown' : 'linkUp'} ${iface}${ifIndex !== undefined ? ` (ifIndex ${ifIndex})` : ''}`,
    });
  }
  if (BGP_ESTABLISHED.has(t.trapOid) || BGP_BACKWARD.has(t.trapOid)) {
    const established = BGP_ESTABLISHED.has(t.trapOid);
    const peer = bgpPeerOf(t.varbinds);
    const code = numberAt(t.varbinds, BGP_PEER_STATE + (peer ?? ''));
    const state = code !== undefined && code >= 1 && code <= 6 ? BGP_STATES[code - 1]! : established ? 'established' : 'idle';
    const lastError = peer ? t.varbinds.find((v) => v.oid === BGP_PEER_LAST_ERROR + peer) : undefined;
    const reason = lastError && typeof lastError.value === 'string' ? bgpErrorText(lastError) : undefined;
    return emit('network.bgp_peer_state_changed', {
      peer: peer ?? 'unknown',
      state,
      ...(reason ? { reason } : {}),
      ...(code === undefined ? { state_inferred: true } : {}),
      message: `SNMP ${established ? 'bgpEstablished' : 'bgpBackwardTransition'} peer ${peer ?? 'unknown'} ${state}`,
    });
  }
  if (t.trapOid === TRAP_OID.coldStart || t.trapOid === TRAP_OID.warmStart) {
    const restart = t.trapOid === TRAP_OID.coldStart ? 'cold' : 'warm';
    return emit('network.device_restarted', { restart, message: `SNMP ${restart}Start from ${agent}` });
  }
  return emit('network.snmp_trap', {
    ...(t.community !== undefined ? { community: t.community } : {}),
    ...(t.user !== undefined ? { user: t.user, engine_id: t.engineId } : {}),
    ...(t.agentAddress ? { agent_address: t.agentAddress } : {}),
    ...(t.enterprise ? { enterprise: t.enterprise, generic_trap: t.genericTrap, specific_trap: t.specificTrap } : {}),
    message: `SNMP trap ${t.trapOid} from ${agent}`,
  });
}

function ifIndexOf(vbs: Varbind[]): number | undefined {
  for (const v of vbs) if (v.oid.startsWith(IF_INDEX) && typeof v.value === 'number') return v.value;
  // agents that omit ifIndex still index ifAdminStatus/ifOperStatus by it
  for (const v of vbs) {
    for (const prefix of [IF_OPER, IF_ADMIN, IF_NAME, IF_DESCR]) {
      if (v.oid.startsWith(prefix)) {
        const n = Number(v.oid.slice(prefix.length));
        if (Number.isInteger(n)) return n;
      }
    }
  }
  return undefined;
}

/** The peer address is the index of bgpPeerTable columns: four arcs after the column OID. */
function bgpPeerOf(vbs: Varbind[]): string | undefined {
  for (const v of vbs) if (v.oid.startsWith(BGP_PEER_REMOTE_ADDR) && v.type === 'IpAddress') return v.value as string;
  for (const v of vbs) {
    for (const prefix of [BGP_PEER_STATE, BGP_PEER_LAST_ERROR, BGP_PEER_REMOTE_ADDR]) {
      if (v.oid.startsWith(prefix)) {
        const idx = v.oid.slice(prefix.length);
        if (/^\d{1,3}(\.\d{1,3}){3}$/.test(idx)) return idx;
      }
    }
  }
  return undefined;
}

function textAt(vbs: Varbind[], oid: string): string | undefined {
  const v = vbs.find((x) => x.oid === oid);
  return v && v.type === 'OctetString' && !v.hex && typeof v.value === 'string' ? v.value : undefined;
}

function numberAt(vbs: Varbind[], oid: string): number | undefined {
  const v = vbs.find((x) => x.oid === oid);
  return v && typeof v.value === 'number' ? v.value : undefined;
}

const BGP_ERRORS = ['', 'message header error', 'OPEN message error', 'UPDATE message error', 'hold timer expired', 'finite state machine error', 'cease'];

/** bgpPeerLastError: two octets, error code and subcode (RFC 4271 4.5). */
function bgpErrorText(v: Varbind): string | undefined {
  const hex = v.hex ? (v.value as string) : Buffer.from(v.value as string, 'utf8').toString('hex');
  if (hex.length !== 4) return undefined;
  const code = parseInt(hex.slice(0, 2), 16);
  const sub = parseInt(hex.slice(2), 16);
  if (code === 0) return undefined;
  return `${BGP_ERRORS[code] ?? `error ${code}`} (code ${code}, subcode ${sub})`;
}
