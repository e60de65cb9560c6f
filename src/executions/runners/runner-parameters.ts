import type { ParamSpec } from '../action.js';
import { declaredRunner, declaredRunners } from './registry.js';

// Until the engine and the appliance ask the runner registry: the lists they read, derived from it.

export const RUNNER_PARAMETERS: Readonly<Record<string, Readonly<Record<string, ParamSpec>>>> = Object.fromEntries(declaredRunners().map((r) => [r.declaration.runnerType, r.declaration.parameters]));

/** The workflow and inquiry runners the engine runs itself. */
export const ENGINE_RUNNERS: readonly string[] = declaredRunners().flatMap((r) => (r.kind === 'action' ? [] : [r.declaration.runnerType, ...r.declaration.aliases]));

export { WORKFLOW_RUNNERS } from '../../workflows/driver.js';

export function runnerParameters(runnerType: string): Readonly<Record<string, ParamSpec>> {
  return declaredRunner(runnerType)?.declaration.parameters ?? {};
}
