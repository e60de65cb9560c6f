import { asNumber, bgpChange, lagMember, recognised, tableNormaliser, vrfName, type Recognised } from './common.js';
import { lineProtocolUpDown, linkUpDown, upDownStates } from './cisco-lines.js';
import { ospfAdjacency } from './cisco-ios.js';
import { isisNeighbor } from './adjacency.js';

/**
 * Cisco IOS-XR (node id before the time, process tag, `%GROUP-FACILITY-SEV-MNEMONIC :`):
 *   %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65002)
 *   %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down
 *   %PKT_INFRA-LINK-5-CHANGED : Interface GigabitEthernet0/0/0/0, changed state to Administratively Down
 *   %PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface GigabitEthernet0/0/0/0, changed state to Down
 *   %L2-BM-6-ACTIVE : GigabitEthernet0/0/0/1 is no longer Active as part of Bundle-Ether1 (Link is down)
 *   %ROUTING-OSPF-5-ADJCHG : Process 1, Nbr 10.0.0.2 on GigabitEthernet0/0/0/0 in area 0 from FULL to DOWN, Neighbor Down: dead timer expired, vrf default vrfid 0x60000000
 *   %ROUTING-ISIS-5-ADJCHANGE : Adjacency to R2 (GigabitEthernet0/0/0/0) (L2) Down, Interface state down
 *   %ROUTING-ISIS-5-ADJCHANGE : ISIS (100): Adjacency to R2 (Bundle-Ether1001) (L2) Down, Interface state down   (7.x: instance first)
 *   %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor 10.0.0.2 on interface GigabitEthernet0/0/0/0 is down
 *   %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor fe80::2 on interface Bundle-Ether1001 has gone down. Reason: Control timer expired
 *   %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'admin'. Use 'show configuration commit changes 1000000001' to view the changes.
 */
// Matched against trimmed text: a lazy group before `\s*$` backtracks quadratically (a 20 kB line of spaces took a second).
const BGP = /^neighbor (\S+) (Up|Down)(?: - (.*?))?(?: \(VRF: ([^)]+)\))?(?: \(AS: ([^)]+)\))?$/;
const BUNDLE = /^(\S+) is (no longer )?Active as part of (\S+?)(?: \((.*)\))?$/;
const OSPF = /^Process (\S+), Nbr (\S+) on (\S+)(?: in area \S+)? from (\S+) to ([^,]+)(?:, (.*?))?(?:, vrf \S+.*)?$/;
const ISIS = /^(?:ISIS \(([^)]+)\): )?Adjacency to (\S+) \(([^)]+)\) \((L\d)\) (Up|Down)(?:, (.*))?$/;
const BFD = /^BFD session to neighbor (\S+) on interface (\S+) (?:is|has gone) (down|up)(?:\. Reason: (.*?)\.?)?\.?$/i;
const COMMIT = /^Configuration committed by user '([^']*)'\.(?: Use 'show configuration commit changes (\S+)')?/;

export const ciscoIosxr = tableNormaliser('cisco_iosxr', {
  'ROUTING-BGP-ADJCHANGE': (text) => {
    const m = BGP.exec(text.trimEnd());
    if (!m) return null;
    return bgpChange({ peer: m[1]!, ...upDownStates(m[2]!), vrf: vrfName(m[4]) ?? 'default', peer_as: asNumber(m[5]), reason: m[3] });
  },
  'PKT_INFRA-LINK-UPDOWN': linkUpDown,
  'PKT_INFRA-LINK-CHANGED': linkUpDown,
  'PKT_INFRA-LINEPROTO-UPDOWN': lineProtocolUpDown,
  'L2-BM-ACTIVE': (text) => {
    const m = BUNDLE.exec(text);
    return m ? lagMember(!m[2], m[3], m[1]!, m[4]) : null;
  },
  'ROUTING-OSPF-ADJCHG': (text) => ospfAdjacency(OSPF.exec(text)),
  'ROUTING-ISIS-ADJCHANGE': (text) => {
    const m = ISIS.exec(text);
    if (!m) return null;
    return isisNeighbor(null, m[5]!, { instance: m[1], neighbor: m[2], interface: m[3], level: m[4], reason: m[6] });
  },
  'L2-BFD-SESSION_STATE_DOWN': (text) => bfd(text),
  'L2-BFD-SESSION_STATE_UP': (text) => bfd(text),
  'MGBL-CONFIG-DB_COMMIT': (text) => {
    const m = COMMIT.exec(text);
    return m ? recognised('network.config_committed', { user: m[1], commit_id: m[2] }) : null;
  },
});

function bfd(text: string): Recognised | null {
  const m = BFD.exec(text);
  return m ? recognised('network.bfd_state_changed', { peer: m[1], interface: m[2], state: m[3]!.toLowerCase(), diagnostic: m[4] }) : null;
}
