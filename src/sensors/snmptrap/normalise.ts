import { resolveOid } from '../../../drivers/transports/snmp-names.js';
import { BGP_STATES } from '../../events/builtin-triggers.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import type { SnmpTrap, Varbind } from './message.js';

/** Well-known notification OIDs (SNMPv2-MIB snmpTraps, BGP4-MIB). Numeric: no MIB files are needed. */
export const TRAP_OID = {
  coldStart: resolveOid('coldStart'),
  warmStart: resolveOid('warmStart'),
  linkDown: resolveOid('linkDown'),
  linkUp: resolveOid('linkUp'),
} as const;

/** bgpEstablished / bgpBackwardTransition: RFC 4273 ({bgpNotification 1|2}) and RFC 1657 v1 traps translated by RFC 3584 ({bgp 0 1|2}). */
const BGP_ESTABLISHED = new Set(['1.3.6.1.2.1.15.0.1', '1.3.6.1.2.1.15.7.1']);
const BGP_BACKWARD = new Set(['1.3.6.1.2.1.15.0.2', '1.3.6.1.2.1.15.7.2']);

/** Column OID prefixes (instance follows), from the same name table the SNMP client uses. */
const column = (name: string): string => `${resolveOid(name)}.`;
const IF_INDEX = column('ifIndex');
const IF_DESCR = column('ifDescr');
const IF_ADMIN = column('ifAdminStatus');
const IF_OPER = column('ifOperStatus');
const IF_NAME = column('ifName');
const BGP_PEER_STATE = column('bgpPeerState');
const BGP_PEER_REMOTE_ADDR = column('bgpPeerRemoteAddr');
const BGP_PEER_LAST_ERROR = column('bgpPeerLastError');

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
  // Built by assignment in a fixed order (the payload's key order is what JSON shows): the
  // sensor runs this for every trap, and spreading small objects was most of its cost.
  const p: Record<string, unknown> = {};
  if (device) p.device = device;
  p.host = agent;
  p.trap_oid = t.trapOid;
  p.version = t.version;
  p.uptime = t.uptime;
  p.varbinds = t.varbinds;

  let type: string;
  if (t.trapOid === TRAP_OID.linkDown || t.trapOid === TRAP_OID.linkUp) {
    const down = t.trapOid === TRAP_OID.linkDown;
    type = down ? 'network.interface_down' : 'network.interface_up';
    const ifIndex = ifIndexOf(t.varbinds);
    const ifName =
      (ifIndex !== undefined ? textAt(t.varbinds, IF_NAME + ifIndex) : undefined) ?? (ifIndex !== undefined ? ctx.ifNameOf?.(agent, ifIndex) : undefined);
    const ifDescr = ifIndex !== undefined ? textAt(t.varbinds, IF_DESCR + ifIndex) : undefined;
    const iface = ifName ?? ifDescr ?? (ifIndex !== undefined ? String(ifIndex) : 'unknown');
    const admin = ifIndex !== undefined ? numberAt(t.varbinds, IF_ADMIN + ifIndex) : undefined;
    const oper = ifIndex !== undefined ? numberAt(t.varbinds, IF_OPER + ifIndex) : undefined;
    p.interface = iface;
    if (ifIndex !== undefined) p.ifIndex = ifIndex;
    if (ifName) p.ifName = ifName;
    if (admin !== undefined) p.admin_status = IF_STATUS[admin] ?? admin;
    if (oper !== undefined) p.oper_status = IF_STATUS[oper] ?? oper;
    if (down && admin === 2) p.reason = 'administratively down';
    p.message = `SNMP ${down ? 'linkDown' : 'linkUp'} ${iface}${ifIndex !== undefined ? ` (ifIndex ${ifIndex})` : ''}`;
  } else if (BGP_ESTABLISHED.has(t.trapOid) || BGP_BACKWARD.has(t.trapOid)) {
    const established = BGP_ESTABLISHED.has(t.trapOid);
    type = 'network.bgp_peer_state_changed';
    const peer = bgpPeerOf(t.varbinds);
    const code = numberAt(t.varbinds, BGP_PEER_STATE + (peer ?? ''));
    const state = code !== undefined && code >= 1 && code <= 6 ? BGP_STATES[code - 1]! : established ? 'established' : 'idle';
    const lastError = peer ? varbindAt(t.varbinds, BGP_PEER_LAST_ERROR + peer) : undefined;
    const reason = lastError && typeof lastError.value === 'string' ? bgpErrorText(lastError) : undefined;
    p.peer = peer ?? 'unknown';
    p.state = state;
    if (reason) p.reason = reason;
    if (code === undefined) p.state_inferred = true;
    p.message = `SNMP ${established ? 'bgpEstablished' : 'bgpBackwardTransition'} peer ${peer ?? 'unknown'} ${state}`;
  } else if (t.trapOid === TRAP_OID.coldStart || t.trapOid === TRAP_OID.warmStart) {
    const restart = t.trapOid === TRAP_OID.coldStart ? 'cold' : 'warm';
    type = 'network.device_restarted';
    p.restart = restart;
    p.message = `SNMP ${restart}Start from ${agent}`;
  } else {
    type = 'network.snmp_trap';
    if (t.community !== undefined) p.community = t.community;
    if (t.user !== undefined) {
      p.user = t.user;
      p.engine_id = t.engineId;
    }
    if (t.agentAddress) p.agent_address = t.agentAddress;
    if (t.enterprise) {
      p.enterprise = t.enterprise;
      p.generic_trap = t.genericTrap;
      p.specific_trap = t.specificTrap;
    }
    p.message = `SNMP trap ${t.trapOid} from ${agent}`;
  }
  return makeEvent(type, p, { source: ctx.source ?? 'sensor:snmptrap', device, time: ctx.time || undefined });
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

function varbindAt(vbs: Varbind[], oid: string): Varbind | undefined {
  for (const v of vbs) if (v.oid === oid) return v;
  return undefined;
}

function textAt(vbs: Varbind[], oid: string): string | undefined {
  const v = varbindAt(vbs, oid);
  return v && v.type === 'OctetString' && !v.hex && typeof v.value === 'string' ? v.value : undefined;
}

function numberAt(vbs: Varbind[], oid: string): number | undefined {
  const v = varbindAt(vbs, oid);
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
