import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli } from './cli-harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-cli-completion-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('netreflex completion', () => {
  let script: string;
  before(async () => {
    const r = await cli(['completion', 'bash']);
    assert.equal(r.code, 0, r.stderr);
    script = path.join(tmp, 'netreflex.bash');
    writeFileSync(script, r.stdout);
  });

  /** What bash offers after these words, with the generated function. */
  function complete(words: string[]): string[] {
    const line = `source ${JSON.stringify(script)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _netreflex; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', cwd: tmp });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  test('bash: commands, subcommands and options come from the command tree', () => {
    const top = complete(['netreflex', '']);
    for (const c of ['inventory', 'execution', 'event', 'rule', 'key', 'pack', 'inquiry', 'login', 'run', 'completion'])
      assert.ok(top.includes(c), `top level offers ${c}`);
    assert.deepEqual(complete(['netreflex', 'inventory', 'p']), ['preview']);
    assert.deepEqual(complete(['netreflex', 'execution', 't']), ['tail']);
    assert.deepEqual(complete(['netreflex', 'key', 'set', 'x', '--enc']), ['--encrypt']);
    // global options after a subcommand, and an option value that is not a command
    assert.ok(complete(['netreflex', '--url', 'http://x', 'execution', 'list', '--']).includes('--status'));
    assert.ok(complete(['netreflex', 'execution', 'list', '--']).includes('--url'));
  });

  test('zsh: a compdef script with the subcommands and their descriptions', async () => {
    const r = await cli(['completion', 'zsh']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#compdef netreflex/);
    const inventory = r.stdout.split("\n    'inventory')\n")[1]!.split(' ;;')[0]!;
    assert.match(inventory, /subs=\(.*'preview:which devices a filter selects/);
    assert.match(inventory, /opts=\(.*'--url:appliance API URL/);
    assert.ok(!inventory.includes('--version'));
    const zsh = spawnSync('zsh', ['-n'], { input: r.stdout, encoding: 'utf8' });
    if (!zsh.error) assert.equal(zsh.status, 0, zsh.stderr);
  });

  test('an unknown shell is a usage error', async () => {
    const r = await cli(['completion', 'fish']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NRX_ERR_USAGE.*bash or zsh/);
  });
});
