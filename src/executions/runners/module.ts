import { pathToFileURL } from 'node:url';
import { isNrxError } from '../../core/errors.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';

export const MODULE_RUNNER: RunnerDeclaration = {
  runnerType: 'module',
  aliases: ['javascript'],
  parameters: {
    timeout: { type: 'integer', default: 600, description: 'Seconds before the action is abandoned.' },
  },
};

/** What a module action exports: `run(params, ctx)`, as a named or default export. */
export type ModuleActionFn = (params: Record<string, unknown>, ctx: RunContext) => unknown;

/**
 * Runs an action written as a JavaScript/TypeScript module in the pack (netreflex's answer
 * to python-script). The entry point exports `run(params, ctx)`; what it returns is the
 * result, what it throws fails the execution with its message. Production loads compiled
 * .js/.mjs; .ts entry points load only where tsx is registered (development, tests).
 * The code runs in-process: on timeout or cancel the execution ends at once and
 * `ctx.signal` is aborted so a well-behaved module stops its own work.
 */
export class ModuleRunner implements Runner {
  readonly runnerType = MODULE_RUNNER.runnerType;
  readonly aliases = MODULE_RUNNER.aliases;
  readonly parameters = MODULE_RUNNER.parameters;

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    if (!action.entryPoint) {
      return {
        status: 'failed',
        result: null,
        error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: a ${action.runnerType} action needs an entry_point (${action.file})` },
      };
    }
    let fn: ModuleActionFn;
    try {
      fn = await loadRun(action.entryPoint);
    } catch (e) {
      return {
        status: 'failed',
        result: null,
        error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: cannot load ${action.entryPoint}: ${(e as Error).message}` },
      };
    }

    const timeoutMs = typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout * 1000 : (action.timeoutMs ?? 600_000);
    // A ref'd timer (AbortSignal.timeout is unref'd): a pending action keeps the process alive.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    const { timeout: _t, ...actionParams } = params;
    const stop = new Promise<RunResultOk>((resolve) => {
      const onAbort = () =>
        resolve(
          timeout.signal.aborted || (isNrxError(ctx.signal.reason) && ctx.signal.reason.code === 'NRX_ERR_TIMEOUT')
            ? { status: 'timeout', result: null, error: { code: 'NRX_ERR_TIMEOUT', message: `action ${action.ref}: no result within ${timeoutMs / 1000} s` } }
            : { status: 'failed', result: null, error: { code: 'NRX_ERR_CANCELED', message: `action ${action.ref}: canceled` } },
        );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const work = (async (): Promise<RunResultOk> => {
      try {
        const result = await fn(actionParams, { ...ctx, signal });
        return { status: 'succeeded', result: result === undefined ? null : result };
      } catch (e) {
        const code = isNrxError(e) ? e.code : 'NRX_ERR_RUNNER_FAILED';
        return { status: 'failed', result: null, error: { code, message: e instanceof Error ? e.message : String(e) } };
      }
    })();
    try {
      return await Promise.race([work, stop]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function loadRun(file: string): Promise<ModuleActionFn> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const candidates = [mod.run, mod.default, (mod.default as Record<string, unknown> | undefined)?.run];
  const fn = candidates.find((c) => typeof c === 'function');
  if (!fn) throw new Error('the module exports no run(params, ctx) function (named `run` or default)');
  return fn as ModuleActionFn;
}
