import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { mayChooseCommands } from '../../../src/api/shell-access.js';
import { Appliance } from '../../../src/appliance.js';
import { loadConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { parseYaml } from '../../../src/core/yaml.js';
import { parseOrquesta } from '../../../src/workflows/orquesta/spec.js';
import { ok, Rehearsal, type RunTaskCmd } from './rehearsal.js';

// StackStorm's examples hand a whole command line to core.local: cmd: <% ctx(cmd) %>.
const WF = (cmd = '<% ctx(cmd) %>', extra = ''): string => `version: 1.0
input:
  - cmd
  - host: leaf1
tasks:
  run_cmd:
    action: core.local
    input:
      cmd: ${cmd}
      timeout: 60
${extra}`;

const sent = (r: Rehearsal): RunTaskCmd[] => r.commands.filter((c): c is RunTaskCmd => c.kind === 'runTask');

describe('a cmd that is a workflow input, whole', () => {
  test('loads (the input is declared); any other template in a cmd keeps its load-time checks', () => {
    assert.deepEqual(parseOrquesta(parseYaml(WF(), 'wf.yaml')).commandInputs, ['cmd']);
    assert.deepEqual(parseOrquesta(parseYaml(WF('"{{ ctx().cmd }}"'), 'wf.yaml')).commandInputs, ['cmd']);
    // not an input: still the command-name refusal, at load, naming the field
    assert.throws(
      () => parseOrquesta(parseYaml(WF('<% ctx(other) %>'), 'wf.yaml')),
      (e: Error) => /tasks\.run_cmd\.input\.cmd/.test(e.message) && /choose the command/.test(e.message),
    );
  });

  test('runs as the command line when an operator who may choose commands started the run', () => {
    const r = new Rehearsal(WF());
    r.start({ cmd: 'ip -br link | grep -c UP' }, {}, { trustedCommands: true });
    assert.equal(sent(r)[0]!.input.cmd, 'ip -br link | grep -c UP');
    assert.equal(sent(r)[0]!.input.timeout, 60, 'the other input is rendered as usual');
    r.play();
    assert.equal(r.status(), 'succeeded');
  });

  test('a run a rule or a user without the grant started is refused with NRX_ERR_FORBIDDEN naming the field', () => {
    const r = new Rehearsal(WF());
    r.start({ cmd: 'reboot' });
    assert.equal(sent(r).length, 0, 'nothing runs');
    assert.equal(r.status(), 'failed');
    const e = r.completed!.errors[0]!;
    assert.equal(e.code, 'NRX_ERR_FORBIDDEN');
    assert.match(e.message, /tasks\.run_cmd\.input\.cmd/);
    assert.match(e.message, /shell grant/);
  });

  test("a literal default from the workflow file runs (the pack is the operator's)", () => {
    const r = new Rehearsal(WF().replace('  - cmd\n', '  - cmd: uptime\n'));
    r.start();
    assert.equal(sent(r)[0]!.input.cmd, 'uptime');
  });

  test('a value a task published over the input is refused: only what the operator gave runs', () => {
    const r = new Rehearsal(`version: 1.0
input: [cmd]
tasks:
  read:
    action: core.noop
    next: [{ publish: 'cmd=<% result().stdout %>', do: run_cmd }]
  run_cmd:
    action: core.local
    input: { cmd: <% ctx(cmd) %> }
`);
    r.start({ cmd: 'uptime' }, {}, { trustedCommands: true });
    r.play({ read: [ok({ stdout: 'rm -rf /srv' })] });
    assert.equal(r.status(), 'failed');
    assert.match(r.completed!.errors[0]!.message, /a publish changed/);
    assert.equal(sent(r).filter((c) => c.taskName === 'run_cmd').length, 0);
  });

  test('a template that is part of a cmd stays a quoted shell variable', () => {
    const r = new Rehearsal(WF('ping -c1 <% ctx(host) %>'));
    r.start({ cmd: 'x', host: 'leaf1; reboot' }, {}, { trustedCommands: true });
    const cmd = String(sent(r)[0]!.input.cmd);
    assert.match(cmd, /^NRX_V1='leaf1; reboot'\nping -c1 "\$\{NRX_V1\}"$/);
  });
});

describe('who is trusted with a whole command (the engine)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'nrx-wholecmd-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const pack = path.join(root, 'packs', 'ops');
  mkdirSync(path.join(pack, 'actions', 'workflows'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: ops\nname: ops\nversion: 0.1.0\n');
  writeFileSync(
    path.join(pack, 'actions', 'run_cmd.yaml'),
    'name: run_cmd\nrunner_type: orquesta\nentry_point: workflows/run_cmd.yaml\nparameters:\n  cmd: { type: string, required: true }\n',
  );
  writeFileSync(
    path.join(pack, 'actions', 'workflows', 'run_cmd.yaml'),
    'version: 1.0\ninput: [cmd]\ntasks:\n  run_cmd:\n    action: core.local\n    input: { cmd: <% ctx(cmd) %> }\noutput:\n  - out: <% task(run_cmd).result.stdout %>\n',
  );

  test('granted and direct: the command line runs; from a rule (event data) it does not', async () => {
    const a = new Appliance({ config: loadConfig({ dataDir: path.join(root, 'data'), packsPaths: [path.join(root, 'packs')] }, {}), log: silentLogger });
    try {
      await a.start();
      const granted = await a.engine.run('ops.run_cmd', { cmd: 'echo one; echo two' }, { user: 'admin', shellGranted: true });
      assert.equal(granted.status, 'succeeded', JSON.stringify(granted.error));
      assert.equal((granted.result as { output: { out: string } }).output.out, 'one\ntwo');
      const fromRule = await a.engine.run('ops.run_cmd', { cmd: 'echo one; echo two' }, { user: 'admin', shellGranted: true, ruleRef: 'ops.on_event' });
      assert.equal(fromRule.status, 'failed');
      assert.match(JSON.stringify(fromRule.error), /NRX_ERR_FORBIDDEN/);
      const notGranted = await a.engine.run('ops.run_cmd', { cmd: 'echo one; echo two' }, { user: 'op' });
      assert.equal(notGranted.status, 'failed', 'a run without the grant does not execute the command line');
      // the API marks a run granted for an admin or the shell grant on the workflow's pack only
      const flow = a.engine.actions.get('ops.run_cmd')!;
      const operator = { user: 'op', role: 'operator' as const, grants: {}, via: 'api_key' as const };
      assert.equal(mayChooseCommands(operator, flow), false);
      assert.equal(mayChooseCommands({ ...operator, grants: { shell: ['core'] } }, flow), false);
      assert.equal(mayChooseCommands({ ...operator, grants: { shell: ['ops'] } }, flow), true);
      assert.equal(mayChooseCommands({ ...operator, role: 'admin' }, flow), true);
    } finally {
      await a.stop();
    }
  });
});
