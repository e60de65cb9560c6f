import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Leadership } from '../store.js';

/**
 * Leader election on PostgreSQL: a session-level advisory lock held on a connection of its own.
 * Every `intervalMs` a process that is not the leader tries the lock; the one that gets it is
 * the leader until its connection ends (the process stops or dies: the server releases the
 * lock at once, and another process takes it at its next try).
 */
export class PgLeaderLock implements Leadership {
  private client: pg.Client | null = null;
  private leader = false;
  private timer: NodeJS.Timeout | null = null;
  private listeners: Array<(leader: boolean) => void> = [];
  private closed = false;
  private readonly key: bigint;

  constructor(
    private readonly url: string,
    name: string,
    private readonly intervalMs = 2_000,
  ) {
    // a 64-bit key from the name: each election (timers, ...) has its own lock
    this.key = createHash('sha256').update(`netreflex:${name}`).digest().readBigInt64BE(0);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  watch(onChange: (leader: boolean) => void): void {
    this.listeners.push(onChange);
    // a listener that comes late still hears that this process already leads
    if (this.leader) queueMicrotask(() => onChange(true));
    if (!this.timer && !this.closed) {
      void this.attempt();
      this.timer = setInterval(() => void this.attempt(), this.intervalMs);
      this.timer.unref();
    }
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const l of this.listeners) l(leader);
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.client) {
        const c = new pg.Client({ connectionString: this.url });
        // a lost connection loses the lock: stop leading at once, try again with a new one
        c.on('error', () => this.drop(c));
        c.on('end', () => this.drop(c));
        await c.connect();
        this.client = c;
      }
      if (this.leader) {
        await this.client.query('SELECT 1'); // still connected, so still holding it
        return;
      }
      const r = await this.client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [this.key.toString()]);
      this.set(r.rows[0]?.got === true);
    } catch {
      if (this.client) this.drop(this.client);
    }
  }

  private drop(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = null;
    void c.end().catch(() => {});
    this.set(false);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    this.client = null;
    this.set(false);
    await c?.end().catch(() => {});
  }
}
