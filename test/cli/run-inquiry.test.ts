import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI_MAIN } from './cli-harness.js';

// A workflow that asks a human (core.ask) before it changes anything, run in the CLI's own process.
const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-ask-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const packs = path.join(tmp, 'packs');
mkdirSync(path.join(packs, 'change', 'actions', 'workflows'), { recursive: true });
writeFileSync(path.join(packs, 'change', 'pack.yaml'), 'ref: change\nname: change\nversion: 0.1.0\ndescription: approval test pack\n');
writeFileSync(
  path.join(packs, 'change', 'actions', 'approved_change.yaml'),
  'name: approved_change\nrunner_type: orquesta\nentry_point: workflows/approved_change.yaml\nenabled: true\nparameters: {}\n',
);
writeFileSync(
  path.join(packs, 'change', 'actions', 'workflows', 'approved_change.yaml'),
  `version: 1.0
tasks:
  approve:
    action: core.ask
    input:
      schema:
        type: object
        properties:
          continue: { type: boolean, required: true }
    next: [{ when: <% succeeded() %>, do: apply }]
  apply:
    action: core.noop
`,
);

function cli(args: string[], dataDir: string): { code: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('NETREFLEX_')));
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI_MAIN, ...args], {
    encoding: 'utf8',
    env: { ...env, XDG_CONFIG_HOME: path.join(tmp, 'config'), NETREFLEX_DATA_DIR: dataDir, NETREFLEX_PACKS_PATH: packs, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('netreflex run stops at core.ask and says how to answer', () => {
  test('--json: the inquiry id, its status pending and the respond command; exit 5', () => {
    const dataDir = path.join(tmp, 'json');
    const r = cli(['run', 'change.approved_change', '--json'], dataDir);
    assert.equal(r.code, 5, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.waiting_for, 'inquiry');
    assert.equal(out.inquiries.length, 1);
    const q = out.inquiries[0];
    assert.equal(q.status, 'pending');
    assert.equal(q.task, 'approve');
    assert.equal(q.respond, `netreflex inquiry respond ${q.id} continue=true`);
    assert.deepEqual(
      out.tasks.map((t: { name: string; status: string }) => `${t.name}:${t.status}`),
      ['approve:pending'],
    );
    // the inquiry stays pending in the data directory, for the appliance to take up
    const get = cli(['execution', 'get', q.id, '--json'], dataDir);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(JSON.parse(get.stdout).status, 'pending');
  });

  test('text: names the inquiry and prints the serve and respond commands', () => {
    const r = cli(['run', 'change.approved_change'], path.join(tmp, 'text'));
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /waiting for an answer \(core\.ask\):\n  inquiry [0-9a-z]{26}  task approve  pending  fields: continue/);
    assert.match(r.stdout, /netreflex serve --data-dir \S+/);
    assert.match(r.stdout, /netreflex inquiry respond [0-9a-z]{26} continue=true/);
  });
});
