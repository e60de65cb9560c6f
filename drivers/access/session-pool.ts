import { NrxError } from '../../src/core/errors.js';

/**
 * Sessions kept open between uses, so the second command on a device within a workflow does
 * not pay for TCP, key exchange, login and the CLI's start again. A session is lent to one user
 * at a time; while it is lent, another user of the same device gets a session of its own rather
 * than waiting. It goes back to the pool only when the user says it is still good, and is closed
 * once idle for `idleMs`. At most `maxSessions` are open: to open one more, the session idle the
 * longest is closed; when every one is busy, the extra session is lent and closed after use, so
 * the cap never makes anyone wait. Closing the pool closes every idle session at once and every
 * busy one as it comes back.
 */

export interface SessionPoolOptions {
  /** How long a session stays open unused, ms (default 60 s; 0 closes each session after use). */
  idleMs?: number;
  /** Sessions open at once, busy and idle (default 64). */
  maxSessions?: number;
}

export const DEFAULT_IDLE_MS = 60_000;
export const DEFAULT_MAX_SESSIONS = 64;

/** What the pool needs of a session. */
export interface Poolable {
  /** False once the transport has closed or failed: such a session is never lent again. */
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export interface Lease<S extends Poolable> {
  readonly session: S;
  /** The session was open before this lease: no connection set-up was paid. */
  readonly reused: boolean;
  /** Hand the session back: kept for the next user when `reusable`, closed otherwise. Once only. */
  release(reusable: boolean): Promise<void>;
}

export interface SessionPoolCounters {
  /** Sessions opened (pooled or not). */
  opened: number;
  /** Leases served by a session that was already open. */
  reused: number;
  /** Sessions closed after idleMs unused. */
  expired: number;
  /** Idle sessions closed to make room under maxSessions. */
  evicted: number;
  /** Sessions closed on return because the user said they were not good (transport error, mode left changed). */
  discarded: number;
  /** Sessions lent outside the pool because every pooled one was busy at maxSessions. */
  overflow: number;
}

interface Entry {
  key: string;
  session: Poolable | null;
  busy: boolean;
  idleSince: number;
  timer: NodeJS.Timeout | null;
}

export class SessionPool {
  readonly idleMs: number;
  readonly maxSessions: number;
  readonly counters: SessionPoolCounters = { opened: 0, reused: 0, expired: 0, evicted: 0, discarded: 0, overflow: 0 };
  private readonly entries = new Set<Entry>();
  private closed = false;

  constructor(opts: SessionPoolOptions = {}) {
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isInteger(this.idleMs) || this.idleMs < 0)
      throw new NrxError('NRX_ERR_CONFIG', `session pool: idleMs must be a whole number of milliseconds >= 0, got ${opts.idleMs}`);
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1)
      throw new NrxError('NRX_ERR_CONFIG', `session pool: maxSessions must be a whole number >= 1, got ${opts.maxSessions}`);
  }

  /** Sessions open now: { busy, idle }. */
  size(): { busy: number; idle: number } {
    let busy = 0;
    for (const e of this.entries) if (e.busy) busy++;
    return { busy, idle: this.entries.size - busy };
  }

  /**
   * A session for `key` (the same device, way in and login): an idle one that is still open,
   * else a new one from `open`. A failure to open is the caller's, and takes no room.
   */
  async acquire<S extends Poolable>(key: string, open: () => Promise<S>): Promise<Lease<S>> {
    if (!this.closed) {
      const idle = this.takeIdle(key);
      if (idle) {
        this.counters.reused++;
        return this.lease(idle, idle.session as S, true);
      }
    }
    if (this.closed || this.idleMs === 0 || !this.makeRoom()) {
      if (!this.closed && this.idleMs > 0) this.counters.overflow++;
      const session = await open();
      this.counters.opened++;
      return this.unpooled(session);
    }
    // The slot is taken before the (slow) open, so concurrent opens cannot pass maxSessions.
    const entry: Entry = { key, session: null, busy: true, idleSince: 0, timer: null };
    this.entries.add(entry);
    try {
      entry.session = await open();
    } catch (e) {
      this.entries.delete(entry);
      throw e;
    }
    this.counters.opened++;
    return this.lease(entry, entry.session as S, false);
  }

  /** Close every idle session now and every busy one when it is handed back; later leases are not pooled. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = [...this.entries].filter((e) => !e.busy);
    for (const e of idle) this.forget(e);
    await Promise.all(idle.map((e) => closeQuietly(e.session)));
  }

  private takeIdle(key: string): Entry | undefined {
    for (const e of this.entries) {
      if (e.busy || e.key !== key) continue;
      if (!e.session?.isOpen) {
        // The device or the network ended it while it waited: never lend a dead session.
        this.forget(e);
        void closeQuietly(e.session);
        continue;
      }
      if (e.timer) clearTimeout(e.timer);
      e.timer = null;
      e.busy = true;
      return e;
    }
    return undefined;
  }

  /** Under the cap, or made so by closing the session idle the longest; false when all are busy. */
  private makeRoom(): boolean {
    if (this.entries.size < this.maxSessions) return true;
    let oldest: Entry | undefined;
    for (const e of this.entries) if (!e.busy && (!oldest || e.idleSince < oldest.idleSince)) oldest = e;
    if (!oldest) return false;
    this.forget(oldest);
    this.counters.evicted++;
    void closeQuietly(oldest.session);
    return true;
  }

  private lease<S extends Poolable>(entry: Entry, session: S, reused: boolean): Lease<S> {
    let released = false;
    return {
      session,
      reused,
      release: async (reusable) => {
        if (released) return;
        released = true;
        if (this.closed || !reusable || !session.isOpen) {
          if (!this.closed && !reusable) this.counters.discarded++;
          this.forget(entry);
          await closeQuietly(session);
          return;
        }
        entry.busy = false;
        entry.idleSince = performance.now();
        entry.timer = setTimeout(() => {
          this.forget(entry);
          this.counters.expired++;
          void closeQuietly(session);
        }, this.idleMs);
        // An idle session's timer alone does not keep the process alive.
        entry.timer.unref();
      },
    };
  }

  private unpooled<S extends Poolable>(session: S): Lease<S> {
    let released = false;
    return {
      session,
      reused: false,
      release: async () => {
        if (released) return;
        released = true;
        await closeQuietly(session);
      },
    };
  }

  private forget(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    this.entries.delete(e);
  }
}

async function closeQuietly(session: Poolable | null): Promise<void> {
  try {
    await session?.close();
  } catch {
    // Closing a session that is already gone has nothing left to report.
  }
}
