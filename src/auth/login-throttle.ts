/**
 * Failed logins slow down the next ones, per user name and per source address. A name (or an
 * address) gets a few free failures; after that every failure locks it for twice as long as the
 * last one (1 s, 2 s, 4 s ... up to 15 min), and while it is locked the password is not even
 * checked: 100 wrong guesses followed by the right one is a lockout, not a login. Unknown
 * user names are throttled like real ones, so the answers do not tell which names exist.
 * State is in memory: a restart forgets it, which costs an attacker a restart of the appliance.
 */

export interface LoginThrottleOptions {
  now?: () => number;
  /** Failures a user name gets before it is locked (default 5). */
  freePerUser?: number;
  /** Failures a source address gets before it is locked, across every user name (default 20). */
  freePerAddress?: number;
  /** First lock, doubled with every further failure (default 1 s). */
  baseLockMs?: number;
  /** Longest lock (default 15 min). */
  maxLockMs?: number;
  /** Names and addresses remembered at most, each; the oldest are forgotten first (default 10,000). */
  maxEntries?: number;
}

interface Entry {
  failures: number;
  /** Attempts being checked right now: a burst of parallel guesses counts before it is verified. */
  inFlight: number;
  lockedUntil: number;
  lastFailure: number;
}

/** How an allowed attempt ended: `none` when it never got to the password check (a store error). */
export type AttemptOutcome = 'ok' | 'failed' | 'none';

export type ThrottleVerdict =
  { allowed: true; release(outcome: AttemptOutcome): void } | { allowed: false; by: 'user' | 'address'; retryAfterMs: number; failures: number };

class Counter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly free: number,
    private readonly baseLockMs: number,
    private readonly maxLockMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    // forgotten once a whole maximum lock has passed since its last failure
    if (e && e.inFlight === 0 && now - e.lastFailure > this.maxLockMs && now >= e.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Milliseconds this key must still wait, or 0. Counts the attempts already in flight. */
  wait(key: string, now: number): number {
    const e = this.get(key, now);
    if (!e) return 0;
    if (e.lockedUntil > now) return e.lockedUntil - now;
    if (e.failures + e.inFlight >= this.free && e.inFlight > 0) return this.baseLockMs; // a parallel burst past the free ones
    return 0;
  }

  failuresOf(key: string, now: number): number {
    return this.get(key, now)?.failures ?? 0;
  }

  begin(key: string, now: number): void {
    let e = this.get(key, now);
    if (!e) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      e = { failures: 0, inFlight: 0, lockedUntil: 0, lastFailure: now };
      this.entries.set(key, e);
    }
    e.inFlight++;
  }

  end(key: string, outcome: 'ok' | 'failed' | 'keep', now: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.inFlight = Math.max(0, e.inFlight - 1);
    if (outcome === 'ok') {
      this.entries.delete(key);
      return;
    }
    if (outcome === 'keep') return;
    e.failures++;
    e.lastFailure = now;
    if (e.failures >= this.free) e.lockedUntil = now + Math.min(this.baseLockMs * 2 ** (e.failures - this.free), this.maxLockMs);
  }
}

export class LoginThrottle {
  private readonly now: () => number;
  private readonly users: Counter;
  private readonly addresses: Counter;

  constructor(opts: LoginThrottleOptions = {}) {
    this.now = opts.now ?? Date.now;
    const base = opts.baseLockMs ?? 1000;
    const max = opts.maxLockMs ?? 15 * 60_000;
    const entries = opts.maxEntries ?? 10_000;
    this.users = new Counter(opts.freePerUser ?? 5, base, max, entries);
    this.addresses = new Counter(opts.freePerAddress ?? 20, base, max, entries);
  }

  /**
   * May this attempt go ahead? If so, call `release` with how it ended: a success clears the
   * user name's failures (the address keeps its own, so one good account does not reset a
   * guessing run from the same place).
   */
  attempt(user: string, address: string): ThrottleVerdict {
    const now = this.now();
    const name = user.toLowerCase();
    const byUser = this.users.wait(name, now);
    const byAddress = this.addresses.wait(address, now);
    if (byUser > 0 || byAddress > 0) {
      const by = byUser >= byAddress ? 'user' : 'address';
      return {
        allowed: false,
        by,
        retryAfterMs: Math.max(byUser, byAddress),
        failures: by === 'user' ? this.users.failuresOf(name, now) : this.addresses.failuresOf(address, now),
      };
    }
    this.users.begin(name, now);
    this.addresses.begin(address, now);
    let done = false;
    return {
      allowed: true,
      release: (outcome) => {
        if (done) return;
        done = true;
        const at = this.now();
        this.users.end(name, outcome === 'none' ? 'keep' : outcome, at);
        this.addresses.end(address, outcome === 'failed' ? 'failed' : 'keep', at);
      },
    };
  }
}
