import type { PendingEventFeed } from '../store.js';
import type { PgConnection } from './connection.js';

/**
 * The inbox's feed on PostgreSQL: each pending trigger instance handed out once, what recover()
 * found first (id order), then newer rows in insertion order (the seq column). A sequence does
 * not order rows by commit (a row numbered earlier may commit later), so the feed does not keep
 * a position: it asks for the pending rows and remembers which it handed out until they stop
 * being pending.
 */
export class PgPendingEvents implements PendingEventFeed {
  private handed = new Set<string>();
  private recovered: string[] = [];

  constructor(private readonly conn: PgConnection) {}

  async recover(): Promise<number> {
    this.recovered = (await this.conn.query<{ id: string }>("SELECT id FROM trigger_instances WHERE status = 'pending' ORDER BY id")).rows.map((r) => r.id);
    this.handed = new Set(this.recovered);
    return this.recovered.length;
  }

  async next(maxRows = 1000): Promise<Array<{ id: string }>> {
    if (this.recovered.length) return this.recovered.splice(0, maxRows).map((id) => ({ id }));
    const window = maxRows + this.handed.size;
    const rows = (await this.conn.query<{ id: string }>("SELECT id FROM trigger_instances WHERE status = 'pending' ORDER BY seq LIMIT $1", [window])).rows;
    const stillPending = new Set<string>();
    const out: Array<{ id: string }> = [];
    for (const r of rows) {
      if (this.handed.has(r.id)) stillPending.add(r.id);
      else if (out.length < maxRows) out.push({ id: r.id });
    }
    // the whole pending set was seen: forget ids that are no longer pending
    if (rows.length < window) this.handed = stillPending;
    for (const o of out) this.handed.add(o.id);
    return out;
  }
}
