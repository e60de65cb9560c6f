/**
 * The driver contract every platform fulfils (NAPALM's idea, async only): send commands,
 * configure, a candidate lifecycle where the platform has one, and getters that return
 * vendor-neutral models. A command the device rejects is a failed CommandResult; an exception
 * (NrxError) means the infrastructure broke: auth, timeout, host key, lost connection.
 */

/** What one command produced. `failed` is true when the device rejected it (e.g. `% Invalid input`). */
export interface CommandResult {
  command: string;
  output: string;
  failed: boolean;
  /** The device's own words for the rejection, e.g. `% Unknown command: show bogus`. */
  failureReason?: string;
  elapsedMs: number;
}

export interface SendOptions {
  /** Per-command timeout in ms (default: the session's commandTimeoutMs). */
  timeoutMs?: number;
  /** Called with output as it arrives, for long outputs (`show tech`). */
  onData?: (chunk: string) => void;
  /** Stop at the first failed command and leave the rest unsent. */
  stopOnFailure?: boolean;
}

/** Lower-case BGP finite state machine states, as RFC 4271 names them. */
export type BgpState = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established';

export interface BgpNeighbor {
  /** The neighbor's address (IPv4 or IPv6), or an interface name for unnumbered peers. */
  peer: string;
  remoteAs: number;
  state: BgpState;
  /** Shut down by configuration (`neighbor X shutdown`): FRR/IOS `Idle (Admin)`. */
  adminDown: boolean;
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

export interface ConfigResult {
  results: CommandResult[];
  failed: boolean;
}

/** The candidate-configuration lifecycle (load merge/replace -> compare -> commit | discard; rollback). */
export interface CandidateConfig {
  loadMerge(lines: string[]): Promise<ConfigResult>;
  loadReplace(config: string): Promise<ConfigResult>;
  /** The diff between the candidate and the running configuration, as the device prints it. */
  compare(): Promise<string>;
  commit(comment?: string): Promise<ConfigResult>;
  discard(): Promise<void>;
  rollback(steps?: number): Promise<ConfigResult>;
}

export interface Driver extends CandidateConfig {
  readonly device: string;
  readonly platform: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  send(commands: string[], opts?: SendOptions): Promise<CommandResult[]>;
  /** Enter config mode, send lines, leave config mode. Rejected lines are failed results. */
  configure(lines: string[], opts?: SendOptions): Promise<ConfigResult>;
  getFacts(): Promise<Facts>;
  getInterfaces(): Promise<Interfaces>;
  getBgpNeighbors(): Promise<BgpNeighbors>;
  getLldpNeighbors(): Promise<LldpNeighbors>;
  getLagMembers(): Promise<LagMembers>;
  get<G extends GetterName>(getter: G): Promise<GetterModels[G]>;
}
