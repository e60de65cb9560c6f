/**
 * Rehearsals: drive the Orquesta conductor with scripted action results, no I/O. Between
 * every step the state goes through JSON.stringify/parse (as the engine persists it), and
 * each step is checked not to mutate the state it was given.
 */
import assert from 'node:assert/strict';
import { parseYaml } from '../../../src/core/yaml.js';
import type { ConductorCommand, ConductorEvent, TaskOutcome, WorkflowLimits } from '../../../src/workflows/conductor.js';
import { orquestaConductor, taskPath, type OrquestaState } from '../../../src/workflows/orquesta/conductor.js';
import { parseOrquesta, type OrquestaSpec } from '../../../src/workflows/orquesta/spec.js';

export type RunTaskCmd = Extract<ConductorCommand, { kind: 'runTask' }>;
export type WaitCmd = Extract<ConductorCommand, { kind: 'waitForEvent' }>;
export type Complete = Extract<ConductorCommand, { kind: 'complete' }>;

export interface Outcome {
  status: TaskOutcome;
  result?: unknown;
  error?: { code: string; message: string };
}

/** Per task name: outcomes used in turn (the last repeats), or a function of the command. */
export type Script = Record<string, Outcome[] | ((cmd: RunTaskCmd) => Outcome)>;

export const ok = (result: unknown = {}): Outcome => ({ status: 'succeeded', result });
export const bad = (result: unknown = {}, message = 'exit 1'): Outcome => ({ status: 'failed', result, error: { code: 'NRX_ERR_RUNNER_FAILED', message } });

export class Rehearsal {
  readonly spec: OrquestaSpec;
  state!: OrquestaState;
  now = 1_000_000;
  /** Every command issued, in order. */
  readonly commands: ConductorCommand[] = [];
  /** Commands issued and not yet answered, in issue order. */
  pending: Array<RunTaskCmd | WaitCmd> = [];
  completed: Complete | null = null;
  /** Highest number of in-flight items/runs seen per task name. */
  readonly maxInFlight: Record<string, number> = {};
  private used: Record<string, number> = {};

  constructor(yamlText: string, file = 'workflows/rehearsal.yaml') {
    this.spec = parseOrquesta(parseYaml(yamlText, file));
  }

  start(input: Record<string, unknown> = {}, env: Record<string, unknown> = {}, limits: WorkflowLimits = {}): ConductorCommand[] {
    const step = orquestaConductor.start(this.spec, input, this.now, env, {}, limits);
    return this.take(step.state, step.commands);
  }

  feed(event: ConductorEvent): ConductorCommand[] {
    const before = JSON.stringify(this.state);
    const step = orquestaConductor.step(this.spec, this.state, event);
    assert.equal(JSON.stringify(this.state), before, 'step() must not mutate the state it is given');
    return this.take(step.state, step.commands);
  }

  complete(taskKey: string, outcome: Outcome): ConductorCommand[] {
    return this.feed({
      kind: 'taskCompleted',
      taskKey,
      status: outcome.status,
      result: outcome.result ?? null,
      ...(outcome.error ? { error: outcome.error } : {}),
      now: this.now,
    });
  }

  arrive(taskKey: string, event: unknown): ConductorCommand[] {
    return this.feed({ kind: 'eventArrived', taskKey, event, now: this.now });
  }

  request(kind: 'pause' | 'resume' | 'cancel'): ConductorCommand[] {
    return this.feed({ kind, now: this.now });
  }

  /** Answer pending runTask commands from the script (FIFO) until the workflow stops moving. */
  play(script: Script = {}, limit = 500): void {
    for (let n = 0; n < limit; n++) {
      const next = this.pending.find((c): c is RunTaskCmd => c.kind === 'runTask');
      if (!next || this.completed) return;
      this.complete(next.taskKey, this.outcomeFor(next, script));
    }
    throw new Error('rehearsal did not settle');
  }

  outcomeFor(cmd: RunTaskCmd, script: Script): Outcome {
    const s = script[cmd.taskName];
    if (s === undefined) return ok();
    if (typeof s === 'function') return s(cmd);
    const i = this.used[cmd.taskName] ?? 0;
    this.used[cmd.taskName] = i + 1;
    return s[Math.min(i, s.length - 1)]!;
  }

  /** Task keys of the runTask commands, in issue order. */
  runKeys(): string[] {
    return this.commands.filter((c): c is RunTaskCmd => c.kind === 'runTask').map((c) => c.taskKey);
  }

  path(): Array<[string, string]> {
    return taskPath(this.state).map((e) => [e.key, e.status]);
  }

  /** Whether `complete` was emitted (a method, so a test's assertions do not narrow `completed`). */
  isDone(): boolean {
    return this.completed !== null;
  }

  status(): string {
    return orquestaConductor.status(this.state);
  }

  private take(state: OrquestaState, commands: ConductorCommand[]): ConductorCommand[] {
    // The engine persists the state as JSON; the next step must work from that copy.
    const json = JSON.stringify(state);
    this.state = JSON.parse(json) as OrquestaState;
    assert.deepEqual(this.state, state, 'state must survive JSON.stringify/parse unchanged');
    this.commands.push(...commands);
    for (const c of commands) {
      if (c.kind === 'runTask' || c.kind === 'waitForEvent') this.pending.push(c);
      if (c.kind === 'complete') {
        assert.equal(this.completed, null, 'complete must be emitted once');
        this.completed = c;
      }
    }
    this.pending = this.pending.filter((p) => this.state.inFlight.includes(p.taskKey) && this.isLatest(p));
    const perTask: Record<string, number> = {};
    for (const p of this.pending) perTask[p.taskName] = (perTask[p.taskName] ?? 0) + 1;
    for (const [name, n] of Object.entries(perTask)) this.maxInFlight[name] = Math.max(this.maxInFlight[name] ?? 0, n);
    return commands;
  }

  /** A retried task re-issues its key: only the newest command for a key is pending. */
  private isLatest(p: RunTaskCmd | WaitCmd): boolean {
    return this.pending.filter((q) => q.taskKey === p.taskKey).at(-1) === p;
  }
}
