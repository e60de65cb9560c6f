import type { ActionSpec, ParamSpec, RunContext } from '../../../src/executions/action.js';

export function testAction(runnerType: string, parameters: Record<string, ParamSpec> = {}, extra: Partial<ActionSpec> = {}): ActionSpec {
  return {
    ref: `test.${runnerType}`,
    pack: 'test',
    name: runnerType,
    description: '',
    enabled: true,
    runnerType,
    entryPoint: null,
    parameters,
    idempotent: false,
    deviceLock: null,
    timeoutMs: null,
    file: '/p/test/actions/x.yaml',
    meta: {},
    ...extra,
  };
}

export function testContext(action: ActionSpec, signal: AbortSignal = new AbortController().signal): RunContext & { lines: string[] } {
  const lines: string[] = [];
  return { executionId: 'exec-1', action, signal, log: (l) => lines.push(l), traceId: null, lines };
}
