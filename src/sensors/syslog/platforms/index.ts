import { canonicalPlatform } from '../../../../drivers/platforms/aliases.js';
import type { SyslogMessage } from '../message.js';
import { aristaEos } from './arista-eos.js';
import { ciscoIos } from './cisco-ios.js';
import { ciscoIosxr } from './cisco-iosxr.js';
import { ciscoNxos } from './cisco-nxos.js';
import { tagOf, type PlatformNormaliser } from './common.js';
import { extremeNetiron, looksLikeNetiron } from './extreme-netiron.js';
import { frr } from './frr.js';
import { juniperJunos } from './juniper-junos.js';
import { linuxFrr } from './linux-frr.js';
import { openvswitch } from './openvswitch.js';
import { sonic, SONIC_DAEMONS } from './sonic.js';

/** Every platform with a syslog normaliser. Adding a platform is adding a module and a line here. */
export const PLATFORM_NORMALISERS: ReadonlyMap<string, PlatformNormaliser> = new Map(
  [frr, ciscoIos, ciscoIosxr, ciscoNxos, aristaEos, juniperJunos, linuxFrr, openvswitch, sonic, extremeNetiron].map((n) => [n.platform, n]),
);

/** The normaliser for an inventory platform name, spelled any way drivers/platforms/aliases.ts knows. */
export function normaliserFor(platform: string | null | undefined): PlatformNormaliser | null {
  if (!platform) return null;
  return PLATFORM_NORMALISERS.get(platform) ?? PLATFORM_NORMALISERS.get(canonicalPlatform(platform)) ?? null;
}

const FRR_DAEMONS = new Set(['bgpd', 'zebra', 'ospfd', 'ospf6d', 'isisd', 'bfdd', 'staticd', 'ldpd', 'pimd', 'ripd', 'watchfrr', 'mgmtd']);
const JUNOS_DAEMONS = new Set(['rpd', 'mgd', 'alarmd', 'chassisd', 'dcd', 'mib2d', 'lacpd', 'snmpd', 'craftd', '/kernel', 'eventd', 'RT_FLOW', 'RT_IDS']);
const NXOS_FACILITIES = /^(?:ETHPORT|ETH_PORT_CHANNEL|VSHD|L2FM|IM|VPC|SYSMGR|PLATFORM|MODULE|VDC_MGR)-/;
const NXOS_PROCESS = /^(?:bgp|ospf|isis|eigrp)-\S+ \[\d+\]/;
const FRR_LOG_ID = /^\[[0-9A-Z]{5}-[0-9A-Z]{5}\] /;

/**
 * Which platform wrote a message, when neither the inventory nor --platform says. The rules,
 * first match wins:
 *  1. APP-NAME `ovs-vswitchd`, or text starting `ovs|`                          -> openvswitch
 *  2. an IOS-XR node id before the time (`RP/0/RSP0/CPU0:`)                      -> cisco_iosxr
 *  3. text starting with FRR 8's log id `[XXXXX-XXXXX] `                         -> frr
 *  4. a `%` mnemonic:
 *     - without a severity digit (`%ADJCHANGE:`)                                 -> frr
 *     - with two parts before the severity (`%ROUTING-BGP-5-...`)                -> cisco_iosxr
 *     - an NX-OS facility (ETHPORT, ETH_PORT_CHANNEL, VSHD...) or `bgp-65001 [..]` text -> cisco_nxos
 *     - after a program tag (`Bgp:`, `Ebra:`: EOS agents)                        -> arista_eos
 *     - otherwise                                                                -> cisco_ios
 *  5. an UPPER_SNAKE event id (`RPD_...:`, `UI_COMMIT:`) or a Junos daemon tag    -> juniper_junos
 *  6. a SONiC switch-state daemon tag (orchagent, portsyncd, syncd...)            -> sonic
 *  7. an FRR daemon tag (bgpd, ospfd, isisd, bfdd...)                            -> frr
 *  8. a NetIron module tag without a pid (`BGP:`, `System:`, `OSPF:`, `BFD:`, `ISIS:`)
 *     with the opening of a NetIron line (`BGP: Peer `, `System: Interface `...)   -> extreme_netiron
 *  otherwise null: the message becomes network.syslog.
 */
export function sniffPlatform(msg: SyslogMessage): string | null {
  const app = msg.appName;
  const text = msg.message;
  if (app === 'ovs-vswitchd' || text.startsWith('ovs|')) return 'openvswitch';
  if (msg.node !== null) return 'cisco_iosxr';
  if (FRR_LOG_ID.test(text)) return 'frr';
  const tag = tagOf(text);
  if (tag?.percent) {
    if (!tag.hasSeverity) return 'frr';
    if (tag.facilityParts >= 2) return 'cisco_iosxr';
    if (NXOS_FACILITIES.test(tag.key) || NXOS_PROCESS.test(tag.text)) return 'cisco_nxos';
    if (app !== null) return 'arista_eos';
    return 'cisco_ios';
  }
  if (tag && /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(tag.key)) return 'juniper_junos';
  if (app !== null && JUNOS_DAEMONS.has(app)) return 'juniper_junos';
  if (app !== null && SONIC_DAEMONS.has(app)) return 'sonic';
  if (app !== null && FRR_DAEMONS.has(app)) return 'frr';
  // "System:" or "BGP:" alone is too common a tag to name a platform: the line must read as NetIron's.
  if (app !== null && msg.procId === null && looksLikeNetiron(app, text)) return 'extreme_netiron';
  return null;
}
