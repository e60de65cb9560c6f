import { NrxError } from '../core/errors.js';
import type { InventoryChange, StoredInventory } from '../store/repositories/inventory.js';
import type { Store } from '../store/store.js';
import { writeInventoryDir } from './export.js';
import { filterHosts, parseFilter } from './filter.js';
import { loadInventoryDir } from './loader.js';
import type { Defaults, Group, Host, InventoryData, ResolvedHost } from './model.js';
import { devicesFromJson, fetchNetboxDevices, mapNetboxDevices } from './netbox.js';
import { checkReferences, findCycles, resolveHost } from './resolve.js';
import { checkEntry, inventoryError } from './schema.js';

/**
 * The live inventory, kept in the store (its InventoryRepository). The YAML directory is the
 * source for GitOps: `loadYaml` replaces what is stored, `exportYaml` writes it back. Reads
 * come from the repository's in-memory copy, which notices writes by this and other processes
 * (a second appliance role, the CLI); inheritance is resolved again only when that copy changes.
 */

interface Snapshot {
  data: InventoryData;
  resolved: Map<string, ResolvedHost>;
}

/** The store's parts this service uses. */
export type InventoryStore = Pick<Store, 'inventory' | 'location'>;

export class InventoryService {
  private snapshotCache: Snapshot | null = null;
  private snapshotOf: StoredInventory | null = null;

  constructor(private readonly store: InventoryStore) {}

  private guarded<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.storeError(what, e);
    }
  }

  private storeError(what: string, e: unknown): unknown {
    if (e instanceof NrxError) return e;
    return new NrxError('NRX_ERR_STORE', `inventory: cannot ${what} in ${this.store.location}: ${(e as Error).message}`, { cause: e });
  }

  private snapshot(): Snapshot {
    return this.guarded('read the inventory', () => {
      const stored = this.store.inventory.current();
      if (this.snapshotCache && stored === this.snapshotOf) return this.snapshotCache;
      const data: InventoryData = { hosts: stored.hosts as Host[], groups: stored.groups as Group[], defaults: stored.defaults as Defaults };
      const byName = new Map(data.groups.map((g) => [g.name, g]));
      const resolved = new Map(data.hosts.map((h) => [h.name, resolveHost(h, byName, data.defaults)]));
      this.snapshotCache = { data, resolved };
      this.snapshotOf = stored;
      return this.snapshotCache;
    });
  }

  /** Apply `changes` in one transaction; resolves to how many entries were removed. */
  private async write(what: string, changes: InventoryChange[]): Promise<number> {
    try {
      return (await this.store.inventory.apply(changes)).removed;
    } catch (e) {
      throw this.storeError(what, e);
    }
  }

  /**
   * Replace the stored inventory with the YAML in `dir`. All or nothing: with any error the
   * stored inventory is left as it was (a typo in hosts.yaml must not delete devices).
   */
  async loadYaml(dir: string): Promise<{ hosts: number; groups: number; errors: NrxError[] }> {
    const loaded = loadInventoryDir(dir);
    if (loaded.errors.length) return { hosts: 0, groups: 0, errors: loaded.errors };
    await this.write('replace the inventory', [{ op: 'replaceAll', inventory: loaded }]);
    return { hosts: loaded.hosts.length, groups: loaded.groups.length, errors: [] };
  }

  /** Hosts with inheritance applied, in inventory order; `filter` in the syntax of filter.ts. */
  async listHosts(filter?: string): Promise<ResolvedHost[]> {
    const f = filter === undefined ? undefined : parseFilter(filter);
    return filterHosts([...this.snapshot().resolved.values()], f);
  }

  async getHost(name: string): Promise<ResolvedHost | null> {
    return this.snapshot().resolved.get(name) ?? null;
  }

  async getRawHost(name: string): Promise<Host | null> {
    return this.snapshot().data.hosts.find((h) => h.name === name) ?? null;
  }

  async putHost(host: Host): Promise<void> {
    const name = typeof host?.name === 'string' ? host.name : null;
    const entry: Host = { ...checkEntry('host', name, host), name: name! };
    const { groups } = this.snapshot().data;
    const errors = checkReferences({ hosts: [entry], groups, defaults: {} });
    if (errors.length) throw errors[0]!;
    await this.write(`store host ${entry.name}`, [{ op: 'putHost', entry }]);
  }

  async deleteHost(name: string): Promise<boolean> {
    return (await this.write(`delete host ${name}`, [{ op: 'deleteHost', name }])) > 0;
  }

  async listGroups(): Promise<Group[]> {
    return [...this.snapshot().data.groups];
  }

  async putGroup(group: Group): Promise<void> {
    const name = typeof group?.name === 'string' ? group.name : null;
    const entry: Group = { ...checkEntry('group', name, group), name: name! };
    const groups = this.snapshot()
      .data.groups.filter((g) => g.name !== entry.name)
      .concat(entry);
    const errors: NrxError[] = [];
    const byName = new Map(groups.map((g) => [g.name, g]));
    for (const [i, parent] of (entry.groups ?? []).entries()) {
      if (!byName.has(parent))
        errors.push(
          inventoryError({}, [entry.name, 'groups', i], `group '${entry.name}': unknown parent group '${parent}'`, { kind: 'group', name: entry.name }),
        );
    }
    const cycle = findCycles(byName).find((c) => c.includes(entry.name));
    if (cycle)
      errors.push(
        inventoryError({}, [entry.name, 'groups'], `group '${entry.name}': group cycle ${cycle.join(' -> ')}`, { kind: 'group', name: entry.name, cycle }),
      );
    if (errors.length) throw errors[0]!;
    await this.write(`store group ${entry.name}`, [{ op: 'putGroup', entry }]);
  }

  /** Refuses while a host or group still names the group: removing it would silently change what they inherit. */
  async deleteGroup(name: string): Promise<boolean> {
    const { hosts, groups } = this.snapshot().data;
    const users = [
      ...hosts.filter((h) => h.groups?.includes(name)).map((h) => `host ${h.name}`),
      ...groups.filter((g) => g.groups?.includes(name)).map((g) => `group ${g.name}`),
    ];
    if (users.length) {
      const shown = users.slice(0, 10).join(', ') + (users.length > 10 ? ` and ${users.length - 10} more` : '');
      throw inventoryError({}, [name], `group '${name}' is still used by ${shown}; remove it from them first`, { kind: 'group', name, usedBy: users });
    }
    return (await this.write(`delete group ${name}`, [{ op: 'deleteGroup', name }])) > 0;
  }

  async getDefaults(): Promise<Defaults> {
    return { ...this.snapshot().data.defaults };
  }

  async putDefaults(defaults: Defaults): Promise<void> {
    const entry = checkEntry('defaults', null, defaults);
    await this.write('store the inventory defaults', [{ op: 'putDefaults', defaults: entry }]);
  }

  /**
   * Synchronous, for hot paths (sensors attribute every message to a device): the resolved
   * hosts by name. The map is the cached snapshot's: callers must not change it.
   */
  resolvedHosts(): ReadonlyMap<string, ResolvedHost> {
    return this.snapshot().resolved;
  }

  /** Synchronous for the rules engine's maintenance-window check; unknown devices have no groups. */
  groupsOf(device: string): string[] {
    return [...(this.snapshot().resolved.get(device)?.groups ?? [])];
  }

  /**
   * Hosts and groups from NetBox, merged into the stored inventory: NetBox's fields win, and
   * what NetBox does not know (credential, connection options, other groups and data keys) is kept.
   */
  async importNetbox(source: { url?: string; json?: unknown; token?: string }): Promise<{ hosts: number; groups: number; errors: string[] }> {
    let devices: unknown[];
    if (source.json !== undefined) devices = devicesFromJson(source.json);
    else if (source.url) devices = await fetchNetboxDevices(source.url, source.token ? { token: source.token } : {});
    else throw new NrxError('NRX_ERR_USAGE', 'NetBox import needs a url or the JSON of /api/dcim/devices/');
    const mapped = mapNetboxDevices(devices);
    const current = this.snapshot().data;
    const known = new Map(current.hosts.map((h) => [h.name, h]));
    const knownGroups = new Set(current.groups.map((g) => g.name));
    const changes: InventoryChange[] = mapped.groups.filter((g) => !knownGroups.has(g.name)).map((entry) => ({ op: 'putGroup', entry }));
    for (const h of mapped.hosts) {
      const old = known.get(h.name);
      if (!old) {
        changes.push({ op: 'putHost', entry: h }); // a new host goes last
        continue;
      }
      // A device that moved site or role leaves its old site-/role- group.
      const kept = (old.groups ?? []).filter((g) => !/^(site|role)-/.test(g) && !h.groups!.includes(g));
      const merged: Host = { ...old, hostname: h.hostname, groups: [...h.groups!, ...kept], data: { ...(old.data ?? {}), ...h.data } };
      if (h.platform) merged.platform = h.platform;
      changes.push({ op: 'putHost', entry: merged });
    }
    await this.write('import from NetBox', changes);
    return { hosts: mapped.hosts.length, groups: mapped.groups.length, errors: mapped.errors };
  }

  /** Write hosts.yaml, groups.yaml and defaults.yaml: what `loadYaml` reads back unchanged. */
  async exportYaml(dir: string): Promise<void> {
    writeInventoryDir(dir, this.snapshot().data);
  }
}
