import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { exitStatus, runBenches, type BenchTable } from './runner.js';
import type { BenchResult } from './stats.js';

const row = (name: string, extra: Partial<BenchResult> = {}): BenchResult => ({ name, value: 1000, unit: 'msg/s', ...extra });

async function runTable(table: BenchTable, names: string[] = [], install: (p: string[]) => Promise<unknown> = async () => undefined) {
  const lines: string[] = [];
  const outcome = await runBenches(table, names, { write: (l) => lines.push(l), install });
  return { lines, outcome, body: lines.slice(2) };
}

test('a bench that throws and a peer that fails leave the other rows standing, and the exit status says so', async () => {
  const { body, outcome } = await runTable({
    first: { run: () => [row('first figure', { peer: { name: 'peer A', value: 500 } })] },
    crashes: {
      run: ({ emit }) => {
        emit(row('measured before the crash'));
        throw new Error('the receiver died');
      },
    },
    'peer-fails': { run: () => [row('ours without its peer', { peerFailed: 'ncclient: timed out waiting for rpc-reply' })] },
    last: { run: async () => [row('last figure')] },
  });
  assert.deepEqual(body, [
    '| first figure | 1,000 msg/s | 500 (peer A) | 2.00x |  |',
    '| measured before the crash | 1,000 msg/s |  |  |  |',
    '| crashes | FAILED: the receiver died | | | |',
    '| ours without its peer | 1,000 msg/s | peer failed: ncclient: timed out waiting for rpc-reply |  |  |',
    '| last figure | 1,000 msg/s |  |  |  |',
  ]);
  assert.deepEqual(outcome.failed, ['crashes: the receiver died']);
  assert.deepEqual(outcome.peerFailed, ['ours without its peer: ncclient: timed out waiting for rpc-reply']);
  assert.equal(exitStatus(outcome), 1);
});

test('each result is printed the moment the bench emits it, not when the bench ends', async () => {
  let seenWhileRunning: string[] = [];
  const lines: string[] = [];
  await runBenches(
    {
      slow: {
        run: async ({ emit }) => {
          emit(row('early'));
          seenWhileRunning = [...lines];
          return [row('late')];
        },
      },
    },
    [],
    { write: (l) => lines.push(l), install: async () => undefined },
  );
  assert.ok(seenWhileRunning.includes('| early | 1,000 msg/s |  |  |  |'));
  assert.equal(lines.filter((l) => l.includes('early')).length, 1, 'an emitted result that is also returned prints once');
});

test('a bench this machine cannot run is skipped with its reason; everything measured exits 0', async () => {
  let ran = false;
  const { body, outcome } = await runTable({
    lab: {
      skip: () => 'LAB SKIPPED: the lab needs root',
      run: () => {
        ran = true;
      },
    },
    plain: { run: () => [row('plain')] },
  });
  assert.equal(ran, false);
  assert.deepEqual(body, ['| lab | skipped: LAB SKIPPED: the lab needs root | | | |', '| plain | 1,000 msg/s |  |  |  |']);
  assert.equal(exitStatus(outcome), 0);
});

test('peers are installed before their bench; one that cannot be installed is a row, and the bench still runs', async () => {
  const asked: string[][] = [];
  const { body, outcome } = await runTable(
    { sflow: { peers: ['pmacct'], run: () => [row('ours alone', { peerFailed: 'sfacctd is not installed' })] } },
    [],
    async (p) => {
      asked.push(p);
      throw new Error('lab: packages pmacct are missing and only root can install them');
    },
  );
  assert.deepEqual(asked, [['pmacct']]);
  assert.equal(body[0], '| sflow | peer failed: could not install pmacct: lab: packages pmacct are missing and only root can install them | | | |');
  assert.match(body[1]!, /^\| ours alone \| 1,000 msg\/s \| peer failed: sfacctd is not installed/);
  assert.equal(exitStatus(outcome), 1);
});

test('a bench that hangs is given up after its timeout and the run goes on; its late results are not printed', async () => {
  let late: ((r: BenchResult) => void) | undefined;
  const { body, outcome } = await runTable(
    {
      hangs: {
        timeoutMs: 50,
        run: ({ emit }) => {
          late = emit;
          return new Promise(() => undefined);
        },
      },
      next: { run: () => [row('next')] },
    },
    ['hangs', 'next'],
  );
  late!(row('too late'));
  assert.deepEqual(body, ['| hangs | FAILED: did not finish within 0 s | | | |', '| next | 1,000 msg/s |  |  |  |']);
  assert.equal(outcome.failed.length, 1);
});

test('npm run bench -- <unknown name> exits 2 and lists the benches there are', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'run.ts'), 'no-such-bench'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /no such bench: no-such-bench \(there are: rules, workflows, syslog, .*netconf/);
});
