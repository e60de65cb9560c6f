import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';

export const NOOP_RUNNER: RunnerDeclaration = { runnerType: 'noop', aliases: [], parameters: {} };

/**
 * StackStorm's noop runner (core.noop): succeeds at once with StackStorm's result shape, so a
 * workflow's `result().succeeded` or `result().return_code` reads as it does there.
 */
export class NoopRunner implements Runner {
  readonly runnerType = NOOP_RUNNER.runnerType;
  readonly aliases = NOOP_RUNNER.aliases;
  readonly parameters = NOOP_RUNNER.parameters;

  async run(_action: ActionSpec, _params: Record<string, unknown>, _ctx: RunContext): Promise<RunResultOk> {
    return { status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0 } };
  }
}
