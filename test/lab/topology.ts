/**
 * The lab's network as data: two leaves and a spine, eBGP over point-to-point links, and the
 * OVS LAG. Names are fixed (one lab per machine, see state.ts) and carry the `nrxlab` prefix so
 * they never collide with namespaces or users somebody made by hand.
 */

export type RouterName = 'leaf1' | 'leaf2' | 'spine1';

export interface RouterPlan {
  name: RouterName;
  asn: number;
  role: 'leaf' | 'spine';
  loopback: string;
}

export interface LinkPlan {
  a: RouterName;
  aIf: string;
  aAddr: string;
  b: RouterName;
  bIf: string;
  bAddr: string;
  prefixLen: number;
}

export const PREFIX = 'nrxlab';

export const ROUTERS: RouterPlan[] = [
  { name: 'leaf1', asn: 65001, role: 'leaf', loopback: '10.255.0.11' },
  { name: 'leaf2', asn: 65002, role: 'leaf', loopback: '10.255.0.12' },
  { name: 'spine1', asn: 65000, role: 'spine', loopback: '10.255.0.1' },
];

export const LINKS: LinkPlan[] = [
  { a: 'spine1', aIf: 'eth-leaf1', aAddr: '10.0.1.1', b: 'leaf1', bIf: 'eth-spine1', bAddr: '10.0.1.2', prefixLen: 30 },
  { a: 'spine1', aIf: 'eth-leaf2', aAddr: '10.0.2.1', b: 'leaf2', bIf: 'eth-spine1', bAddr: '10.0.2.2', prefixLen: 30 },
];

/** The OVS part: two netdev bridges joined by a two-member LACP bond, a host namespace on each. */
export const OVS = {
  bridgeA: `${PREFIX}-brA`,
  bridgeB: `${PREFIX}-brB`,
  bondA: 'bondA',
  bondB: 'bondB',
  members: ['lagx1', 'lagx2'],
  hosts: [
    { netns: `${PREFIX}-h1`, ifname: 'eth0', port: `${PREFIX}-h1p`, addr: '10.0.50.1', bridge: 'A' as const },
    { netns: `${PREFIX}-h2`, ifname: 'eth0', port: `${PREFIX}-h2p`, addr: '10.0.50.2', bridge: 'B' as const },
  ],
} as const;

export const netnsOf = (router: string): string => `${PREFIX}-${router}`;
export const userOf = (router: string): string => `${PREFIX}-${router}`;

export interface Neighbor {
  address: string;
  asn: number;
  name: RouterName;
  /** This router's interface towards the neighbor. */
  ifname: string;
  /** This router's own address on that link. */
  localAddress: string;
}

export function neighborsOf(router: RouterName): Neighbor[] {
  const asnOf = (n: RouterName): number => ROUTERS.find((r) => r.name === n)?.asn ?? 0;
  const out: Neighbor[] = [];
  for (const l of LINKS) {
    if (l.a === router) out.push({ address: l.bAddr, asn: asnOf(l.b), name: l.b, ifname: l.aIf, localAddress: l.aAddr });
    if (l.b === router) out.push({ address: l.aAddr, asn: asnOf(l.a), name: l.a, ifname: l.bIf, localAddress: l.bAddr });
  }
  return out;
}

/** Every namespace the lab may have made: what `down` removes even after a crashed `up`. */
export const ALL_NAMESPACES = [...ROUTERS.map((r) => netnsOf(r.name)), ...OVS.hosts.map((h) => h.netns)];

/** Root-namespace links the lab may have made (OVS ports and the taps OVS leaves behind). */
export const ROOT_LINKS = [...OVS.members.flatMap((m) => [`${m}-a`, `${m}-b`]), ...OVS.hosts.map((h) => h.port), OVS.bridgeA, OVS.bridgeB];
