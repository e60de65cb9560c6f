import type { ConductorCommand, WorkflowStatus } from '../conductor.js';

/**
 * The conductor's state for one workflow run. Plain JSON: the engine persists it after
 * every step and hands it back after a restart.
 */

/** Commands that start work: the ones held while the workflow is paused. */
export type StartCommand = Extract<ConductorCommand, { kind: 'runTask' | 'waitForEvent' }>;

/** `held`: scheduled while the workflow was pausing/paused; its command waits in `held`. */
export type TaskRunStatus = 'held' | 'running' | 'succeeded' | 'failed' | 'timeout' | 'abandoned' | 'canceled';

export interface ItemsRun {
  /** Each item's value as item() sees it. */
  values: unknown[];
  concurrency: number;
  /** Index of the next item to start. */
  next: number;
  statuses: Array<TaskRunStatus | null>;
  results: unknown[];
  errors: Array<{ code: string; message: string } | null>;
}

export interface TaskRun {
  /** `name`, `name#2` for the second run of the same task (loops). */
  key: string;
  name: string;
  status: TaskRunStatus;
  /** Retries already used by the task's retry policy / the `retry` command. */
  retries: number;
  retryCommands: number;
  result: unknown;
  error: { code: string; message: string } | null;
  startedAt: number;
  finishedAt: number | null;
  /** With-items bookkeeping; null for a plain task. */
  items: ItemsRun | null;
  /** Earliest start (task delay) for items started later; null when none. */
  notBefore: number | null;
  /** The branch it runs on after splits ('' before any split; absent in older states). */
  route?: string;
}

export interface JoinState {
  arrived: string[];
  fired: boolean;
  /** The join task and route (absent in older states: the key is the task name). */
  task?: string;
  route?: string;
}

/** A join's bookkeeping key: the plain task name before any split keeps older states valid. */
export function joinKey(task: string, route: string): string {
  return route === '' ? task : `${task}@${route}`;
}

export interface WorkflowError {
  task?: string;
  code: string;
  message: string;
}

export interface OrquestaState {
  format: 'orquesta/1';
  status: WorkflowStatus;
  ctx: Record<string, unknown>;
  env: Record<string, unknown>;
  runs: Record<string, TaskRun>;
  /** Task keys in the order they were scheduled. */
  order: string[];
  /** How many times each task name has been scheduled (for `name#n` keys). */
  runCount: Record<string, number>;
  /** Keys (task or item `key[i]`) whose commands went out and that have not reported back. */
  inFlight: string[];
  /** Commands produced while pausing/paused, released on resume. */
  held: StartCommand[];
  /** Barrier bookkeeping per join task and route: key `name`, or `name@route` after a split. */
  joins: Record<string, JoinState>;
  /** Action runs started so far, and the most this workflow may start (absent in older states). */
  taskExecutions?: number;
  maxTaskExecutions?: number;
  /** Inputs this run may execute as whole command lines, as given at start (see whole-command.ts). */
  commandInputs?: Record<string, string>;
  /** Non-empty means the workflow is failing: nothing new is scheduled. */
  errors: WorkflowError[];
  output: Record<string, unknown> | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface TaskPathEntry {
  name: string;
  key: string;
  status: TaskRunStatus;
  retries: number;
  items?: { total: number; succeeded: number; failed: number };
}

/** The tasks in the order they ran, for the CLI and for tests. */
export function taskPath(state: OrquestaState): TaskPathEntry[] {
  return state.order.map((key) => {
    const r = state.runs[key]!;
    const entry: TaskPathEntry = { name: r.name, key: r.key, status: r.status, retries: r.retries };
    if (r.items) {
      const s = r.items.statuses;
      entry.items = {
        total: s.length,
        succeeded: s.filter((x) => x === 'succeeded').length,
        failed: s.filter((x) => x === 'failed' || x === 'timeout' || x === 'abandoned').length,
      };
    }
    return entry;
  });
}
