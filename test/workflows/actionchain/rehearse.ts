// Drives the ActionChain conductor with scripted task results (no I/O), checking at every
// step that the state is JSON-safe and that a JSON round-trip of it conducts identically.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYamlFile } from '../../../src/core/yaml-file.js';
import type { ConductorCommand, ConductorEvent, Step, TaskOutcome } from '../../../src/workflows/conductor.js';
import { actionChainConductor } from '../../../src/workflows/actionchain/conductor.js';
import { parseActionChain, type ChainSpec } from '../../../src/workflows/actionchain/spec.js';
import type { ChainState } from '../../../src/workflows/actionchain/state.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function loadChain(name: string): ChainSpec {
  return parseActionChain(loadYamlFile(path.join(FIXTURES, name)));
}

export type RunTask = Extract<ConductorCommand, { kind: 'runTask' }>;
export type Complete = Extract<ConductorCommand, { kind: 'complete' }>;
export interface Scripted {
  status: TaskOutcome;
  result?: unknown;
  error?: { code: string; message: string };
}
/** Outcome of a run by task key or node name; nodes not listed succeed with `{}`. */
export type Script = Record<string, Scripted> | ((task: RunTask) => Scripted);

export function roundTrip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Feed one event to both the state and its JSON round-trip; they must agree. */
export function stepChecked(spec: ChainSpec, state: ChainState, event: ConductorEvent): Step<ChainState> {
  const a = actionChainConductor.step(spec, state, event);
  const b = actionChainConductor.step(spec, roundTrip(state), event);
  assert.deepEqual(roundTrip(a.state), a.state, 'state must be JSON-safe');
  assert.deepEqual(b, a, 'a JSON round-tripped state must conduct the same');
  return a;
}

export interface Rehearsal {
  state: ChainState;
  runs: RunTask[];
  complete: Complete | undefined;
}

export function rehearse(spec: ChainSpec, input: Record<string, unknown>, script: Script, env: Record<string, unknown> = {}, maxSteps = 100): Rehearsal {
  const first = actionChainConductor.start(spec, input, 0, env);
  assert.deepEqual(roundTrip(first.state), first.state, 'start state must be JSON-safe');
  return drive(spec, first, script, maxSteps);
}

/** Answer every runTask in `step` from the script until the chain completes or stops asking. */
export function drive(spec: ChainSpec, step: Step<ChainState>, script: Script, maxSteps = 100): Rehearsal {
  const runs: RunTask[] = [];
  let state = step.state;
  let commands = step.commands;
  for (let n = 0; n < maxSteps; n++) {
    const complete = commands.find((c): c is Complete => c.kind === 'complete');
    if (complete) return { state, runs, complete };
    const run = commands.find((c): c is RunTask => c.kind === 'runTask');
    if (!run) return { state, runs, complete: undefined };
    assert.equal(commands.length, 1, 'an ActionChain runs one node at a time');
    runs.push(run);
    const answer = typeof script === 'function' ? script(run) : (script[run.taskKey] ?? script[run.taskName] ?? { status: 'succeeded', result: {} });
    const next = stepChecked(spec, state, {
      kind: 'taskCompleted',
      taskKey: run.taskKey,
      status: answer.status,
      result: answer.result ?? null,
      ...(answer.error ? { error: answer.error } : {}),
      now: n + 1,
    });
    state = next.state;
    commands = next.commands;
  }
  throw new Error(`chain did not complete within ${maxSteps} steps`);
}
