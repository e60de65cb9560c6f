import type { InventoryService } from '../inventory/inventory-service.js';
import type { ResolvedHost } from '../inventory/model.js';

export interface KnownDevice {
  name: string;
  platform: string | null;
}

/**
 * Which inventory device sent a message: by the hostname it put in the message (the inventory
 * name or its `hostname` field) or by the source address. Rebuilt only when the inventory's
 * snapshot changes, so a lookup is two map reads.
 */
export class DeviceIndex {
  private source: ReadonlyMap<string, ResolvedHost> | null = null;
  private readonly byName = new Map<string, KnownDevice>();
  private readonly byAddr = new Map<string, KnownDevice>();

  constructor(private readonly inventory: InventoryService) {}

  private refresh(): void {
    const hosts = this.inventory.resolvedHosts();
    if (hosts === this.source) return;
    this.source = hosts;
    this.byName.clear();
    this.byAddr.clear();
    for (const h of hosts.values()) {
      const d = { name: h.name, platform: h.platform };
      this.byName.set(h.name.toLowerCase(), d);
      this.byAddr.set(h.hostname.toLowerCase(), d);
      const short = h.name.split('.')[0]!.toLowerCase();
      if (!this.byName.has(short)) this.byName.set(short, d);
    }
  }

  byHostname(name: string): KnownDevice | null {
    this.refresh();
    const n = name.toLowerCase();
    return this.byName.get(n) ?? this.byAddr.get(n) ?? this.byName.get(n.split('.')[0]!) ?? null;
  }

  byAddress(address: string): KnownDevice | null {
    this.refresh();
    return this.byAddr.get(address.replace(/^::ffff:/, '').toLowerCase()) ?? null;
  }
}
