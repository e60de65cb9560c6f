import type { InventoryChange, InventoryEntry, InventoryRepository, StoredInventory } from '../repositories/inventory.js';
import type { PgConnection } from './connection.js';

type Query = (sql: string, args?: unknown[]) => Promise<{ rows: any[]; rowCount: number | null }>;
type Table = 'inventory_hosts' | 'inventory_groups';

/**
 * Tables inventory_hosts, inventory_groups, inventory_defaults and inventory_generation.
 * `current()` answers from memory (sensors consult it for every message): loaded at open,
 * re-read after this handle's writes, and when another process's write moves the generation
 * (the nrx_inventory notification).
 */
export class PgInventory implements InventoryRepository {
  private cached: StoredInventory = { hosts: [], groups: [], defaults: {} };
  private generation = -1;
  private loading: Promise<void> | null = null;

  constructor(private readonly conn: PgConnection) {}

  current(): StoredInventory {
    return this.cached;
  }

  /** Re-reads the entries when the generation moved (another process's write, or this one's). */
  async refresh(): Promise<void> {
    // one read at a time; a notification during a read is answered by a read after it
    while (this.loading) await this.loading;
    this.loading = this.load().finally(() => (this.loading = null));
    await this.loading;
  }

  private async load(): Promise<void> {
    await this.conn.tx(async (q) => {
      const generation = Number((await q('SELECT generation FROM inventory_generation WHERE id = 1')).rows[0]?.generation ?? 0);
      if (generation === this.generation) return;
      const parse = (rows: Array<{ name: string; body: string }>): InventoryEntry[] => rows.map((r) => ({ ...(JSON.parse(r.body) as object), name: r.name }));
      const hosts = parse((await q('SELECT name, body FROM inventory_hosts ORDER BY seq, name')).rows);
      const groups = parse((await q('SELECT name, body FROM inventory_groups ORDER BY seq, name')).rows);
      const d = (await q('SELECT body FROM inventory_defaults WHERE id = 1')).rows[0] as { body: string } | undefined;
      this.cached = { hosts, groups, defaults: d ? (JSON.parse(d.body) as object) : {} };
      this.generation = generation;
    });
  }

  async apply(changes: readonly InventoryChange[]): Promise<{ removed: number }> {
    const out = await this.conn.tx(async (q) => {
      // the generation row is the inventory's write lock: two processes' changes apply one after the other
      await q('SELECT generation FROM inventory_generation WHERE id = 1 FOR UPDATE');
      let removed = 0;
      for (const c of changes) removed += await applyOne(q, c);
      await q('UPDATE inventory_generation SET generation = generation + 1 WHERE id = 1');
      return { removed };
    });
    await this.refresh();
    return out;
  }
}

async function applyOne(q: Query, c: InventoryChange): Promise<number> {
  const now = new Date().toISOString();
  switch (c.op) {
    case 'replaceAll': {
      for (const table of ['inventory_hosts', 'inventory_groups', 'inventory_defaults']) await q(`DELETE FROM ${table}`);
      for (const [i, g] of c.inventory.groups.entries()) await upsert(q, 'inventory_groups', g, i + 1);
      for (const [i, h] of c.inventory.hosts.entries()) await upsert(q, 'inventory_hosts', h, i + 1);
      await q('INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, $1, $2)', [JSON.stringify(c.inventory.defaults), now]);
      return 0;
    }
    case 'putHost':
      await upsert(q, 'inventory_hosts', c.entry);
      return 0;
    case 'putGroup':
      await upsert(q, 'inventory_groups', c.entry);
      return 0;
    case 'putDefaults':
      await q(
        'INSERT INTO inventory_defaults (id, body, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at',
        [JSON.stringify(c.defaults), now],
      );
      return 0;
    case 'deleteHost':
      return (await q('DELETE FROM inventory_hosts WHERE name = $1', [c.name])).rowCount ?? 0;
    case 'deleteGroup':
      return (await q('DELETE FROM inventory_groups WHERE name = $1', [c.name])).rowCount ?? 0;
  }
}

/** `position` is given when the whole table is rewritten; otherwise an update keeps its place and a new entry goes last. */
async function upsert(q: Query, table: Table, entry: InventoryEntry, position?: number): Promise<void> {
  const { name, ...body } = entry;
  let seq = position;
  if (seq === undefined) {
    const existing = (await q(`SELECT seq FROM ${table} WHERE name = $1`, [name])).rows[0] as { seq: number } | undefined;
    seq = existing?.seq ?? Number((await q(`SELECT COALESCE(MAX(seq), 0) AS m FROM ${table}`)).rows[0]!.m) + 1;
  }
  await q(
    `INSERT INTO ${table} (name, seq, body, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    [name, seq, JSON.stringify(body), new Date().toISOString()],
  );
}
