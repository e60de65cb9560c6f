import type { BgpNeighbor, Facts, GetterName, Interface, LagMember, LldpNeighbor, VxlanVni } from '../../../drivers/contract/getters.js';
import { lookupOid, MIB_OBJECTS, nameOfOid } from '../../../drivers/transports/snmp-names.js';

/**
 * What a poller reads from each device: a driver getter over the CLI, or SNMP objects. Every
 * reading becomes a set of items (one per BGP peer, interface, table row...) with named fields,
 * which is what `key` and `watch` refer to.
 */

/** One SNMP object to walk or get: the name fields carry and its numeric OID. */
export interface SnmpObject {
  name: string;
  oid: string;
  /** Added by netreflex for an event mapping (ifName for interface events), not by the operator. */
  implicit?: boolean;
}

export type PollSource = { kind: 'getter'; getter: GetterName } | { kind: 'snmp-walk'; roots: SnmpObject[] } | { kind: 'snmp-get'; objects: SnmpObject[] };

/** Fields of each getter's items, checked at load so a typo in `watch` is an error, not silence. */
export const GETTER_FIELDS: { [G in GetterName]: readonly string[] } = {
  facts: ['hostname', 'vendor', 'model', 'osVersion', 'serialNumber', 'uptimeSeconds', 'interfaces'] satisfies Array<keyof Facts>,
  interfaces: ['name', 'adminUp', 'operUp', 'description', 'macAddress', 'mtu', 'speedBps', 'addresses'] satisfies Array<keyof Interface>,
  bgp_neighbors: [
    'peer',
    'remoteAs',
    'state',
    'adminDown',
    'prefixesReceived',
    'upDown',
    'vrf',
    'addressFamily',
    'localAs',
    'routerId',
    'description',
  ] satisfies Array<keyof BgpNeighbor>,
  lldp_neighbors: ['localInterface', 'remoteSystemName', 'remotePort'] satisfies Array<keyof LldpNeighbor>,
  lag_members: ['lag', 'member', 'up', 'status', 'protocol'] satisfies Array<keyof LagMember>,
  vxlan_vnis: ['vni', 'interface', 'localVtep', 'udpPort', 'bridge', 'learning', 'up', 'floodVteps'] satisfies Array<keyof VxlanVni>,
};

/**
 * What identifies an item when the definition gives no `key`. A peer is unique per VRF, a LAG
 * member per LAG; facts are one object per device (no key).
 */
export const DEFAULT_GETTER_KEY: { [G in GetterName]: readonly string[] } = {
  facts: [],
  interfaces: ['name'],
  bgp_neighbors: ['vrf', 'peer'],
  lldp_neighbors: ['localInterface'],
  lag_members: ['lag', 'member'],
  vxlan_vnis: ['vni'],
};

/** The list a getter's model holds its items in (facts: the model itself is the one item). */
export const GETTER_LIST: { [G in GetterName]: string | null } = {
  facts: null,
  interfaces: 'interfaces',
  bgp_neighbors: 'neighbors',
  lldp_neighbors: 'neighbors',
  lag_members: 'members',
  vxlan_vnis: 'vnis',
};

/** The row index of a walked table, as a field (`10.0.1.1` for bgpPeerTable, `3` for ifTable). */
export const SNMP_INDEX_FIELD = 'index';
/** The field of an SNMP get item. */
export const SNMP_VALUE_FIELD = 'value';

/**
 * The columns a walk of `root` yields as fields: the known objects beneath it (a table or an
 * entry gives all its columns), or the root itself when it is a column or an unknown OID.
 */
export function walkColumns(root: SnmpObject): string[] {
  const columns = MIB_OBJECTS.filter((o) => o.oid.startsWith(`${root.oid}.`) && !isTableOrEntry(o.name)).map((o) => o.name);
  return columns.length ? columns : [root.name];
}

function isTableOrEntry(name: string): boolean {
  return /(Table|Entry)$/.test(name);
}

/** Fields the items of `source` may carry, for checking `key` and `watch`. */
export function sourceFields(source: PollSource): string[] {
  if (source.kind === 'getter') return [...GETTER_FIELDS[source.getter]];
  if (source.kind === 'snmp-get') return [SNMP_VALUE_FIELD];
  return [SNMP_INDEX_FIELD, ...new Set(source.roots.flatMap(walkColumns))];
}

/**
 * Which field a walked value lands in and which row it belongs to: the known column it is an
 * instance of, else the walked root with the rest of the OID as the row.
 */
export function placeWalkedValue(root: SnmpObject, oid: string): { field: string; index: string } {
  const hit = lookupOid(oid);
  if (hit && hit.object.oid.startsWith(`${root.oid}.`) && !isTableOrEntry(hit.object.name) && hit.instance)
    return { field: hit.object.name, index: hit.instance };
  if (hit && hit.object.oid === root.oid && hit.instance) return { field: root.name, index: hit.instance };
  const o = oid.replace(/^\./, '');
  return { field: root.name, index: o.startsWith(`${root.oid}.`) ? o.slice(root.oid.length + 1) : o };
}

/** `IF-MIB::ifOperStatus` and `1.3.6.1.2.1.2.2.1.8` both name the field `ifOperStatus`. */
export function snmpObject(numericOid: string): SnmpObject {
  return { name: nameOfOid(numericOid), oid: numericOid };
}
