import { NrxError } from '../../src/core/errors.js';

/**
 * The SNMP objects netreflex uses, by name. Debian ships no IETF MIB files (IF-MIB is in
 * non-free snmp-mibs-downloader), so instead of a MIB compiler this is a small table of the
 * standard numbers. Names resolve with or without the module prefix (`IF-MIB::ifOperStatus`) and
 * with an instance suffix (`ifOperStatus.3`, `sysName.0`).
 */

export interface MibObject {
  name: string;
  module: 'SNMPv2-MIB' | 'IF-MIB' | 'BGP4-MIB' | 'IEEE8023-LAG-MIB';
  oid: string;
  /** Integer values with a meaning (enumerations), value -> label. */
  labels?: Record<number, string>;
}

const UP_DOWN = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' };
const BGP_STATE = { 1: 'idle', 2: 'connect', 3: 'active', 4: 'opensent', 5: 'openconfirm', 6: 'established' };

const SYS = '1.3.6.1.2.1.1';
const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';
const BGP = '1.3.6.1.2.1.15';
const LAG_AGG = '1.2.840.10006.300.43.1.1.1.1';
const LAG_PORT = '1.2.840.10006.300.43.1.2.1.1';

const col = (module: MibObject['module'], base: string, cols: Record<string, number>, labels: Record<string, Record<number, string>> = {}): MibObject[] =>
  Object.entries(cols).map(([name, n]) => ({ name, module, oid: `${base}.${n}`, ...(labels[name] ? { labels: labels[name] } : {}) }));

export const MIB_OBJECTS: readonly MibObject[] = [
  ...col('SNMPv2-MIB', SYS, { sysDescr: 1, sysObjectID: 2, sysUpTime: 3, sysContact: 4, sysName: 5, sysLocation: 6, sysServices: 7 }),
  { name: 'snmpTrapOID', module: 'SNMPv2-MIB', oid: '1.3.6.1.6.3.1.1.4.1' },
  ...col('SNMPv2-MIB', '1.3.6.1.6.3.1.1.5', { coldStart: 1, warmStart: 2, authenticationFailure: 5 }),
  ...col('IF-MIB', '1.3.6.1.6.3.1.1.5', { linkDown: 3, linkUp: 4 }),
  { name: 'ifNumber', module: 'IF-MIB', oid: '1.3.6.1.2.1.2.1' },
  { name: 'ifTable', module: 'IF-MIB', oid: '1.3.6.1.2.1.2.2' },
  ...col(
    'IF-MIB',
    IF,
    {
      ifIndex: 1,
      ifDescr: 2,
      ifType: 3,
      ifMtu: 4,
      ifSpeed: 5,
      ifPhysAddress: 6,
      ifAdminStatus: 7,
      ifOperStatus: 8,
      ifLastChange: 9,
      ifInOctets: 10,
      ifInUcastPkts: 11,
      ifInDiscards: 13,
      ifInErrors: 14,
      ifOutOctets: 16,
      ifOutUcastPkts: 17,
      ifOutDiscards: 19,
      ifOutErrors: 20,
    },
    { ifAdminStatus: { 1: 'up', 2: 'down', 3: 'testing' }, ifOperStatus: UP_DOWN },
  ),
  { name: 'ifXTable', module: 'IF-MIB', oid: '1.3.6.1.2.1.31.1.1' },
  ...col(
    'IF-MIB',
    IFX,
    {
      ifName: 1,
      ifInMulticastPkts: 2,
      ifInBroadcastPkts: 3,
      ifOutMulticastPkts: 4,
      ifOutBroadcastPkts: 5,
      ifHCInOctets: 6,
      ifHCInUcastPkts: 7,
      ifHCInMulticastPkts: 8,
      ifHCInBroadcastPkts: 9,
      ifHCOutOctets: 10,
      ifHCOutUcastPkts: 11,
      ifHCOutMulticastPkts: 12,
      ifHCOutBroadcastPkts: 13,
      ifLinkUpDownTrapEnable: 14,
      ifHighSpeed: 15,
      ifAlias: 18,
    },
    { ifLinkUpDownTrapEnable: { 1: 'enabled', 2: 'disabled' } },
  ),
  ...col('BGP4-MIB', BGP, { bgpVersion: 1, bgpLocalAs: 2, bgpIdentifier: 4 }),
  { name: 'bgpPeerTable', module: 'BGP4-MIB', oid: `${BGP}.3` },
  ...col(
    'BGP4-MIB',
    `${BGP}.3.1`,
    {
      bgpPeerIdentifier: 1,
      bgpPeerState: 2,
      bgpPeerAdminStatus: 3,
      bgpPeerNegotiatedVersion: 4,
      bgpPeerLocalAddr: 5,
      bgpPeerLocalPort: 6,
      bgpPeerRemoteAddr: 7,
      bgpPeerRemotePort: 8,
      bgpPeerRemoteAs: 9,
      bgpPeerInUpdates: 10,
      bgpPeerOutUpdates: 11,
      bgpPeerInTotalMessages: 12,
      bgpPeerOutTotalMessages: 13,
      bgpPeerLastError: 14,
      bgpPeerFsmEstablishedTransitions: 15,
      bgpPeerFsmEstablishedTime: 16,
      bgpPeerConnectRetryInterval: 17,
      bgpPeerHoldTime: 18,
      bgpPeerKeepAlive: 19,
      bgpPeerHoldTimeConfigured: 20,
      bgpPeerKeepAliveConfigured: 21,
      bgpPeerMinASOriginationInterval: 22,
      bgpPeerMinRouteAdvertisementInterval: 23,
      bgpPeerInUpdateElapsedTime: 24,
    },
    { bgpPeerState: BGP_STATE, bgpPeerAdminStatus: { 1: 'stop', 2: 'start' } },
  ),
  ...col('BGP4-MIB', `${BGP}.0`, { bgpEstablishedNotification: 1, bgpBackwardTransNotification: 2 }),
  ...col('IEEE8023-LAG-MIB', LAG_AGG, {
    dot3adAggIndex: 1,
    dot3adAggMACAddress: 2,
    dot3adAggActorSystemID: 4,
    dot3adAggAggregateOrIndividual: 5,
    dot3adAggPartnerSystemID: 8,
  }),
  { name: 'dot3adAggPortListPorts', module: 'IEEE8023-LAG-MIB', oid: '1.2.840.10006.300.43.1.1.2.1.1' },
  ...col('IEEE8023-LAG-MIB', LAG_PORT, {
    dot3adAggPortIndex: 1,
    dot3adAggPortActorSystemPriority: 2,
    dot3adAggPortActorSystemID: 3,
    dot3adAggPortActorAdminKey: 4,
    dot3adAggPortActorOperKey: 5,
    dot3adAggPortPartnerOperSystemID: 9,
    dot3adAggPortPartnerOperKey: 11,
    dot3adAggPortSelectedAggID: 12,
    dot3adAggPortAttachedAggID: 13,
    dot3adAggPortActorPort: 14,
    dot3adAggPortActorOperState: 21,
    dot3adAggPortPartnerOperState: 23,
    dot3adAggPortAggregateOrIndividual: 24,
  }),
];

const byName = new Map<string, MibObject>();
const byOid = new Map<string, MibObject>();
for (const o of MIB_OBJECTS) {
  byName.set(o.name.toLowerCase(), o);
  byOid.set(o.oid, o);
}

const NUMERIC = /^\.?\d+(\.\d+)+$/;

/**
 * A name (`ifOperStatus`, `IF-MIB::ifOperStatus.3`, `sysName.0`) or a numeric OID (leading dot
 * allowed) -> numeric OID. An unknown name is NRX_ERR_PARAM_INVALID listing how to write it.
 */
export function resolveOid(nameOrOid: string, field = 'oid'): string {
  const s = nameOrOid.trim();
  if (NUMERIC.test(s)) return s.replace(/^\./, '');
  const noModule = s.includes('::') ? s.slice(s.indexOf('::') + 2) : s;
  const dot = noModule.indexOf('.');
  const name = dot < 0 ? noModule : noModule.slice(0, dot);
  const suffix = dot < 0 ? '' : noModule.slice(dot + 1);
  const obj = byName.get(name.toLowerCase());
  if (!obj || (dot >= 0 && !/^\d+(\.\d+)*$/.test(suffix))) {
    throw new NrxError(
      'NRX_ERR_PARAM_INVALID',
      `unknown SNMP object '${nameOrOid}': use a numeric OID or one of netreflex's names (e.g. ifOperStatus, sysName.0, bgpPeerState)`,
      { location: { field } },
    );
  }
  return suffix ? `${obj.oid}.${suffix}` : obj.oid;
}

/** The longest known prefix of an OID: `1.3.6.1.2.1.2.2.1.8.3` -> ifOperStatus, instance `3`. */
export function lookupOid(oid: string): { object: MibObject; instance: string } | undefined {
  const parts = oid.replace(/^\./, '').split('.');
  for (let n = parts.length; n > 0; n--) {
    const obj = byOid.get(parts.slice(0, n).join('.'));
    if (obj) return { object: obj, instance: parts.slice(n).join('.') };
  }
  return undefined;
}

/** `ifOperStatus.3`, or the numeric OID when no name is known. */
export function nameOfOid(oid: string): string {
  const hit = lookupOid(oid);
  if (!hit) return oid.replace(/^\./, '');
  return hit.instance ? `${hit.object.name}.${hit.instance}` : hit.object.name;
}
