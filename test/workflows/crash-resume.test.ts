import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Appliance } from '../../src/appliance.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';

const PACKS = path.resolve('test/fixtures/packs');
const CHILD = path.resolve('test/fixtures/crash-child.ts');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Run the workflow in a real child process and SIGKILL it while the long task runs. */
async function startAndKill(ref: string, seconds: number): Promise<{ dataDir: string; id: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-crash-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, PACKS, ref, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not report a running task in 20 s; stderr: ${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /RUNNING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return { dataDir, id };
}

async function restart(dataDir: string): Promise<Appliance> {
  const a = new Appliance({ config: loadConfig({ dataDir, packsPaths: [PACKS] }), log: silentLogger });
  await a.start();
  return a;
}

describe('crash and resume (a real child process killed with SIGKILL mid-workflow)', () => {
  test('a non-idempotent task in flight is abandoned and the workflow follows its failure path', async () => {
    const { dataDir, id } = await startAndKill('demo.crash_plain', 30);
    const a = await restart(dataDir);
    try {
      const done = await a.engine.wait(id);
      const tasks = (await a.store.listTasks(id)).sort((x, y) => x.seq - y.seq);
      assert.deepEqual(
        tasks.map((t) => [t.taskName, t.status]),
        [
          ['first', 'succeeded'],
          ['long', 'abandoned'],
          ['cleanup', 'succeeded'],
        ],
      );
      const long = await a.store.getExecution(tasks[1]!.executionId!);
      assert.equal(long?.status, 'abandoned');
      assert.equal(long?.error?.code, 'NRX_ERR_ABANDONED');
      assert.equal(done.status, 'succeeded', 'the failure path handled the abandoned task');
    } finally {
      await a.stop();
    }
  });

  test('an idempotent task in flight is re-run and the workflow completes on its success path', async () => {
    const { dataDir, id } = await startAndKill('demo.crash_idem', 1);
    const a = await restart(dataDir);
    try {
      const done = await a.engine.wait(id);
      const tasks = (await a.store.listTasks(id)).sort((x, y) => x.seq - y.seq);
      assert.deepEqual(
        tasks.map((t) => [t.taskName, t.status]),
        [
          ['first', 'succeeded'],
          ['long', 'succeeded'],
          ['done', 'succeeded'],
        ],
      );
      const long = await a.store.getExecution(tasks[1]!.executionId!);
      assert.ok(
        long?.log.some((l) => l.includes('re-run after restart')),
        'the execution says it was re-run',
      );
      assert.equal(done.status, 'succeeded');
    } finally {
      await a.stop();
    }
  });
});
