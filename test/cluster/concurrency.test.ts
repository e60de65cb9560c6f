// Concurrency policies (action.concurrency) counted over the worker nodes of a cluster: an API
// node and three worker nodes as `netreflex serve` processes on one real PostgreSQL 15 started
// here. An action with threshold 1 and policy delay, requested six times at once, is spread over
// the three workers and still runs one at a time (its marker file's start and end times never
// overlap), all six succeed; with policy cancel, the ones over the threshold anywhere in the
// cluster are canceled with NRX_ERR_CONCURRENCY.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { postgresGuard } from '../lab/postgres.js';
import type { ApiCall } from '../api/bearer-call.js';
import { PgNodeSet } from './pg-node-set.js';

const skip = postgresGuard();
const ADMIN_PASSWORD = 'concurrency-admin-password-1';
const PACKS = path.resolve('test/cluster/fixtures/concurrency-packs');
const WORKERS = ['worker-a', 'worker-b', 'worker-c'];

interface Execution {
  id: string;
  status: string;
  owner?: string;
  log: string[];
  error: { code: string; message: string } | null;
}

describe('distributed mode: concurrency policies count over every worker node', { skip, timeout: 300_000 }, () => {
  let set: PgNodeSet;
  let db: pg.Client;
  let marks = '';
  const api: ApiCall = (method, p, body) => set.api(method, p, body);
  const run = (action: string, parameters: Record<string, unknown>): Promise<Execution> => api<Execution>('POST', '/api/v1/executions', { action, parameters });
  const get = (id: string): Promise<Execution> => api<Execution>('GET', `/api/v1/executions/${id}`);
  const ended = (s: string): boolean => ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'].includes(s);
  const until = (what: string, cond: () => Promise<boolean>, ms = 120_000): Promise<void> => set.until(what, cond, ms, 250);
  /** Each run's [start, end] from the marker file, in seconds, by tag. */
  const runs = (file: string): Map<string, { start: number; end: number }> => {
    const out = new Map<string, { start: number; end: number }>();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const [what, tag, at] = line.split(' ') as ['start' | 'end', string, string];
      const r = out.get(tag) ?? { start: NaN, end: NaN };
      r[what] = Number(at);
      out.set(tag, r);
    }
    return out;
  };
  const requestAtOnce = async (action: string, marker: string, n: number, seconds: number): Promise<Execution[]> => {
    const asked = await Promise.all(Array.from({ length: n }, (_, i) => run(action, { marker, tag: `t${i}`, seconds })));
    const ids = asked.map((e) => e.id);
    await until(`all ${n} ${action} ended`, async () => (await Promise.all(ids.map(get))).every((e) => ended(e.status)));
    return Promise.all(ids.map(get));
  };

  before(async () => {
    set = await PgNodeSet.open({ prefix: 'nrx-concurrency-', database: 'concurrency', packs: PACKS, adminPassword: ADMIN_PASSWORD });
    ({ db, marks } = set);
    // two each at most: six requested at once are spread over the three
    await Promise.all(WORKERS.map((w) => set.start(w, 'worker', ['--worker-capacity', '2'])));
  });
  after(async () => {
    await set?.stop();
  });

  test('threshold 1, policy delay: six runs over three workers, never two at once, all succeed', async () => {
    const marker = path.join(marks, 'delay.log');
    const done = await requestAtOnce('conctest.hold', marker, 6, 1.5);
    assert.deepEqual(
      done.map((e) => e.status),
      Array(6).fill('succeeded'),
      JSON.stringify(done.map((e) => [e.status, e.error])),
    );
    const owners = new Set(done.map((e) => e.owner));
    assert.ok(owners.size >= 2, `run by more than one worker (${[...owners].join(', ')})`);
    const spans = [...runs(marker).entries()].sort((a, b) => a[1].start - b[1].start);
    assert.equal(spans.length, 6);
    for (let i = 1; i < spans.length; i++) {
      const [prevTag, prev] = spans[i - 1]!;
      const [tag, cur] = spans[i]!;
      assert.ok(cur.start >= prev.end, `${tag} started at ${cur.start} while ${prevTag} ran (${prev.start} to ${prev.end})`);
    }
    assert.ok(
      done.some((e) => e.log.some((l) => /waiting: concurrency limit 1 reached for conctest\.hold across the cluster/.test(l))),
      'some waited for a slot another node held',
    );
    const { rows } = await db.query('SELECT count(*)::int AS n FROM concurrency_slots');
    assert.equal(rows[0].n, 0, 'every slot is freed when its execution ends');
  });

  test('threshold 1, policy cancel: of six requested at once over three workers, one runs and five are canceled with NRX_ERR_CONCURRENCY', async () => {
    const marker = path.join(marks, 'cancel.log');
    // long enough that all six are claimed while the first still runs, on a loaded machine too
    const done = await requestAtOnce('conctest.hold_cancel', marker, 6, 8);
    const ran = done.filter((e) => e.status === 'succeeded');
    const canceled = done.filter((e) => e.status === 'canceled');
    assert.equal(ran.length, 1, JSON.stringify(done.map((e) => [e.owner, e.status, e.error])));
    assert.equal(canceled.length, 5);
    for (const e of canceled) assert.equal(e.error?.code, 'NRX_ERR_CONCURRENCY');
    assert.ok(new Set(done.map((e) => e.owner)).size >= 2, 'requests reached more than one worker');
    assert.equal(runs(marker).size, 1, 'the canceled ones never ran their command');
  });
});
