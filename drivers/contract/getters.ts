/**
 * The vendor-neutral models the getters return (NAPALM's idea): the same shape whatever the
 * platform, so workflows and pollers compare BGP neighbors or interfaces across vendors.
 */

/** Lower-case BGP finite state machine states, as RFC 4271 names them. */
export type BgpState = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established';

export interface BgpNeighbor {
  /** The neighbor's address (IPv4 or IPv6), or an interface name for unnumbered peers. */
  peer: string;
  remoteAs: number;
  state: BgpState;
  /** Shut down by configuration (`neighbor X shutdown`): FRR/IOS `Idle (Admin)`. */
  adminDown: boolean;
  /**
   * The device's note beside the state, without parentheses: `Admin`, `PfxCt` (maximum-prefix
   * tripped), `NoNeg` (up, address family not negotiated), `NoIf`, `SE`.
   */
  stateReason?: string;
  /** Prefixes received, when the output shows it (established sessions). */
  prefixesReceived?: number;
  /** Time in the current state as the device prints it (`00:20:06`, `4w1d`, `never`). */
  upDown?: string;
  vrf: string;
  addressFamily?: string;
  localAs?: number;
  routerId?: string;
  description?: string;
}

export interface BgpNeighbors {
  neighbors: BgpNeighbor[];
}

export interface Facts {
  hostname?: string;
  vendor: string;
  model?: string;
  osVersion?: string;
  serialNumber?: string;
  uptimeSeconds?: number;
  interfaces?: string[];
}

export interface Interface {
  name: string;
  /** Administratively enabled. */
  adminUp: boolean;
  /** Line protocol / operational state. */
  operUp: boolean;
  description?: string;
  macAddress?: string;
  mtu?: number;
  /** Bits per second, when known. */
  speedBps?: number;
  addresses?: string[];
}

export interface Interfaces {
  interfaces: Interface[];
}

export interface LldpNeighbor {
  localInterface: string;
  remoteSystemName: string;
  remotePort: string;
}

export interface LldpNeighbors {
  neighbors: LldpNeighbor[];
}

export interface LagMember {
  lag: string;
  member: string;
  /** Bundled and forwarding (`P` on IOS/NX-OS, `Bundled`/`Active` elsewhere). */
  up: boolean;
  /** The device's own flag or state word, for the operator. */
  status?: string;
  protocol?: string;
  /** How traffic is spread, where the device says: this member's share of the LAG's transmitted bytes (0-100). */
  loadPercent?: number;
  /** Bytes this member has transmitted (the counter the share is computed from). */
  txBytes?: number;
  /** Hash buckets the LAG currently sends over this member (OVS balance-slb/tcp), when shown. */
  hashes?: number;
  /** Administratively enabled (not `shutdown`), when the device shows it apart from `up`. */
  adminUp?: boolean;
}

export interface LagMembers {
  members: LagMember[];
}

/** A VXLAN segment on a switch whose data plane is the Linux kernel (a vxlan device in a bridge). */
export interface VxlanVni {
  vni: number;
  /** The vxlan device (`vxlan1004`; Cumulus names it `vni1004`). */
  interface: string;
  /** Source address of the tunnels: this switch's VTEP (its loopback). */
  localVtep?: string;
  udpPort?: number;
  /** The bridge the device is a member of (the hosts' side of the segment). */
  bridge?: string;
  /** MAC learning from the data plane (off when a control plane or static entries fill the table). */
  learning?: boolean;
  up: boolean;
  /** Remote VTEPs that broadcast, unknown-unicast and multicast are copied to (head-end replication). */
  floodVteps: string[];
}

export interface VxlanVnis {
  vnis: VxlanVni[];
}

/** The getters, by the names the runners and the CLI use. */
export interface GetterModels {
  facts: Facts;
  interfaces: Interfaces;
  bgp_neighbors: BgpNeighbors;
  lldp_neighbors: LldpNeighbors;
  lag_members: LagMembers;
  vxlan_vnis: VxlanVnis;
}
export type GetterName = keyof GetterModels;
export const GETTER_NAMES: readonly GetterName[] = ['facts', 'interfaces', 'bgp_neighbors', 'lldp_neighbors', 'lag_members', 'vxlan_vnis'];
