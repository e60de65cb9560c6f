/**
 * Who sent a message, in inventory terms. The lead wires this to the inventory; the sensor
 * asks by hostname first (as the device names itself), then by source address.
 */
export interface ResolvedDevice {
  /** Inventory host name. */
  name: string;
  /** Inventory platform (frr, cisco_ios, ...), or null when the inventory does not say. */
  platform: string | null;
}

export interface DeviceResolver {
  byHostname(name: string): ResolvedDevice | null;
  byAddress(ip: string): ResolvedDevice | null;
}

/** Identify the device for a message; without a resolver (or a match) the device is the hostname, else the address. */
export function identifyDevice(resolver: DeviceResolver | null | undefined, hostname: string | null, sourceAddress: string): ResolvedDevice {
  if (resolver) {
    const found = (hostname !== null ? resolver.byHostname(hostname) : null) ?? resolver.byAddress(sourceAddress);
    if (found) return found;
  }
  return { name: hostname ?? sourceAddress, platform: null };
}

/** A resolver over a fixed list (tests, and a simple inventory export): matches hostname, short hostname or address. */
export function staticResolver(hosts: Array<{ name: string; platform?: string | null; hostname?: string | null; address?: string | null }>): DeviceResolver {
  const byName = new Map<string, ResolvedDevice>();
  const byIp = new Map<string, ResolvedDevice>();
  for (const h of hosts) {
    const d = { name: h.name, platform: h.platform ?? null };
    byName.set(h.name.toLowerCase(), d);
    if (h.hostname) {
      byName.set(h.hostname.toLowerCase(), d);
      // devices often log only the first label of their FQDN
      const short = h.hostname.toLowerCase().split('.')[0]!;
      if (!byName.has(short)) byName.set(short, d);
    }
    if (h.address) byIp.set(h.address, d);
  }
  return {
    byHostname: (n) => byName.get(n.toLowerCase()) ?? byName.get(n.toLowerCase().split('.')[0]!) ?? null,
    byAddress: (ip) => byIp.get(ip.startsWith('::ffff:') ? ip.slice(7) : ip) ?? null,
  };
}
