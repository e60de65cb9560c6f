import pg from 'pg';
import type { PartitionLocks } from '../store.js';

/** Advisory-lock classes (the two-key form): one for membership, one for partitions. 'NRX' 1 and 2. */
const MEMBER_CLASS = 0x4e525801;
const PARTITION_CLASS = 0x4e525802;

/**
 * Partition ownership on PostgreSQL advisory locks, held by one connection of this node: the
 * member lock (keyed by the connection's backend pid) says the node is alive, a partition lock
 * says it owns that partition. `pg_locks` shows every node which members live and who holds what,
 * the moment it changes: when a node dies its connection ends and the server drops its locks at
 * once, without waiting for a heartbeat to expire.
 */
export class PgPartitionLocks implements PartitionLocks {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private self = '';
  private readonly listeners: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly url: string,
    /** Shown as the connection's application_name (who holds what, in `pg_stat_activity`). */
    private readonly name: string,
  ) {}

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    if (this.closed) throw new Error('partition locks closed');
    this.connecting ??= (async () => {
      const c = new pg.Client({ connectionString: this.url, application_name: `netreflex ${this.name}`.slice(0, 63) });
      const lost = (): void => this.lose(c);
      c.on('error', lost);
      c.on('end', lost);
      try {
        await c.connect();
        const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const pid = r.rows[0]!.pid;
        await c.query('SELECT pg_advisory_lock($1::int, $2::int)', [MEMBER_CLASS, pid]);
        this.self = String(pid);
        this.client = c;
        return c;
      } catch (e) {
        c.removeListener('end', lost);
        await c.end().catch(() => {});
        throw e;
      }
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private lose(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = null;
    void c.end().catch(() => {});
    for (const l of this.listeners) l();
  }

  async view(): Promise<{ self: string; members: string[]; owners: Map<number, string>; names: Map<string, string> }> {
    const c = await this.connection();
    const r = await c.query<{ cls: string; obj: string; pid: number; name: string | null }>(
      `SELECT l.classid::bigint AS cls, l.objid::bigint AS obj, l.pid, a.application_name AS name
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint IN ($1, $2)`,
      [MEMBER_CLASS, PARTITION_CLASS],
    );
    const members: string[] = [];
    const owners = new Map<number, string>();
    const names = new Map<string, string>();
    for (const row of r.rows) {
      const pid = String(row.pid);
      if (Number(row.cls) === MEMBER_CLASS) {
        members.push(pid);
        names.set(pid, (row.name ?? pid).replace(/^netreflex /, ''));
      } else owners.set(Number(row.obj), pid);
    }
    return { self: this.self, members, owners, names };
  }

  async tryTake(partition: number): Promise<boolean> {
    const c = await this.connection();
    const r = await c.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS got', [PARTITION_CLASS, partition]);
    return r.rows[0]?.got === true;
  }

  async release(partition: number): Promise<void> {
    const c = this.client;
    if (!c) return; // the connection went, and the lock with it
    await c.query('SELECT pg_advisory_unlock($1::int, $2::int)', [PARTITION_CLASS, partition]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
