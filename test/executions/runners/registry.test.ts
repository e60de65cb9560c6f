import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NrxError } from '../../../src/core/errors.js';
import { RunnerRegistry, canonicalRunnerType, createRunners, declaredRunner, declaredRunners, kindOf } from '../../../src/executions/runners/registry.js';
import { NoopRunner } from '../../../src/executions/runners/noop.js';
import { testAction, testContext } from './helpers.js';

describe('runner registry', () => {
  const none = {} as never;
  const appliance = () =>
    createRunners({
      dataDir: '/nonexistent',
      kv: none,
      emit: async () => {},
      remoteHosts: none,
      cliDevices: none,
      netconfDevices: none,
      selectDevices: async () => [],
    });

  test('runners by runner_type or alias, workflow and inquiry runners among them; a missing one says why', () => {
    const reg = appliance();
    assert.equal(reg.get('javascript'), reg.get('module'));
    assert.equal(reg.get('orchestra'), reg.get('orquesta'));
    assert.equal(reg.get('inquirer')?.kind, 'inquiry');
    assert.equal(reg.require('noop').runnerType, 'noop');
    assert.throws(
      () => new RunnerRegistry([new NoopRunner()]).require('python-script'),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_RUNNER_NOT_FOUND' && /python-script/.test(e.message),
    );
    assert.throws(() => reg.require('mistral-v2'), /Mistral workflows are not supported/);
  });

  test('every runner type is declared once with its kind, aliases and parameters; aliases name the runner', () => {
    const all = declaredRunners();
    const names = all.flatMap((r) => [r.declaration.runnerType, ...r.declaration.aliases]);
    assert.equal(new Set(names).size, names.length, 'no name or alias twice');
    const kinds = Object.fromEntries(all.map((r) => [r.declaration.runnerType, r.kind]));
    assert.deepEqual(
      Object.entries(kinds)
        .filter(([, k]) => k !== 'action')
        .sort(),
      [
        ['action-chain', 'workflow'],
        ['inquiry', 'inquiry'],
        ['orquesta', 'workflow'],
      ],
    );
    for (const t of [
      'local-shell-cmd',
      'remote-shell-script',
      'python-script',
      'http-request',
      'module',
      'noop',
      'announcement',
      'cli',
      'cli-config',
      'getter',
      'netconf',
      'snmp',
    ])
      assert.equal(kinds[t], 'action', t);
    assert.equal(canonicalRunnerType('orchestra'), 'orquesta');
    assert.equal(canonicalRunnerType('inquirer'), 'inquiry');
    assert.equal(canonicalRunnerType('javascript'), 'module');
    assert.equal(canonicalRunnerType('mistral-v2'), 'mistral-v2', 'an unknown name stays as written');
    assert.equal(declaredRunner('inquirer')!.declaration.parameters.ttl!.default, 1440);
    // device runners declare the fan-out parameters too
    for (const t of ['cli', 'cli-config', 'getter', 'netconf', 'snmp'])
      assert.ok('on' in declaredRunner(t)!.declaration.parameters && 'device' in declaredRunner(t)!.declaration.parameters, t);
  });

  test('createRunners makes every declared runner, each carrying its declaration', () => {
    const reg = appliance();
    assert.deepEqual(
      reg.list(),
      declaredRunners()
        .map((r) => r.declaration.runnerType)
        .sort(),
    );
    for (const { declaration, kind } of declaredRunners()) {
      const r = reg.get(declaration.runnerType)!;
      assert.equal(kindOf(r), kind, declaration.runnerType);
      assert.deepEqual(
        { runnerType: r.runnerType, aliases: r.aliases, parameters: r.parameters },
        { runnerType: declaration.runnerType, aliases: declaration.aliases, parameters: declaration.parameters },
      );
    }
  });

  test("noop succeeds with StackStorm's result: succeeded, failed, return_code", async () => {
    const a = testAction('noop');
    // StackStorm's noop result, so a workflow's result().succeeded holds
    assert.deepEqual(await new NoopRunner().run(a, {}, testContext(a)), { status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0 } });
  });
});
