import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LocalShellRunner } from '../../../src/executions/runners/local-shell-cmd.js';
import { lookupUser } from '../../../src/executions/runners/run-as.js';
import { testAction, testContext } from './helpers.js';

const isRoot = process.getuid?.() === 0;

// A pack installed through the API lives under the 0700 data directory, out of the runner user's reach.
test(
  'a local-shell-script of a pack inside a 0700 data directory runs as the unprivileged runner user',
  { skip: isRoot ? false : 'needs root: only a root appliance switches users' },
  async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nrx-runas-'));
    chmodSync(dataDir, 0o700);
    try {
      const actions = path.join(dataDir, 'packs', 'ops', 'actions');
      mkdirSync(actions, { recursive: true });
      const script = path.join(actions, 'whoami.sh');
      writeFileSync(script, '#!/bin/sh\necho "uid=$(id -u) arg=$1"\n', { mode: 0o700 });
      const runner = new LocalShellRunner('local-shell-script', { runAs: lookupUser('nobody') });
      const action = testAction(
        'local-shell-script',
        { device: { type: 'string', position: 0 } },
        { pack: 'ops', entryPoint: script, file: path.join(actions, 'whoami.yaml') },
      );
      const r = await runner.run(action, { device: 'leaf1' }, testContext(action));
      const out = r.result as { stdout: string; stderr: string; succeeded: boolean };
      assert.equal(out.succeeded, true, out.stderr);
      assert.equal(out.stdout, `uid=${lookupUser('nobody').uid} arg=leaf1`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
