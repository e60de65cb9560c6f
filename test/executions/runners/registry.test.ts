import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NrxError } from '../../../src/core/errors.js';
import { ENGINE_RUNNERS, RunnerRegistry, builtinRunners } from '../../../src/executions/runners/registry.js';
import { NoopRunner } from '../../../src/executions/runners/noop.js';
import { testAction, testContext } from './helpers.js';

describe('runner registry', () => {
  test('builtin runners by runner_type; engine runners are not among them', () => {
    const reg = new RunnerRegistry(builtinRunners());
    assert.deepEqual(reg.list(), ['http-request', 'javascript', 'local-shell-cmd', 'local-shell-script', 'module', 'noop']);
    for (const t of ENGINE_RUNNERS) assert.equal(reg.get(t), undefined);
    assert.ok(ENGINE_RUNNERS.includes('orquesta') && ENGINE_RUNNERS.includes('action-chain') && ENGINE_RUNNERS.includes('inquiry'));
    assert.equal(reg.require('noop').runnerType, 'noop');
    assert.throws(() => reg.require('python-script'), (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_RUNNER_NOT_FOUND' && /python-script/.test(e.message));
  });

  test('noop succeeds with a null result', async () => {
    const a = testAction('noop');
    assert.deepEqual(await new NoopRunner().run(a, {}, testContext(a)), { status: 'succeeded', result: null });
  });
});
