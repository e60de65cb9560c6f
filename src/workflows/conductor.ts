/**
 * The contract every workflow conductor (Orquesta-style, ActionChain) satisfies. A conductor
 * is pure: it takes the spec, its own serialisable state and one event, and returns the new
 * state and the commands the engine should carry out. It never does I/O, never reads the
 * clock (time comes in on events) and keeps everything it needs in `state` (JSON-safe), so
 * the engine can persist the state before any command's side effect, and resume after a crash.
 */

export type TaskOutcome = 'succeeded' | 'failed' | 'timeout' | 'canceled' | 'abandoned';

export type ConductorEvent =
  | { kind: 'taskCompleted'; taskKey: string; status: TaskOutcome; result: unknown; error?: { code: string; message: string }; now: number }
  /** An event matching a wait_for task arrived (result = the event envelope). */
  | { kind: 'eventArrived'; taskKey: string; event: unknown; now: number }
  | { kind: 'pause'; now: number }
  | { kind: 'resume'; now: number }
  | { kind: 'cancel'; now: number };

export type ConductorCommand =
  /** Run `action` for task `taskKey`; start no earlier than `notBefore` (ms epoch) when set. */
  | {
      kind: 'runTask';
      taskKey: string;
      taskName: string;
      itemIndex: number | null;
      action: string;
      input: Record<string, unknown>;
      notBefore: number | null;
      timeoutMs: number | null;
    }
  /** Wait for an event of `trigger` matching StackStorm-style `criteria` (already rendered). */
  | {
      kind: 'waitForEvent';
      taskKey: string;
      taskName: string;
      trigger: string;
      criteria: Record<string, { type: string; pattern?: unknown }>;
      deadline: number | null;
    }
  /** Cancel a running task (on workflow cancel). */
  | { kind: 'cancelTask'; taskKey: string }
  /** The workflow reached a final status. */
  | {
      kind: 'complete';
      status: 'succeeded' | 'failed' | 'canceled';
      output: Record<string, unknown>;
      errors: Array<{ task?: string; code: string; message: string }>;
    };

export type WorkflowStatus = 'running' | 'pausing' | 'paused' | 'canceling' | 'succeeded' | 'failed' | 'canceled';

export interface Step<S> {
  state: S;
  commands: ConductorCommand[];
}

/**
 * Names the host lends a conductor's templates for one call, kept out of the state because they
 * are not data: the datastore's `st2kv`. They rank below everything the workflow defines. The
 * driver's `st2kv` answers each key from the reads this workflow recorded (the first read is
 * recorded with the step's writes), so a step replayed after a restart sees the same values; a
 * conductor never reaches the store itself.
 */
export type HostNames = Readonly<Record<string, unknown>>;

/** Action runs one workflow may start unless the operator sets another limit (NETREFLEX_WORKFLOW_MAX_TASKS). */
export const DEFAULT_MAX_TASK_EXECUTIONS = 10_000;

/** Operator limits fixed for a run when it starts (kept in its state). */
export interface WorkflowLimits {
  /** Action runs the workflow may start in all (the runaway guard). */
  maxTaskExecutions?: number;
  /**
   * An operator who may choose commands (admin, or the shell grant on the pack) started this run
   * directly: a task may run an input of the run, whole, as its command line.
   */
  trustedCommands?: boolean;
}

export interface Conductor<Spec, S> {
  /**
   * Begin a workflow with its input (action parameters). `env` holds extra template
   * variables fixed for the run (e.g. `action_context`); the conductor keeps them in its state.
   */
  start(spec: Spec, input: Record<string, unknown>, now: number, env?: Record<string, unknown>, names?: HostNames, limits?: WorkflowLimits): Step<S>;
  /** Feed one event. */
  step(spec: Spec, state: S, event: ConductorEvent, names?: HostNames): Step<S>;
  /** The workflow's current status. */
  status(state: S): WorkflowStatus;
}
