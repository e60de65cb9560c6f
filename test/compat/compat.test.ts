/**
 * The StackStorm compatibility suite: StackStorm's examples pack, orquesta's native test
 * workflows and StackStorm Exchange network packs (fixtures/, each file naming its source),
 * run with their actions rehearsed. It prints the share that ends as StackStorm does and holds
 * it at 90% or more; the cases that differ today are listed below with the reason.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CASES, type Case } from './cases.js';
import { actionDefaults, FIXTURES, loadFixturePacks, runChain, runOrquesta, type Outcome } from './harness.js';

/** Cases that do not end as in StackStorm today, and why. */
const TOLERATED: Record<string, string> = {
  // netreflex's shell-command safety (docs/security.md): arithmetic evaluates its text as an expression, which can run commands
  'examples tests/orquesta-test-with-items-failure': 'a template inside $((...)) arithmetic in a cmd is refused at load',
  // language differences
  'examples orquesta-with-items': "a with-items task's result is the list of item results; StackStorm gives {items: [{status, result}]}",
  'examples orquesta-with-items-concurrency': "a with-items task's result is the list of item results; StackStorm gives {items: [{status, result}]}",
  // expressions (YAQL / orquesta context functions: another change in progress)
  'examples tests/orquesta-fail-task-publish': 'result().value on a result without it gives null instead of failing the expression',
  'examples tests/orquesta-fail-task-transition': 'result().value on a result without it gives null instead of failing the expression',
};

function run(c: Case): Outcome | 'refused' {
  const file = path.join(FIXTURES, c.file);
  const defaults = c.pack ? actionDefaults(path.join(FIXTURES, 'packs', c.pack), path.relative(path.join(FIXTURES, 'packs', c.pack, 'actions'), file)) : {};
  const input = { ...defaults, ...(c.input ?? {}) };
  try {
    return c.kind === 'chain' ? runChain(file, input, c.script) : runOrquesta(file, input, c.script);
  } catch {
    return 'refused';
  }
}

/** What differs from StackStorm, in one line; null when it ends the same way. */
function difference(c: Case, got: Outcome | 'refused'): string | null {
  if (got === 'refused') return c.expect.status === 'refused' ? null : 'refused at load';
  if (c.expect.status === 'refused') return `ran (${got.status}) where StackStorm refuses the file`;
  if (got.status !== c.expect.status) return `${got.status}, StackStorm ${c.expect.status}${got.errors.length ? ` (${got.errors[0]!.slice(0, 200)})` : ''}`;
  const sorted = (l: readonly string[]): string => [...l].sort().join(',');
  if (sorted(got.tasks) !== sorted(c.expect.tasks)) return `tasks ${got.tasks.join(',')}; StackStorm ${c.expect.tasks.join(',')}`;
  for (const [k, v] of Object.entries(c.expect.output ?? {}))
    if (JSON.stringify(got.output?.[k]) !== JSON.stringify(v)) return `output ${k} ${JSON.stringify(got.output?.[k])}, StackStorm ${JSON.stringify(v)}`;
  return null;
}

test('StackStorm workflows and chains end with the status and task sequence StackStorm produces (>= 90%)', () => {
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  for (const name of Object.keys(TOLERATED))
    assert.ok(
      CASES.some((c) => c.name === name),
      `tolerated case '${name}' exists`,
    );
  const failures: string[] = [];
  const nowPassing: string[] = [];
  let same = 0;
  for (const c of CASES) {
    const diff = difference(c, run(c));
    if (diff === null) {
      same++;
      if (TOLERATED[c.name]) nowPassing.push(c.name);
    } else if (TOLERATED[c.name]) process.stdout.write(`# tolerated: ${c.name}: ${diff} -- ${TOLERATED[c.name]}\n`);
    else failures.push(`${c.name}: ${diff}`);
  }
  const share = (100 * same) / CASES.length;
  process.stdout.write(`# StackStorm compatibility: ${same} of ${CASES.length} workflows and chains end as in StackStorm (${share.toFixed(1)}%)\n`);
  for (const n of nowPassing) process.stdout.write(`# now ends as in StackStorm, take it off the tolerated list: ${n}\n`);
  assert.deepEqual(failures, [], 'cases not on the tolerated list must end as in StackStorm');
  assert.ok(share >= 90, `compatibility ${share.toFixed(1)}% is below 90%`);
});

test('every action file of the fixture packs loads as runnable or is reported at load as not runnable, with the reason', () => {
  const packs = loadFixturePacks(['examples', 'napalm', 'orion']);
  for (const [name, r] of packs) {
    assert.equal(r.runnable.length + r.notRunnable.length + r.refused.length, r.files, `${name}: every action file is accounted for`);
    for (const u of r.notRunnable) assert.match(u.reason, /\S+: .{10,}/, `${u.action} says why it cannot run`);
    assert.deepEqual(r.refused, [], `${name}: no action file fails to load`);
  }
  const examples = packs.get('examples')!;
  assert.equal(examples.files, 117);
  assert.deepEqual(examples.notRunnable.map((u) => u.action).sort(), [
    'examples.winrm_get_ipconfig',
    'examples.winrm_get_uptime',
    'examples.winrm_powershell_env',
  ]);
  assert.ok(examples.notRunnable.every((u) => /WinRM are not supported/.test(u.reason)));
  assert.deepEqual(
    packs.get('napalm')!.notRunnable.map((u) => u.action),
    ['napalm.interface_down_workflow'],
  );
  assert.match(packs.get('napalm')!.notRunnable[0]!.reason, /^mistral-v2: /);
  assert.deepEqual(packs.get('orion')!.runnable, ['orion.drain_poller']);
});
