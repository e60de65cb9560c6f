import type { ResolvedHost } from './model.js';

/** A LAG as the inventory declares it on a host: `data.lags.<name>: { members: [...], min_links: N }`. */
export interface DeclaredLag {
  name: string;
  members: string[];
  /** Fewer members up than this and the LAG is not fit to carry its traffic (default 1). */
  minLinks: number;
}

/** The LAGs a host's `data.lags` declares; malformed entries are skipped (sensors must not fail on data). */
export function declaredLags(data: Record<string, unknown>): DeclaredLag[] {
  const lags = data.lags;
  if (typeof lags !== 'object' || lags === null || Array.isArray(lags)) return [];
  const out: DeclaredLag[] = [];
  for (const [name, spec] of Object.entries(lags as Record<string, unknown>)) {
    if (typeof spec !== 'object' || spec === null) continue;
    const s = spec as { members?: unknown; min_links?: unknown };
    const members = Array.isArray(s.members) ? s.members.filter((m): m is string => typeof m === 'string' && m !== '') : [];
    const min = typeof s.min_links === 'number' && Number.isInteger(s.min_links) && s.min_links >= 0 ? s.min_links : 1;
    if (members.length) out.push({ name, members, minLinks: min });
  }
  return out;
}

/**
 * Which declared LAG a device's port is in, rebuilt only when the inventory's snapshot changes
 * (asked for every interface event in a storm).
 */
export class LagIndex {
  private source: ReadonlyMap<string, ResolvedHost> | null = null;
  private byPort = new Map<string, { name: string; minLinks: number }>();

  constructor(private readonly hosts: () => ReadonlyMap<string, ResolvedHost>) {}

  lagOf(device: string, port: string): { name: string; minLinks: number } | null {
    const hosts = this.hosts();
    if (hosts !== this.source) {
      this.source = hosts;
      this.byPort = new Map();
      for (const h of hosts.values())
        for (const lag of declaredLags(h.data)) for (const m of lag.members) this.byPort.set(key(h.name, m), { name: lag.name, minLinks: lag.minLinks });
    }
    return this.byPort.get(key(device, port)) ?? null;
  }
}

function key(device: string, port: string): string {
  return `${device.toLowerCase()}\u0000${port.toLowerCase()}`;
}
