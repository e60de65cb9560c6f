import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolvePacksPaths } from '../../src/core/config.js';
import { loadPacks } from '../../src/packs/pack-loader.js';

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function makeTree(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'nrx-packs-'));
  const p = path.join(base, 'netops');
  write(path.join(p, 'pack.yaml'), 'ref: netops\nname: Network operations\ndescription: test pack\nversion: 0.1.0\n');
  write(
    path.join(p, 'actions', 'show_bgp.yaml'),
    [
      'name: show_bgp',
      'runner_type: local-shell-script',
      'entry_point: scripts/show_bgp.sh',
      'idempotent: true',
      'timeout: 2m',
      'device_lock: true',
      'parameters:',
      '  device:',
      '    type: string',
      '    required: true',
      '  vrf:',
      '    type: string',
      '    default: default',
      '',
    ].join('\n'),
  );
  write(path.join(p, 'actions', 'scripts', 'show_bgp.sh'), '#!/bin/sh\necho ok\n');
  // A workflow file under actions/workflows is an entry point, never action metadata.
  write(path.join(p, 'actions', 'workflows', 'remediate.yaml'), 'version: 1.0\ntasks: {}\n');
  write(
    path.join(p, 'actions', 'remediate.yaml'),
    'name: remediate\nrunner_type: orquesta\nentry_point: workflows/remediate.yaml\ndevice_lock: {parameter: switch, on_conflict: fail}\nparameters:\n  switch:\n    type: string\n',
  );
  write(path.join(p, 'actions', 'bad_yaml.yaml'), 'name: bad\nrunner_type: [unclosed\n');
  write(path.join(p, 'actions', 'no_runner.yaml'), 'name: no_runner\ndescription: forgot the runner\n');
  write(path.join(p, 'actions', 'missing_entry.yaml'), 'name: missing_entry\nrunner_type: module\nentry_point: nowhere.mjs\n');
  write(path.join(p, 'actions', 'bad_param.yaml'), 'name: bad_param\nrunner_type: noop\nparameters:\n  count:\n    type: integr\n');
  write(path.join(p, 'rules', 'bgp_down.yaml'), 'name: bgp_down\ntrigger:\n  type: network.bgp\naction:\n  ref: netops.show_bgp\n');
  write(path.join(p, 'rules', 'broken.yaml'), 'name: [\n');
  write(
    path.join(p, 'policies', 'retry.yaml'),
    'name: show_bgp.retry\nresource_ref: netops.show_bgp\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  max_retry_count: 3\n  delay: 5\n',
  );
  write(path.join(p, 'policies', 'bad.yaml'), 'name: bad\nresource_ref: netops.show_bgp\npolicy_type: action.unknown\n');
  write(path.join(p, 'maintenance', 'window.yaml'), 'name: nightly\n');
  // A folder without pack.yaml is not a pack.
  write(path.join(base, 'not_a_pack', 'actions', 'x.yaml'), 'name: x\nrunner_type: noop\n');
  return base;
}

describe('loadPacks', () => {
  test('good files load, each bad file becomes an error naming file, line and field', () => {
    const base = makeTree();
    const c = loadPacks([base]);
    assert.deepEqual(
      c.packs.map((p) => p.ref),
      ['netops'],
    );
    assert.deepEqual([...c.actions.keys()].sort(), ['netops.remediate', 'netops.show_bgp']);

    const show = c.actions.get('netops.show_bgp')!;
    assert.equal(show.runnerType, 'local-shell-script');
    assert.equal(show.entryPoint, path.join(base, 'netops', 'actions', 'scripts', 'show_bgp.sh'));
    assert.equal(show.idempotent, true);
    assert.equal(show.timeoutMs, 120_000);
    assert.deepEqual(show.deviceLock, { parameter: 'device', onConflict: 'wait' });
    assert.equal(show.parameters.vrf!.default, 'default');
    assert.deepEqual(c.actions.get('netops.remediate')!.deviceLock, { parameter: 'switch', onConflict: 'fail' });

    assert.equal(c.ruleSources.length, 1);
    assert.equal(c.ruleSources[0]!.pack, 'netops');
    assert.equal((c.ruleSources[0]!.source.doc as { name: string }).name, 'bgp_down');
    assert.equal(c.maintenanceSources.length, 1);
    assert.equal(c.policies.length, 1);
    assert.equal(c.policies[0]!.ref, 'netops.show_bgp.retry');

    const byFile = new Map(c.errors.map((e) => [path.basename(e.location.file ?? ''), e]));
    assert.equal(c.errors.length, 6, c.errors.map((e) => e.message).join('\n'));
    const yamlErr = byFile.get('bad_yaml.yaml')!;
    assert.equal(yamlErr.code, 'NRX_ERR_YAML_SYNTAX');
    assert.equal(typeof yamlErr.location.line, 'number');
    const noRunner = byFile.get('no_runner.yaml')!;
    assert.equal(noRunner.code, 'NRX_ERR_SPEC_INVALID');
    assert.equal(noRunner.location.field, 'runner_type');
    const missing = byFile.get('missing_entry.yaml')!;
    assert.equal(missing.location.field, 'entry_point');
    assert.equal(missing.location.line, 3);
    assert.match(missing.message, /nowhere\.mjs/);
    const badParam = byFile.get('bad_param.yaml')!;
    assert.equal(badParam.location.field, 'parameters.count.type');
    assert.equal(badParam.location.line, 5);
    assert.equal(byFile.get('broken.yaml')!.code, 'NRX_ERR_YAML_SYNTAX');
    const badPolicy = byFile.get('bad.yaml')!;
    assert.equal(badPolicy.location.field, 'policy_type');
    assert.equal(badPolicy.location.line, 3);
  });

  test('a base path that is itself a pack loads', () => {
    const base = makeTree();
    const c = loadPacks([path.join(base, 'netops')]);
    assert.deepEqual(
      c.packs.map((p) => p.ref),
      ['netops'],
    );
    assert.ok(c.actions.has('netops.show_bgp'));
  });

  test('NETREFLEX_PACKS_PATH order: the first path holding a pack wins, with a warning', () => {
    const first = mkdtempSync(path.join(tmpdir(), 'nrx-first-'));
    const second = mkdtempSync(path.join(tmpdir(), 'nrx-second-'));
    for (const [base, desc] of [
      [first, 'mine'],
      [second, 'theirs'],
    ] as const) {
      write(path.join(base, 'core', 'pack.yaml'), `name: core\ndescription: ${desc}\n`);
      write(path.join(base, 'core', 'actions', 'noop.yaml'), `name: noop\nrunner_type: noop\ndescription: ${desc}\n`);
    }
    const paths = resolvePacksPaths({ NETREFLEX_PACKS_PATH: `${first}:${second}` });
    assert.equal(paths[0], first);
    const c = loadPacks(paths);
    const core = c.packs.filter((p) => p.ref === 'core');
    assert.equal(core.length, 1);
    assert.equal(core[0]!.description, 'mine');
    assert.equal(c.actions.get('core.noop')!.description, 'mine');
    assert.ok(
      c.warnings.some((w) => w.includes(second)),
      c.warnings.join('\n'),
    );
    // The shipped core pack was shadowed as well.
    assert.ok(
      c.warnings.some((w) => w.includes(path.join('packs', 'core'))),
      c.warnings.join('\n'),
    );
  });

  test('a missing base path is a warning; a bad pack.yaml is an error and its content is skipped', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'nrx-badpack-'));
    write(path.join(base, 'weird', 'pack.yaml'), 'name: Has Spaces\n');
    write(path.join(base, 'weird', 'actions', 'a.yaml'), 'name: a\nrunner_type: noop\n');
    const c = loadPacks([path.join(base, 'nope'), base]);
    assert.equal(c.packs.length, 0);
    assert.equal(c.actions.size, 0);
    assert.equal(c.errors.length, 1);
    assert.equal(c.errors[0]!.location.field, 'name');
    assert.match(c.errors[0]!.message, /ref/);
    assert.equal(c.warnings.length, 1);
  });

  test('an action whose pack field disagrees with its folder is an error', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'nrx-packfield-'));
    write(path.join(base, 'p1', 'pack.yaml'), 'name: p1\n');
    write(path.join(base, 'p1', 'actions', 'a.yaml'), 'name: a\npack: p2\nrunner_type: noop\n');
    write(path.join(base, 'p1', 'actions', 'b.yaml'), 'name: a\nrunner_type: noop\n');
    write(path.join(base, 'p1', 'actions', 'c.yaml'), 'name: a\nrunner_type: noop\n');
    const c = loadPacks([base]);
    assert.equal(c.errors.length, 2);
    assert.equal(c.errors[0]!.location.field, 'pack');
    assert.match(c.errors[1]!.message, /defined twice/);
    assert.equal(c.actions.get('p1.a')!.file, path.join(base, 'p1', 'actions', 'b.yaml'));
  });
});
