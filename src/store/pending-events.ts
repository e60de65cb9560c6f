import type Database from 'better-sqlite3';

/** A pending trigger instance the inbox has not handed out before: its id only, no payload. */
export interface NewPendingEvent {
  id: string;
}

/**
 * Walks trigger_instances in insertion order (SQLite rowid) and hands out each pending row once.
 * The inbox used to re-read every pending row (up to 500, payloads included) on every poll; a
 * backlog of large syslog events made each poll parse ~65 MB and the appliance stalled. Here a
 * poll reads only rows inserted since the last one, and only their ids and status.
 *
 * Why rowid: writes are serialised by SQLite's write lock and a new row gets max(rowid)+1, so a
 * row committed later (by this process or a CLI) lands after the cursor, whatever the clock of
 * the process that minted its id. Rowids are reused only after the newest rows are deleted; the
 * cursor remembers the row it stopped at, and when that row is gone it takes the pending rows
 * from the status index again (as at start) instead of trusting its position.
 */
export class PendingEventCursor {
  private after = 0;
  /** Id of the row at `after`, to notice it was deleted (prune) and rowids may be reused. */
  private anchor: string | null = null;
  /** Ids found pending by recover(), handed out before any newer row. */
  private recovered: string[] = [];
  private recoveredAt = 0;
  private readonly scan: Database.Statement<[number, number], { seq: number; id: string; status: string }>;
  private readonly idAt: Database.Statement<[number], string>;
  private readonly snapshot: Database.Transaction<() => { ids: string[]; last: { seq: number; id: string } | undefined }>;

  constructor(db: Database.Database) {
    this.scan = db.prepare('SELECT rowid AS seq, id, status FROM trigger_instances WHERE rowid > ? ORDER BY rowid LIMIT ?');
    this.idAt = db.prepare('SELECT id FROM trigger_instances WHERE rowid = ?').pluck() as unknown as Database.Statement<[number], string>;
    // the status index covers this: the history table may hold 500,000 processed rows
    const pending = db.prepare("SELECT id FROM trigger_instances WHERE status = 'pending' ORDER BY id").pluck() as unknown as Database.Statement<[], string>;
    const last = db.prepare('SELECT rowid AS seq, id FROM trigger_instances ORDER BY rowid DESC LIMIT 1') as Database.Statement<
      [],
      { seq: number; id: string }
    >;
    // one read transaction: the pending list and the cursor come from the same snapshot
    this.snapshot = db.transaction(() => ({ ids: pending.all(), last: last.get() }));
  }

  /**
   * Every row still pending (left by a crash, or written while the appliance was down) is
   * handed out by the following next() calls, in id order; then rows inserted after. Returns
   * how many there are.
   */
  recover(): number {
    const s = this.snapshot();
    this.recovered = s.ids;
    this.recoveredAt = 0;
    this.after = s.last?.seq ?? 0;
    this.anchor = s.last?.id ?? null;
    return s.ids.length;
  }

  /** Pending rows not handed out before, oldest first; looks at most `maxRows` rows. */
  next(maxRows = 1000): NewPendingEvent[] {
    if (this.recoveredAt >= this.recovered.length && this.anchor !== null && this.idAt.get(this.after) !== this.anchor) this.recover();
    if (this.recoveredAt < this.recovered.length) {
      const ids = this.recovered.slice(this.recoveredAt, this.recoveredAt + maxRows);
      this.recoveredAt += ids.length;
      return ids.map((id) => ({ id }));
    }
    const rows = this.scan.all(this.after, maxRows);
    if (rows.length === 0) return [];
    const last = rows[rows.length - 1]!;
    this.after = last.seq;
    this.anchor = last.id;
    const out: NewPendingEvent[] = [];
    for (const r of rows) if (r.status === 'pending') out.push({ id: r.id });
    return out;
  }
}
