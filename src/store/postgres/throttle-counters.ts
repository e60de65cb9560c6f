import type { ThrottleClaim, ThrottleCount, ThrottleCounterRepository } from '../repositories/throttle-counters.js';
import type { PgConnection } from './connection.js';

interface Waiting {
  claims: readonly ThrottleClaim[];
  resolve: (counts: ThrottleCount[]) => void;
  reject: (e: unknown) => void;
}

const CLAIM_SQL = `
  SELECT r.verdict, r.executions
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[], $7::boolean[])
           WITH ORDINALITY AS c(rule_ref, counter_key, event_id, at, per_ms, max_count, escalates, n)
    CROSS JOIN LATERAL nrx_throttle_claim(c.rule_ref, c.counter_key, c.event_id, c.at, c.per_ms, c.max_count, c.escalates) AS r
   ORDER BY c.n`;

/**
 * Throttle counters in the throttle_counters table, each firing decided by nrx_throttle_claim
 * under the counter's row lock. The claims asked for in one event-loop turn go in one statement
 * (one round trip), and one statement at a time: a node's claims reach the database in the order
 * it made them. Within a statement the claims are sorted by counter, so two nodes' statements
 * lock their counters in the same order and never wait on each other in a cycle.
 */
export class PgThrottleCounters implements ThrottleCounterRepository {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly conn: PgConnection) {}

  claim(claims: readonly ThrottleClaim[]): Promise<ThrottleCount[]> {
    if (claims.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ claims, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const group = this.waiting;
      this.waiting = [];
      await this.send(group);
    }
    this.running = false;
  }

  /** One statement for the group's claims; each waiting caller gets its own verdicts (or the error). */
  private async send(group: Waiting[]): Promise<void> {
    const all = group.flatMap((w, wi) => w.claims.map((c, ci) => ({ c, wi, ci })));
    // by counter, and within one counter in the order asked (the sort is stable)
    all.sort((a, b) => (a.c.rule < b.c.rule ? -1 : a.c.rule > b.c.rule ? 1 : a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0));
    let rows: Array<{ verdict: string; executions: number }>;
    try {
      const r = await this.conn.query<{ verdict: string; executions: number }>(CLAIM_SQL, [
        all.map((x) => x.c.rule),
        all.map((x) => x.c.key),
        all.map((x) => x.c.eventId),
        all.map((x) => Math.floor(x.c.now)),
        all.map((x) => Math.floor(x.c.perMs)),
        all.map((x) => x.c.max),
        all.map((x) => x.c.escalates),
      ]);
      rows = r.rows;
    } catch (e) {
      for (const w of group) w.reject(e);
      return;
    }
    const out = group.map((w) => new Array<ThrottleCount>(w.claims.length));
    all.forEach((x, i) => {
      const row = rows[i]!;
      out[x.wi]![x.ci] = { kind: row.verdict as ThrottleCount['kind'], count: Number(row.executions) };
    });
    group.forEach((w, wi) => w.resolve(out[wi]!));
  }
}
