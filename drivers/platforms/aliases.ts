/**
 * THE platform alias table: every spelling an inventory, a NetBox import or a syslog source may
 * use for a platform, to the one name netreflex uses (Nornir/Netmiko's). Device drivers, syslog
 * normalisers and the NetBox import all read platforms through canonicalPlatform, so a device
 * whose inventory says `ios` gets the cisco_ios driver and the cisco_ios syslog dialect alike.
 */

/** Every platform netreflex knows something about: a device driver, a syslog normaliser, or both. */
export const KNOWN_PLATFORMS: readonly string[] = [
  'frr',
  'cisco_ios',
  'cisco_nxos',
  'cisco_iosxr',
  'arista_eos',
  'juniper_junos',
  'linux_frr',
  // Open vSwitch: syslog, and a driver through netreflex's switch CLI (platforms/openvswitch)
  'openvswitch',
  // syslog only
  'sonic',
  'extreme_netiron',
];

/** Other spellings, written with `_` (a `-` in a name, as NetBox slugs have, reads the same). */
const ALIASES: Readonly<Record<string, string>> = {
  ios: 'cisco_ios',
  iosxe: 'cisco_ios',
  ios_xe: 'cisco_ios',
  cisco_xe: 'cisco_ios',
  cisco_iosxe: 'cisco_ios',
  cisco_ios_xe: 'cisco_ios',
  nxos: 'cisco_nxos',
  nx_os: 'cisco_nxos',
  nxos_ssh: 'cisco_nxos',
  cisco_nx_os: 'cisco_nxos',
  iosxr: 'cisco_iosxr',
  ios_xr: 'cisco_iosxr',
  cisco_xr: 'cisco_iosxr',
  cisco_ios_xr: 'cisco_iosxr',
  eos: 'arista_eos',
  junos: 'juniper_junos',
  frrouting: 'frr',
  ovs: 'openvswitch',
  netiron: 'extreme_netiron',
  brocade_netiron: 'extreme_netiron',
};

/**
 * Our name for a platform as someone spelled it: case and `-`/`_` do not matter. A name we do
 * not know comes back as it was given, for the caller to refuse or keep.
 */
export function canonicalPlatform(name: string): string {
  const key = name.trim().toLowerCase().replace(/-/g, '_');
  return ALIASES[key] ?? (KNOWN_PLATFORMS.includes(key) ? key : name);
}
