import type Database from 'better-sqlite3';
import { NrxError } from '../core/errors.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { writeInventoryDir } from './export.js';
import { filterHosts, parseFilter } from './filter.js';
import { loadInventoryDir } from './loader.js';
import type { Defaults, Group, Host, InventoryData, ResolvedHost } from './model.js';
import { devicesFromJson, fetchNetboxDevices, mapNetboxDevices } from './netbox.js';
import { checkReferences, findCycles, resolveHost } from './resolve.js';
import { checkEntry, inventoryError } from './schema.js';

/**
 * The live inventory, kept in the store (tables from migration 3). The YAML directory is the
 * source for GitOps: `loadYaml` replaces what is stored, `exportYaml` writes it back. Reads
 * come from an in-memory snapshot, rebuilt when this service writes or when another process
 * (a second appliance role, the CLI) commits to the database file.
 */

interface Snapshot {
  data: InventoryData;
  resolved: Map<string, ResolvedHost>;
}

type Row = { name: string; body: string };

export class InventoryService {
  private snapshotCache: Snapshot | null = null;
  private dataVersion = -1;
  private generation = -1;
  private dataVersionStmt: Database.Statement | null = null;

  constructor(private readonly store: SqliteStore) {}

  private get db(): Database.Database {
    return this.store.database;
  }

  private guarded<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof NrxError) throw e;
      throw new NrxError('NRX_ERR_STORE', `inventory: cannot ${what} in ${this.store.file}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * SQLite's data_version changes when another connection commits anything: the cheap "did
   * anyone else write?" check. Only then is the inventory's own generation read, and only a
   * new generation re-reads the hosts.
   */
  private snapshot(): Snapshot {
    return this.guarded('read the inventory', () => {
      this.dataVersionStmt ??= this.db.prepare('PRAGMA data_version').pluck();
      const version = Number(this.dataVersionStmt.get());
      if (this.snapshotCache && version === this.dataVersion) return this.snapshotCache;
      const generation = Number(this.db.prepare('SELECT generation FROM inventory_generation WHERE id = 1').pluck().get() ?? 0);
      this.dataVersion = version;
      if (this.snapshotCache && generation === this.generation) return this.snapshotCache;
      const parse = (rows: Row[]) => rows.map((r) => ({ ...(JSON.parse(r.body) as object), name: r.name }));
      const hosts = parse(this.db.prepare('SELECT name, body FROM inventory_hosts ORDER BY seq, name').all() as Row[]) as Host[];
      const groups = parse(this.db.prepare('SELECT name, body FROM inventory_groups ORDER BY seq, name').all() as Row[]) as Group[];
      const d = this.db.prepare('SELECT body FROM inventory_defaults WHERE id = 1').get() as { body: string } | undefined;
      const defaults = d ? (JSON.parse(d.body) as Defaults) : {};
      const byName = new Map(groups.map((g) => [g.name, g]));
      const resolved = new Map(hosts.map((h) => [h.name, resolveHost(h, byName, defaults)]));
      this.snapshotCache = { data: { hosts, groups, defaults }, resolved };
      this.generation = generation;
      return this.snapshotCache;
    });
  }

  /** Run `fn` in one immediate transaction, then drop the snapshot. */
  private write<T>(what: string, fn: (db: Database.Database) => T): T {
    return this.guarded(what, () => {
      try {
        return this.db
          .transaction(() => {
            const out = fn(this.db);
            this.db.prepare('UPDATE inventory_generation SET generation = generation + 1 WHERE id = 1').run();
            return out;
          })
          .immediate();
      } finally {
        this.snapshotCache = null;
      }
    });
  }

  /** `position` is given when the whole table is rewritten; otherwise an update keeps its place and a new entry goes last. */
  private upsert(db: Database.Database, table: 'inventory_hosts' | 'inventory_groups', entry: Host | Group, position?: number): void {
    const { name, ...body } = entry;
    const now = new Date().toISOString();
    let seq = position;
    if (seq === undefined) {
      const existing = db.prepare(`SELECT seq FROM ${table} WHERE name = ?`).get(name) as { seq: number } | undefined;
      seq = existing?.seq ?? ((db.prepare(`SELECT MAX(seq) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0) + 1;
    }
    db.prepare(`INSERT INTO ${table} (name, seq, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`).run(
      name,
      seq,
      JSON.stringify(body),
      now,
    );
  }

  private replaceAll(inv: InventoryData): void {
    this.write('replace the inventory', (db) => {
      db.exec('DELETE FROM inventory_hosts; DELETE FROM inventory_groups; DELETE FROM inventory_defaults;');
      inv.groups.forEach((g, i) => this.upsert(db, 'inventory_groups', g, i + 1));
      inv.hosts.forEach((h, i) => this.upsert(db, 'inventory_hosts', h, i + 1));
      db.prepare('INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, ?, ?)').run(JSON.stringify(inv.defaults), new Date().toISOString());
    });
  }

  /**
   * Replace the stored inventory with the YAML in `dir`. All or nothing: with any error the
   * stored inventory is left as it was (a typo in hosts.yaml must not delete devices).
   */
  async loadYaml(dir: string): Promise<{ hosts: number; groups: number; errors: NrxError[] }> {
    const loaded = loadInventoryDir(dir);
    if (loaded.errors.length) return { hosts: 0, groups: 0, errors: loaded.errors };
    this.replaceAll(loaded);
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
    this.write(`store host ${entry.name}`, (db) => this.upsert(db, 'inventory_hosts', entry));
  }

  async deleteHost(name: string): Promise<boolean> {
    return this.write(`delete host ${name}`, (db) => db.prepare('DELETE FROM inventory_hosts WHERE name = ?').run(name).changes > 0);
  }

  async listGroups(): Promise<Group[]> {
    return [...this.snapshot().data.groups];
  }

  async putGroup(group: Group): Promise<void> {
    const name = typeof group?.name === 'string' ? group.name : null;
    const entry: Group = { ...checkEntry('group', name, group), name: name! };
    const groups = this.snapshot().data.groups.filter((g) => g.name !== entry.name).concat(entry);
    const errors: NrxError[] = [];
    const byName = new Map(groups.map((g) => [g.name, g]));
    for (const [i, parent] of (entry.groups ?? []).entries()) {
      if (!byName.has(parent)) errors.push(inventoryError({}, [entry.name, 'groups', i], `group '${entry.name}': unknown parent group '${parent}'`, { kind: 'group', name: entry.name }));
    }
    const cycle = findCycles(byName).find((c) => c.includes(entry.name));
    if (cycle) errors.push(inventoryError({}, [entry.name, 'groups'], `group '${entry.name}': group cycle ${cycle.join(' -> ')}`, { kind: 'group', name: entry.name, cycle }));
    if (errors.length) throw errors[0]!;
    this.write(`store group ${entry.name}`, (db) => this.upsert(db, 'inventory_groups', entry));
  }

  /** Refuses while a host or group still names the group: removing it would silently change what they inherit. */
  async deleteGroup(name: string): Promise<boolean> {
    const { hosts, groups } = this.snapshot().data;
    const users = [...hosts.filter((h) => h.groups?.includes(name)).map((h) => `host ${h.name}`), ...groups.filter((g) => g.groups?.includes(name)).map((g) => `group ${g.name}`)];
    if (users.length) {
      const shown = users.slice(0, 10).join(', ') + (users.length > 10 ? ` and ${users.length - 10} more` : '');
      throw inventoryError({}, [name], `group '${name}' is still used by ${shown}; remove it from them first`, { kind: 'group', name, usedBy: users });
    }
    return this.write(`delete group ${name}`, (db) => db.prepare('DELETE FROM inventory_groups WHERE name = ?').run(name).changes > 0);
  }

  async getDefaults(): Promise<Defaults> {
    return { ...this.snapshot().data.defaults };
  }

  async putDefaults(defaults: Defaults): Promise<void> {
    const entry = checkEntry('defaults', null, defaults);
    this.write('store the inventory defaults', (db) =>
      db
        .prepare('INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at')
        .run(JSON.stringify(entry), new Date().toISOString()),
    );
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
    this.write('import from NetBox', (db) => {
      for (const g of mapped.groups) if (!knownGroups.has(g.name)) this.upsert(db, 'inventory_groups', g);
      let last = (db.prepare('SELECT MAX(seq) AS m FROM inventory_hosts').get() as { m: number | null }).m ?? 0;
      for (const h of mapped.hosts) {
        const old = known.get(h.name);
        if (!old) {
          this.upsert(db, 'inventory_hosts', h, ++last);
          continue;
        }
        // A device that moved site or role leaves its old site-/role- group.
        const kept = (old.groups ?? []).filter((g) => !/^(site|role)-/.test(g) && !h.groups!.includes(g));
        const merged: Host = { ...old, hostname: h.hostname, groups: [...h.groups!, ...kept], data: { ...(old.data ?? {}), ...h.data } };
        if (h.platform) merged.platform = h.platform;
        this.upsert(db, 'inventory_hosts', merged);
      }
    });
    return { hosts: mapped.hosts.length, groups: mapped.groups.length, errors: mapped.errors };
  }

  /** Write hosts.yaml, groups.yaml and defaults.yaml: what `loadYaml` reads back unchanged. */
  async exportYaml(dir: string): Promise<void> {
    writeInventoryDir(dir, this.snapshot().data);
  }
}
