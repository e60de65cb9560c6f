import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { makeEvent } from '../../src/events/envelope.js';
import type { Store, WriteOp } from '../../src/store/store.js';
import { median, percentile, type BenchResult } from './stats.js';

const FILES: Record<string, string> = {
  'pack.yaml': 'ref: bench\nname: bench\nversion: 0.1.0\n',
  'actions/three.yaml': 'name: three\nrunner_type: orquesta\nentry_point: workflows/three.yaml\n',
  'actions/workflows/three.yaml':
    'version: 1.0\ntasks:\n  one:\n    action: core.noop\n    next: [{ do: two }]\n  two:\n    action: core.noop\n    next: [{ do: three }]\n  three:\n    action: core.noop\n',
  'actions/items.yaml': 'name: items\nrunner_type: orquesta\nentry_point: workflows/items.yaml\nparameters:\n  count: { type: integer, default: 1000 }\n',
  'actions/workflows/items.yaml':
    'version: 1.0\ninput: [count]\ntasks:\n  each:\n    with:\n      items: "{{ range(0, ctx().count) | list }}"\n      concurrency: 100\n    action: core.noop\noutput:\n  - n: "{{ result().length if false else ctx().count }}"\n',
  'rules/first_action.yaml':
    'name: first_action\npack: bench\nenabled: true\ntrigger: { type: core.event }\ncriteria:\n  trigger.kind: { type: equals, pattern: bench }\naction:\n  ref: core.noop\n',
};

function makePack(root: string): string {
  const packs = path.join(root, 'packs');
  for (const [f, text] of Object.entries(FILES)) {
    const p = path.join(packs, 'bench', f);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return packs;
}

/** Count commits and task-row writes going through the store. */
function countCommits(store: Store): { commits: number; taskWrites: number } {
  const counts = { commits: 0, taskWrites: 0 };
  const real = store.commit.bind(store);
  store.commit = async (batch: WriteOp[]) => {
    counts.commits++;
    for (const op of batch) if (op.op === 'putTask') counts.taskWrites++;
    return real(batch);
  };
  return counts;
}

/** Raw better-sqlite3: single-row commits per second in WAL mode (the peer). */
function rawCommits(dir: string, synchronous: 'NORMAL' | 'FULL', ms = 1000): number {
  const db = new Database(path.join(dir, `raw-${synchronous}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const tx = db.transaction((v: string) => ins.run(v));
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 100; i++) tx(`{"status":"succeeded","n":${n + i}}`);
    n += 100;
  }
  db.close();
  return n / (ms / 1000);
}

export async function benchWorkflows(): Promise<BenchResult[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-bench-'));
  const results: BenchResult[] = [];
  try {
    const packs = makePack(root);
    let started: Map<string, bigint> | null = null;
    const a = new Appliance({
      config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [packs] }, {}),
      log: silentLogger,
      onExecutionUpdate: (rec) => {
        if (started && rec.status === 'running' && rec.context.triggerInstanceId && !started.has(rec.context.triggerInstanceId))
          started.set(rec.context.triggerInstanceId, process.hrtime.bigint());
      },
    });
    if (a.content.errors.length) throw new Error(a.content.errors.map((e) => e.message).join('\n'));
    await a.start();
    const counts = countCommits(a.store);

    // 3-task noop workflows, durable, 100 in flight
    const rates: number[] = [];
    const transitionRates: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const total = 1500;
      const c0 = { ...counts };
      const t0 = process.hrtime.bigint();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          next++;
          const rec = await a.engine.run('bench.three', {});
          if (rec.status !== 'succeeded') throw new Error(`bench workflow ${rec.id} ${rec.status}: ${rec.error?.message}`);
        }
      };
      await Promise.all(Array.from({ length: 100 }, worker));
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      rates.push(total / secs);
      transitionRates.push((counts.taskWrites - c0.taskWrites) / secs);
    }
    const raw = rawCommits(root, 'NORMAL');
    const rawFull = rawCommits(root, 'FULL');
    results.push({ name: 'workflows: 3-task noop workflows completed/s (durable, WAL NORMAL)', value: median(rates), unit: 'workflows/s', goal: '>= 1,000/s' });
    results.push({
      name: 'workflows: task transitions written/s',
      value: median(transitionRates),
      unit: 'transitions/s',
      peer: { name: 'raw better-sqlite3 single-row WAL commits/s (NORMAL)', value: raw },
    });
    results.push({ name: 'sqlite peer: raw single-row WAL commits/s (FULL)', value: rawFull, unit: 'commits/s' });

    // with-items over 1,000 items
    const itemTimes: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      const rec = await a.engine.run('bench.items', { count: 1000 });
      if (rec.status !== 'succeeded') throw new Error(`with-items bench ${rec.status}: ${rec.error?.message}`);
      itemTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    results.push({ name: 'workflows: with-items over 1,000 items (concurrency 100)', value: median(itemTimes), unit: 'ms', goal: '< 2,000 ms' });

    // event -> first action started
    started = new Map();
    const lat: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const ev = makeEvent('core.event', { kind: 'bench', i });
      const t0 = process.hrtime.bigint();
      await a.emit(ev);
      await a.bus.drain();
      const t1 = started.get(ev.id);
      if (t1 === undefined) throw new Error('the bench rule did not start its action');
      lat.push(Number(t1 - t0) / 1e6);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    results.push({ name: 'event -> first action started, p50', value: median(lat), unit: 'ms' });
    results.push({ name: 'event -> first action started, p99', value: percentile(lat, 99), unit: 'ms', goal: '< 5 ms' });
    await a.stop();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return results;
}
