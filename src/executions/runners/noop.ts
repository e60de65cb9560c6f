import type { ActionSpec, Runner, RunContext, RunResultOk } from '../action.js';

/** StackStorm's noop runner (core.noop): succeeds at once, result null. */
export class NoopRunner implements Runner {
  readonly runnerType = 'noop';

  async run(_action: ActionSpec, _params: Record<string, unknown>, _ctx: RunContext): Promise<RunResultOk> {
    return { status: 'succeeded', result: null };
  }
}
