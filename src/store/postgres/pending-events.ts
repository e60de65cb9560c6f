import type { PendingEventFeed } from '../store.js';
import type { PgConnection } from './connection.js';

/**
 * The inbox's feed on PostgreSQL: each pending trigger instance handed out once, what recover()
 * found first (id order), then newer rows in insertion order (the seq column). A sequence does
 * not order rows by commit (a row numbered earlier may commit later), so the feed does not keep
 * a position: it asks for the pending rows and remembers which it handed out until they stop
 * being pending.
 *
 * With `settleMs` (nodes sharing the store) a pending row may be another live node's event in
 * the middle of being handled, or the leftover of a node that died: a row is handed out only
 * once this feed has seen it pending for `settleMs`, and only after claiming it (its seq moves
 * on, in one UPDATE that only one node can win), so two nodes never both take it. The claimed
 * row, still pending under its new seq, settles again before anyone takes it a second time.
 */
export class PgPendingEvents implements PendingEventFeed {
  private handed = new Set<string>();
  private recovered: string[] = [];

  /** `${id}:${seq}` -> when this feed first saw it pending (settleMs > 0). */
  private firstSeen = new Map<string, number>();

  constructor(
    private readonly conn: PgConnection,
    private readonly settleMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  async recover(): Promise<number> {
    if (this.settleMs > 0) {
      // nothing is handed out at once: each row settles first (see above)
      const n = await this.conn.query<{ n: string }>("SELECT count(*) AS n FROM trigger_instances WHERE status = 'pending'");
      return Number(n.rows[0]!.n);
    }
    this.recovered = (await this.conn.query<{ id: string }>("SELECT id FROM trigger_instances WHERE status = 'pending' ORDER BY id")).rows.map((r) => r.id);
    this.handed = new Set(this.recovered);
    return this.recovered.length;
  }

  async next(maxRows = 1000): Promise<Array<{ id: string }>> {
    if (this.settleMs > 0) return this.settled(maxRows);
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

  private async settled(maxRows: number): Promise<Array<{ id: string }>> {
    const rows = (
      await this.conn.query<{ id: string; seq: string }>("SELECT id, seq FROM trigger_instances WHERE status = 'pending' ORDER BY seq LIMIT $1", [
        maxRows + this.firstSeen.size,
      ])
    ).rows;
    const now = this.now();
    const seen = new Map<string, number>();
    const out: Array<{ id: string }> = [];
    for (const r of rows) {
      const key = `${r.id}:${r.seq}`;
      const since = this.firstSeen.get(key) ?? now;
      if (now - since < this.settleMs || out.length >= maxRows) {
        seen.set(key, since);
        continue;
      }
      const claimed = await this.conn.query(
        "UPDATE trigger_instances SET seq = nextval(pg_get_serial_sequence('trigger_instances', 'seq')) WHERE id = $1 AND seq = $2 AND status = 'pending'",
        [r.id, r.seq],
      );
      if (claimed.rowCount === 1) out.push({ id: r.id });
    }
    this.firstSeen = seen;
    return out;
  }
}
