/** Stopping by pidfile touches only the program the file names; runs without root. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRunning, pidfilePath, stopAllRecorded } from './pids.js';

test('stopAllRecorded stops recorded processes and leaves a pid running another program alone', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nrx-pids-'));
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    assert.ok(sleeper.pid && bystander.pid);
    writeFileSync(pidfilePath(dir, 'a', 'sleep'), `${sleeper.pid}\n`);
    // a stale pidfile whose pid now runs something else (here: sleep, but recorded as bgpd)
    writeFileSync(pidfilePath(dir, 'b', 'bgpd'), `${bystander.pid}\n`);
    const exited = new Promise((r) => sleeper.once('exit', r));
    const stopped = await stopAllRecorded(dir);
    await exited;
    assert.deepEqual(stopped, [`a.sleep[${sleeper.pid}]`]);
    assert.equal(isRunning(bystander.pid, 'sleep'), true);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    sleeper.kill('SIGKILL');
    bystander.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
