import type { SyslogMessage } from '../message.js';
import { bgpChange, bgpState, recognised, vrfName, type PlatformNormaliser, type Recognised } from './common.js';
import { isisNeighbor, ospfNeighbor } from './adjacency.js';

/**
 * Extreme (Brocade) NetIron MLX/CER/CES: the module is the syslog tag, in capitals, no pid:
 *   BGP: Peer (VRF: default-vrf) 2607:a999:4999::1 DOWN (Rcv Notification:Hold Timer Expired)
 *   BGP: Peer 10.10.7.137 UP (ESTABLISHED)
 *   System: Interface ethernet 3/8, state down - remote fault
 *   OSPF: nbr state changed, rid 10.10.80.14, nbr addr 10.10.228.70, nbr rid 10.10.80.17, state full
 *   BFD: Session DOWN for 127.1.1.1 on ve 55 Reason:Administratively Down
 *   ISIS: L2 Neighbor 2080.6521.2083 Down on ve 172 due to BFD Trigger
 * Interface names are kept as the device writes them (`ethernet 1/1/36`, `ve 55`).
 */
// Matched against the text with trailing spaces trimmed (NetIron ends some lines with one), so
// no pattern needs a lazy group before `\s*$`: that shape backtracks quadratically on hostile input.
const BGP = /^Peer (?:\(VRF: ([^)]+)\) )?(\S+) (UP|DOWN)(?: \(([^)]*)\))?$/;
const LINK = /^Interface (.+?), state (up|down)(?: - (.*))?$/;
const OSPF = /^nbr state changed, rid (\S+), nbr addr (\S+), nbr rid (\S+), state (\S+)/;
const BFD = /^Session (UP|DOWN) for (\S+) on (.+?)(?: Reason:\s*(.*))?$/;
const ISIS = /^(L\d) Neighbor (\S+) (Up|Down) on (.+?)(?: due to (.*))?$/;

type Handler = (text: string) => Recognised | null;

const MODULES = new Map<string, Handler>([
  [
    'BGP',
    (text) => {
      const m = BGP.exec(text);
      if (!m) return null;
      const vrf = vrfName(m[1]) ?? 'default';
      if (m[3] === 'UP') return bgpChange({ peer: m[2]!, state: bgpState(m[4]) ?? 'established', vrf });
      return bgpChange({ peer: m[2]!, state: 'idle', previous_state: 'established', vrf, reason: m[4] });
    },
  ],
  [
    'System',
    (text) => {
      const m = LINK.exec(text);
      return m ? recognised(m[2] === 'up' ? 'network.interface_up' : 'network.interface_down', { interface: m[1], reason: m[3] }) : null;
    },
  ],
  [
    'OSPF',
    (text) => {
      const m = OSPF.exec(text);
      return m ? ospfNeighbor(null, m[4]!, { neighbor: m[3], neighbor_address: m[2], router_id: m[1] }) : null;
    },
  ],
  [
    'BFD',
    (text) => {
      const m = BFD.exec(text);
      if (!m) return null;
      // The session goes down because this side was shut: BFD's AdminDown state.
      const state = m[1] === 'UP' ? 'up' : /^administratively down$/i.test(m[4] ?? '') ? 'admin_down' : 'down';
      return recognised('network.bfd_state_changed', { peer: m[2], interface: m[3], state, diagnostic: m[4] });
    },
  ],
  [
    'ISIS',
    (text) => {
      const m = ISIS.exec(text);
      return m ? isisNeighbor(null, m[3]!, { neighbor: m[2], interface: m[4], level: m[1], reason: m[5] }) : null;
    },
  ],
]);

/** How each module's lines that this normaliser reads begin: enough for sniffing, without running the patterns twice. */
const OPENINGS: ReadonlyMap<string, string> = new Map([
  ['BGP', 'Peer '],
  ['System', 'Interface '],
  ['OSPF', 'nbr state changed, '],
  ['BFD', 'Session '],
  ['ISIS', 'L'],
]);

/** Whether a `TAG: text` line (no pid) reads as one of the NetIron lines above. */
export function looksLikeNetiron(appName: string, text: string): boolean {
  const opening = OPENINGS.get(appName);
  if (opening === undefined || !text.startsWith(opening)) return false;
  return appName !== 'ISIS' || text.startsWith(' Neighbor ', 2);
}

export const extremeNetiron: PlatformNormaliser = {
  platform: 'extreme_netiron',
  normalise(msg: SyslogMessage): Recognised | null {
    if (msg.appName === null || msg.procId !== null) return null;
    const handler = MODULES.get(msg.appName);
    return handler ? handler(msg.message.trimEnd()) : null;
  },
};
