import { NrxError } from '../../core/errors.js';
import type { Runner } from '../action.js';
import { HttpRequestRunner } from './http-request.js';
import { LocalShellRunner } from './local-shell-cmd.js';
import { ModuleRunner } from './module.js';
import { NoopRunner } from './noop.js';

export { ENGINE_RUNNERS } from './runner-parameters.js';

/** The runners this process can run actions with, by runner_type. */
export class RunnerRegistry {
  private readonly runners = new Map<string, Runner>();

  constructor(runners: Iterable<Runner> = []) {
    for (const r of runners) this.register(r);
  }

  /** Add a runner; a second runner for the same type replaces the first (tests, plugins). */
  register(runner: Runner): this {
    this.runners.set(runner.runnerType, runner);
    return this;
  }

  get(runnerType: string): Runner | undefined {
    return this.runners.get(runnerType);
  }

  has(runnerType: string): boolean {
    return this.runners.has(runnerType);
  }

  /** Like get, but an unknown type is an NRX_ERR_RUNNER_NOT_FOUND naming it. */
  require(runnerType: string): Runner {
    const r = this.runners.get(runnerType);
    if (!r) throw new NrxError('NRX_ERR_RUNNER_NOT_FOUND', `no runner '${runnerType}' (available: ${this.list().join(', ')})`);
    return r;
  }

  list(): string[] {
    return [...this.runners.keys()].sort();
  }
}

/** The runners shipped with netreflex. Workflow and inquiry runners live in the engine. */
export function builtinRunners(): Runner[] {
  return [
    new LocalShellRunner('local-shell-cmd'),
    new LocalShellRunner('local-shell-script'),
    new HttpRequestRunner(),
    new ModuleRunner('module'),
    new ModuleRunner('javascript'),
    new NoopRunner(),
  ];
}
