import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NrxError } from '../../../src/core/errors.js';
import { RunnerRegistry, builtinRunners, canonicalRunnerType, declaredRunner, declaredRunners } from '../../../src/executions/runners/registry.js';
import { NoopRunner } from '../../../src/executions/runners/noop.js';
import { testAction, testContext } from './helpers.js';

describe('runner registry', () => {
  test('builtin runners by runner_type; an alias finds its runner; engine runners are not among them', () => {
    const reg = new RunnerRegistry(builtinRunners());
    assert.deepEqual(reg.list(), ['http-request', 'local-shell-cmd', 'local-shell-script', 'module', 'noop']);
    assert.equal(reg.get('javascript'), reg.get('module'));
    for (const t of ['orquesta', 'action-chain', 'inquiry']) assert.equal(reg.get(t), undefined);
    assert.equal(reg.require('noop').runnerType, 'noop');
    assert.throws(() => reg.require('python-script'), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_RUNNER_NOT_FOUND' && /python-script/.test(e.message));
  });

  test('every runner type is declared once with its kind, aliases and parameters; aliases name the runner', () => {
    const all = declaredRunners();
    const names = all.flatMap((r) => [r.declaration.runnerType, ...r.declaration.aliases]);
    assert.equal(new Set(names).size, names.length, 'no name or alias twice');
    const kinds = Object.fromEntries(all.map((r) => [r.declaration.runnerType, r.kind]));
    assert.deepEqual(
      Object.entries(kinds).filter(([, k]) => k !== 'action').sort(),
      [['action-chain', 'workflow'], ['inquiry', 'inquiry'], ['orquesta', 'workflow']],
    );
    for (const t of ['local-shell-cmd', 'remote-shell-script', 'python-script', 'http-request', 'module', 'noop', 'announcement', 'cli', 'cli-config', 'getter', 'netconf', 'snmp']) assert.equal(kinds[t], 'action', t);
    assert.equal(canonicalRunnerType('orchestra'), 'orquesta');
    assert.equal(canonicalRunnerType('inquirer'), 'inquiry');
    assert.equal(canonicalRunnerType('javascript'), 'module');
    assert.equal(canonicalRunnerType('mistral-v2'), 'mistral-v2', 'an unknown name stays as written');
    assert.equal(declaredRunner('inquirer')!.declaration.parameters.ttl!.default, 1440);
    // device runners declare the fan-out parameters too
    for (const t of ['cli', 'cli-config', 'getter', 'netconf', 'snmp']) assert.ok('on' in declaredRunner(t)!.declaration.parameters && 'device' in declaredRunner(t)!.declaration.parameters, t);
  });

  test('a runner carries its declaration', () => {
    for (const r of builtinRunners()) assert.deepEqual({ aliases: r.aliases, parameters: r.parameters }, { aliases: declaredRunner(r.runnerType)!.declaration.aliases, parameters: declaredRunner(r.runnerType)!.declaration.parameters }, r.runnerType);
  });

  test('noop succeeds with a null result', async () => {
    const a = testAction('noop');
    assert.deepEqual(await new NoopRunner().run(a, {}, testContext(a)), { status: 'succeeded', result: null });
  });
});
