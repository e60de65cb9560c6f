// The throttle counters the rules nodes of a cluster share (throttle_counters, nrx_throttle_claim),
// against a real PostgreSQL 15 started for this file: the embedded ThrottleBook's verdicts, an event
// counted once however often it is decided, and two claimers (two stores, as two nodes; two
// transactions) never exceeding the limit together.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { ThrottleBook } from '../../src/rules/throttle.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ThrottleClaim } from '../../src/store/repositories/index.js';
import { postgresGuard, startPostgres, type Postgres } from '../lab/postgres.js';

const skip = postgresGuard();
const HOUR = 3_600_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

let ids = 0;
function claim(over: Partial<ThrottleClaim> = {}): ThrottleClaim {
  return { rule: 'net.bgp_reset', key: 'net.bgp_reset', eventId: `ev${++ids}`, now: T0, perMs: HOUR, max: 3, escalates: true, ...over };
}

describe('throttle counters shared on PostgreSQL', { skip, timeout: 120_000 }, () => {
  let server: Postgres;
  let n = 0;
  const opened: PostgresStore[] = [];
  const fresh = async (): Promise<{ url: string; store: PostgresStore }> => {
    const url = await server.createDatabase(`throttle_${++n}`);
    const store = await openPostgresStore(url);
    opened.push(store);
    return { url, store };
  };
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await server?.stop();
  });

  test('max 3 per hour: 3 executions, one escalation, the rest throttled; another key counts apart', async () => {
    const { store } = await fresh();
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) kinds.push((await store.throttleCounters.claim([claim({ now: T0 + i * 60_000 })]))[0]!.kind);
    assert.deepEqual(kinds, ['execute', 'execute', 'execute', 'escalate', 'throttled', 'throttled']);
    const [other] = await store.throttleCounters.claim([claim({ key: 'core2/10.0.0.1', now: T0 + 6 * 60_000 })]);
    assert.deepEqual(other, { kind: 'execute', count: 1 });
    const [again] = await store.throttleCounters.claim([claim({ now: T0 + 7 * 60_000 })]);
    assert.deepEqual(again, { kind: 'throttled', count: 3 });
  });

  test('the window slides: a slot frees when its execution is an hour old; escalation once per window; no `then`: throttled', async () => {
    const { store } = await fresh();
    const at = async (min: number, over: Partial<ThrottleClaim> = {}): Promise<string> =>
      (await store.throttleCounters.claim([claim({ now: T0 + min * 60_000, ...over })]))[0]!.kind;
    assert.equal(await at(0), 'execute');
    assert.equal(await at(10), 'execute');
    assert.equal(await at(20), 'execute');
    assert.equal(await at(30), 'escalate');
    assert.equal(await at(59), 'throttled');
    assert.equal(await at(60), 'execute', 'the execution at 0 left the window');
    assert.equal(await at(61), 'throttled', 'escalated at 30: not again within the hour');
    assert.equal(await at(70), 'execute');
    assert.equal(await at(80), 'execute');
    assert.equal(await at(89), 'throttled', 'the escalation at 30 is still inside the window');
    assert.equal(await at(90), 'escalate', 'the escalation at 30 left the window');
    const quiet = { key: 'no-then', escalates: false };
    for (const m of [0, 1, 2]) assert.equal(await at(m, quiet), 'execute');
    assert.equal(await at(3, quiet), 'throttled');
  });

  test('an event decided again gets the verdict it had, without a second slot', async () => {
    const { store } = await fresh();
    const first = claim({ eventId: 'evA' });
    assert.deepEqual(await store.throttleCounters.claim([first]), [{ kind: 'execute', count: 1 }]);
    assert.deepEqual(await store.throttleCounters.claim([{ ...first, now: T0 + 1_000 }]), [{ kind: 'execute', count: 1 }]);
    await store.throttleCounters.claim([claim({ eventId: 'evB' }), claim({ eventId: 'evC' })]);
    const over = claim({ eventId: 'evD', now: T0 + 2_000 });
    assert.equal((await store.throttleCounters.claim([over]))[0]!.kind, 'escalate');
    assert.equal((await store.throttleCounters.claim([{ ...over, now: T0 + 3_000 }]))[0]!.kind, 'escalate', 'the escalating event again');
    assert.equal((await store.throttleCounters.claim([claim({ eventId: 'evE' })]))[0]!.kind, 'throttled');
    assert.equal((await store.throttleCounters.claim([{ ...first, now: T0 + 4_000 }]))[0]!.kind, 'execute', 'evA still holds its slot');
  });

  test('the verdicts are the embedded ThrottleBook\u2019s for any sequence of firings', async () => {
    const { store } = await fresh();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), gapMs: fc.integer({ min: 0, max: 40_000 }) }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (firings, max, escalates) => {
          const rule = `prop.rule${++run}`;
          const spec = { key: null, max, perMs: 60_000, per: '1m', then: escalates ? 'net.escalate' : null };
          const book = new ThrottleBook();
          let now = T0;
          const claims = firings.map((f) => ({ rule, key: f.key, eventId: `${rule}-${(now += f.gapMs)}-${++ids}`, now, perMs: spec.perMs, max, escalates }));
          const expected = claims.map((c) => book.decide(rule, c.key, spec, c.now));
          // half the claims one by one, half in one statement: the same verdicts
          const half = Math.floor(claims.length / 2);
          const got = [];
          for (const c of claims.slice(0, half)) got.push(...(await store.throttleCounters.claim([c])));
          got.push(...(await store.throttleCounters.claim(claims.slice(half))));
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('two nodes claiming at once: 3 executions and 1 escalation in all, whatever the interleaving', async () => {
    const { url, store: nodeA } = await fresh();
    const nodeB = await openPostgresStore(url);
    opened.push(nodeB);
    const fire = async (node: PostgresStore, who: string): Promise<string[]> => {
      const kinds: string[] = [];
      const inFlight: Array<Promise<void>> = [];
      for (let i = 0; i < 25; i++) {
        // a claim per turn, several in flight: statements of both nodes interleave on the server
        inFlight.push(node.throttleCounters.claim([claim({ eventId: `${who}${i}`, now: T0 + i })]).then((r) => void kinds.push(r[0]!.kind)));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(inFlight);
      return kinds;
    };
    const [a, b] = await Promise.all([fire(nodeA, 'a'), fire(nodeB, 'b')]);
    const all = [...a, ...b];
    const count = (k: string): number => all.filter((x) => x === k).length;
    assert.equal(count('execute'), 3, `executions: a ${a.join(',')} b ${b.join(',')}`);
    assert.equal(count('escalate'), 1);
    assert.equal(count('throttled'), 46);
  });

  test('a claim waits for another transaction holding the counter, then counts after it', async () => {
    const { url, store } = await fresh();
    const first = new pg.Client({ connectionString: url });
    await first.connect();
    try {
      await store.throttleCounters.claim([claim({ eventId: 'x1' }), claim({ eventId: 'x2' })]);
      await first.query('BEGIN');
      const held = await first.query<{ verdict: string }>('SELECT verdict FROM nrx_throttle_claim($1, $2, $3, $4, $5, $6, $7)', [
        'net.bgp_reset',
        'net.bgp_reset',
        'x3',
        T0,
        HOUR,
        3,
        true,
      ]);
      assert.equal(held.rows[0]!.verdict, 'execute');
      let answered = false;
      const second = store.throttleCounters.claim([claim({ eventId: 'x4' })]).then((r) => ((answered = true), r));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(answered, false, 'the second claimer waits for the counter');
      await first.query('COMMIT');
      assert.deepEqual(await second, [{ kind: 'escalate', count: 3 }]);
    } finally {
      await first.end();
    }
  });

  test('a transaction that claimed and rolled back leaves the slot free', async () => {
    const { url, store } = await fresh();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT nrx_throttle_claim($1, $2, $3, $4, $5, $6, $7)', ['net.bgp_reset', 'net.bgp_reset', 'gone', T0, HOUR, 1, true]);
      await c.query('ROLLBACK');
      assert.deepEqual(await store.throttleCounters.claim([claim({ max: 1 })]), [{ kind: 'execute', count: 1 }]);
    } finally {
      await c.end();
    }
  });

  test('prune drops the counters whose window has passed, and only those', async () => {
    const { url, store } = await fresh();
    await store.throttleCounters.claim([claim({ key: 'old', now: T0 }), claim({ key: 'recent', now: T0 + 30 * 60_000 })]);
    await store.prune({ maxAgeDays: Infinity, maxExecutions: Infinity, maxEvents: Infinity }, new Date(T0 + HOUR));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const keys = (await c.query<{ key: string }>('SELECT key FROM throttle_counters ORDER BY key')).rows.map((r) => r.key);
      assert.deepEqual(keys, ['recent']);
    } finally {
      await c.end();
    }
    assert.deepEqual(await store.throttleCounters.claim([claim({ key: 'recent', now: T0 + HOUR, max: 1 })]), [{ kind: 'escalate', count: 1 }]);
  });
  test('prune does not wait for a counter being counted: it leaves it for the next prune', async () => {
    const { url, store } = await fresh();
    await store.throttleCounters.claim([claim({ key: 'busy', now: T0 }), claim({ key: 'idle', now: T0 })]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query("SELECT 1 FROM throttle_counters WHERE key = 'busy' FOR UPDATE");
      await store.prune({ maxAgeDays: Infinity, maxExecutions: Infinity, maxEvents: Infinity }, new Date(T0 + 2 * HOUR));
      await c.query('COMMIT');
      const keys = (await c.query<{ key: string }>('SELECT key FROM throttle_counters ORDER BY key')).rows.map((r) => r.key);
      assert.deepEqual(keys, ['busy']);
    } finally {
      await c.end();
    }
  });
});
