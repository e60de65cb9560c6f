import type { InventoryService } from '../inventory/inventory-service.js';
import type { ResolvedHost } from '../inventory/model.js';

export interface KnownDevice {
  name: string;
  platform: string | null;
}

/**
 * One inventory device as a sensor needs it: [name, hostname or address, platform, aliases].
 * Plain data: it crosses to a worker thread.
 */
export type DeviceRow = readonly [name: string, hostname: string, platform: string | null, aliases?: readonly string[]];

/**
 * Other names and addresses a device sends from, from its inventory `data.aliases`: the hostname
 * its syslog carries when that is not its own (OVS logs the machine's name), the source address
 * of its traps, the agent address in its sFlow datagrams. Anything not a non-empty string is ignored.
 */
export function aliasesOf(data: Record<string, unknown>): string[] {
  const a = data.aliases;
  const list = Array.isArray(a) ? a : typeof a === 'string' ? [a] : [];
  return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
}

/**
 * Which device sent a message: by the hostname it put in the message (the inventory name, its
 * short name, or its `hostname` field) or by the source address. Two map reads per lookup.
 */
export class DeviceTable {
  private readonly byName = new Map<string, KnownDevice>();
  private readonly byAddr = new Map<string, KnownDevice>();

  constructor(rows: Iterable<DeviceRow>) {
    const aliased: Array<[string, KnownDevice]> = [];
    for (const [name, hostname, platform, aliases] of rows) {
      const d = { name, platform };
      this.byName.set(name.toLowerCase(), d);
      this.byAddr.set(hostname.toLowerCase(), d);
      const short = name.split('.')[0]!.toLowerCase();
      if (!this.byName.has(short)) this.byName.set(short, d);
      for (const a of aliases ?? []) aliased.push([a.toLowerCase(), d]);
    }
    // an alias never takes a name or address another device already has
    for (const [a, d] of aliased) {
      if (!this.byName.has(a)) this.byName.set(a, d);
      if (!this.byAddr.has(a)) this.byAddr.set(a, d);
    }
  }

  byHostname(name: string): KnownDevice | null {
    const n = name.toLowerCase();
    return this.byName.get(n) ?? this.byAddr.get(n) ?? this.byName.get(n.split('.')[0]!) ?? null;
  }

  byAddress(address: string): KnownDevice | null {
    return this.byAddr.get(address.replace(/^::ffff:/, '').toLowerCase()) ?? null;
  }
}

/**
 * The inventory as a DeviceTable, rebuilt only when the inventory's snapshot changes; whether it
 * changed is asked at most every `recheckMs` (a storm looks a device up for every message).
 */
export class DeviceIndex {
  private source: ReadonlyMap<string, ResolvedHost> | null = null;
  private table = new DeviceTable([]);
  private rows: DeviceRow[] = [];
  private checkedAt = -Infinity;
  /** Goes up by one each time the table is rebuilt (a worker's copy is refreshed when it moves). */
  version = 0;

  constructor(
    private readonly inventory: InventoryService,
    private readonly recheckMs = 500,
    private readonly now: () => number = Date.now,
  ) {}

  private refresh(): void {
    const now = this.now();
    if (this.source && now - this.checkedAt < this.recheckMs) return;
    this.checkedAt = now;
    const hosts = this.inventory.resolvedHosts();
    if (hosts === this.source) return;
    this.source = hosts;
    this.rows = [...hosts.values()].map((h): DeviceRow => {
      const aliases = aliasesOf(h.data);
      return aliases.length ? [h.name, h.hostname, h.platform, aliases] : [h.name, h.hostname, h.platform];
    });
    this.table = new DeviceTable(this.rows);
    this.version++;
  }

  byHostname(name: string): KnownDevice | null {
    this.refresh();
    return this.table.byHostname(name);
  }

  byAddress(address: string): KnownDevice | null {
    this.refresh();
    return this.table.byAddress(address);
  }

  /** The devices as rows, with the version they belong to. */
  snapshot(): { version: number; rows: readonly DeviceRow[] } {
    this.refresh();
    return { version: this.version, rows: this.rows };
  }
}
