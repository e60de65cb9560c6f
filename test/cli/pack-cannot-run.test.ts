import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';

const PYTHON_PACKS = path.resolve('test/executions/fixtures/python-packs');
const CLI_MAIN = path.resolve('src/cli/main.ts');

describe('pack list and serve say which actions cannot run and why', () => {
  let live: LiveAppliance;
  let key: string;
  before(async () => {
    live = await liveAppliance();
    cpSync(path.join(PYTHON_PACKS, 'pyacts'), path.join(live.dataDir, 'packs', 'pyacts'), { recursive: true });
    live.appliance.reloadContent();
    key = (await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} })).key;
  });
  after(async () => {
    await live?.close();
  });

  test('netreflex pack list: a column with the count per runner, a note with the reasons', async () => {
    const r = await cli(['--url', live.url, '--api-key', key, 'pack', 'list'], { NO_COLOR: '1' });
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.split('\n')[0]!;
    assert.match(header, /^REF\s+VERSION\s+INSTALLED\s+ACTIONS\s+CANNOT RUN\s+DESCRIPTION$/);
    const row = r.stdout.split('\n').find((l) => l.startsWith('pyacts '));
    assert.match(row ?? '', /^pyacts\s+1\.0\.0\s+\S+\s+13\s+2 \(mistral-v2 x1, winrm-cmd x1\)\s+python-script actions/);
    assert.match(
      r.stderr,
      /note: pack pyacts: 2 of 13 actions cannot run: 1 uses mistral-v2 \(Mistral workflows are not supported.*port the workflow to orquesta\); 1 uses winrm-cmd \(Windows hosts over WinRM are not supported/,
    );
  });

  test('netreflex serve prints the same per pack when it starts', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-serve-cannot-run-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) env[k] = v;
    env.NETREFLEX_LOG_LEVEL = 'silent';
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI_MAIN, 'serve', '--data-dir', dataDir, '--packs-path', PYTHON_PACKS, '--no-api', '--no-sensors'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start within 30 s:\n${err}`)), 30_000);
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
          if (err.includes('waiting for events')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', () => reject(new Error(`serve exited:\n${err}`)));
      });
      assert.match(err, /^netreflex: pack pyacts: 2 of 13 actions cannot run: 1 uses mistral-v2 \(.*\); 1 uses winrm-cmd \(.*\)$/m);
      assert.doesNotMatch(err, /pack (examples|csv|networking_utils):/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
