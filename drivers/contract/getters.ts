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
}

export interface LagMembers {
  members: LagMember[];
}

/** The getters, by the names the runners and the CLI use. */
export interface GetterModels {
  facts: Facts;
  interfaces: Interfaces;
  bgp_neighbors: BgpNeighbors;
  lldp_neighbors: LldpNeighbors;
  lag_members: LagMembers;
}
export type GetterName = keyof GetterModels;
export const GETTER_NAMES: readonly GetterName[] = ['facts', 'interfaces', 'bgp_neighbors', 'lldp_neighbors', 'lag_members'];
