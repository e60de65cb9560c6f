import type { InventoryChange, InventoryEntry, InventoryRepository, StoredInventory } from '../repositories/inventory.js';
import type { SqliteConnection } from './connection.js';

type Table = 'inventory_hosts' | 'inventory_groups';
type Row = { name: string; body: string };

/**
 * Tables inventory_hosts, inventory_groups, inventory_defaults and inventory_generation
 * (migration 3). `current()` keeps the last read in memory: SQLite's data_version changes when
 * another connection commits anything, the cheap "did anyone else write?" check; only then is
 * the inventory's own generation read, and only a new generation re-reads the entries.
 */
export class SqliteInventory implements InventoryRepository {
  private cached: StoredInventory | null = null;
  private dataVersion = -1;
  private generation = -1;

  constructor(private readonly conn: SqliteConnection) {}

  current(): StoredInventory {
    const version = Number(this.conn.stmt('PRAGMA data_version').pluck().get());
    if (this.cached && version === this.dataVersion) return this.cached;
    const generation = Number(this.conn.stmt('SELECT generation FROM inventory_generation WHERE id = 1').pluck().get() ?? 0);
    this.dataVersion = version;
    if (this.cached && generation === this.generation) return this.cached;
    const parse = (rows: Row[]): InventoryEntry[] => rows.map((r) => ({ ...(JSON.parse(r.body) as object), name: r.name }));
    const hosts = parse(this.conn.stmt('SELECT name, body FROM inventory_hosts ORDER BY seq, name').all() as Row[]);
    const groups = parse(this.conn.stmt('SELECT name, body FROM inventory_groups ORDER BY seq, name').all() as Row[]);
    const d = this.conn.stmt('SELECT body FROM inventory_defaults WHERE id = 1').get() as { body: string } | undefined;
    this.cached = { hosts, groups, defaults: d ? (JSON.parse(d.body) as object) : {} };
    this.generation = generation;
    return this.cached;
  }

  async apply(changes: readonly InventoryChange[]): Promise<{ removed: number }> {
    try {
      return this.conn.write(() => {
        let removed = 0;
        for (const c of changes) removed += this.applyOne(c);
        this.conn.stmt('UPDATE inventory_generation SET generation = generation + 1 WHERE id = 1').run();
        return { removed };
      });
    } finally {
      this.cached = null;
    }
  }

  private applyOne(c: InventoryChange): number {
    switch (c.op) {
      case 'replaceAll': {
        for (const table of ['inventory_hosts', 'inventory_groups', 'inventory_defaults']) this.conn.stmt(`DELETE FROM ${table}`).run();
        c.inventory.groups.forEach((g, i) => this.upsert('inventory_groups', g, i + 1));
        c.inventory.hosts.forEach((h, i) => this.upsert('inventory_hosts', h, i + 1));
        this.conn
          .stmt('INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, ?, ?)')
          .run(JSON.stringify(c.inventory.defaults), new Date().toISOString());
        return 0;
      }
      case 'putHost':
        this.upsert('inventory_hosts', c.entry);
        return 0;
      case 'putGroup':
        this.upsert('inventory_groups', c.entry);
        return 0;
      case 'putDefaults':
        this.conn
          .stmt(
            'INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at',
          )
          .run(JSON.stringify(c.defaults), new Date().toISOString());
        return 0;
      case 'deleteHost':
        return this.conn.stmt('DELETE FROM inventory_hosts WHERE name = ?').run(c.name).changes;
      case 'deleteGroup':
        return this.conn.stmt('DELETE FROM inventory_groups WHERE name = ?').run(c.name).changes;
    }
  }

  /** `position` is given when the whole table is rewritten; otherwise an update keeps its place and a new entry goes last. */
  private upsert(table: Table, entry: InventoryEntry, position?: number): void {
    const { name, ...body } = entry;
    let seq = position;
    if (seq === undefined) {
      const existing = this.conn.stmt(`SELECT seq FROM ${table} WHERE name = ?`).get(name) as { seq: number } | undefined;
      seq = existing?.seq ?? ((this.conn.stmt(`SELECT MAX(seq) AS m FROM ${table}`).get() as { m: number | null }).m ?? 0) + 1;
    }
    this.conn
      .stmt(
        `INSERT INTO ${table} (name, seq, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(name, seq, JSON.stringify(body), new Date().toISOString());
  }
}
