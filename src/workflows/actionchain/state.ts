import type { TaskOutcome, WorkflowStatus } from '../conductor.js';

/**
 * The ActionChain conductor's whole memory, JSON-safe, so the engine can persist it
 * before carrying out a command and resume from it after a restart.
 */

export type ChainTaskStatus = 'running' | TaskOutcome;

/** One run of one node. A node that runs again (a loop) gets a new record. */
export interface ChainTaskRun {
  name: string;
  /** `name` on the first run, `name#2`, `name#3`, ... on later runs. */
  key: string;
  status: ChainTaskStatus;
  result: unknown;
  error?: { code: string; message: string };
}

export interface ChainError {
  task?: string;
  code: string;
  message: string;
}

export interface ChainState {
  status: WorkflowStatus;
  /** The chain's input parameters. */
  input: Record<string, unknown>;
  /** Extra template variables fixed for the run (action_context, ...). */
  env: Record<string, unknown>;
  /** Rendered `vars` plus everything published so far (publish overrides vars). */
  vars: Record<string, unknown>;
  /** Only what nodes published, for the chain's output. */
  published: Record<string, unknown>;
  /** Latest result of each completed node, by node name. */
  results: Record<string, unknown>;
  tasks: ChainTaskRun[];
  /** The node picked to run next while the chain is paused. */
  heldNode: string | null;
  /** Some node failed: the chain ends failed even if an on-failure path completes. */
  anyFailed: boolean;
  errors: ChainError[];
  /** The runaway guard: node runs this chain may start (absent in older states: 10,000). */
  maxTaskExecutions?: number;
}

export interface TaskPathEntry {
  name: string;
  key: string;
  status: ChainTaskStatus;
}

/** The nodes in the order they ran, with their task keys and how each ended. */
export function taskPath(state: ChainState): TaskPathEntry[] {
  return state.tasks.map((t) => ({ name: t.name, key: t.key, status: t.status }));
}

/** The run of a node that is still in flight, if any (at most one in an ActionChain). */
export function inFlight(state: ChainState): ChainTaskRun | undefined {
  return state.tasks.find((t) => t.status === 'running');
}

/** The task key for the next run of `name`. */
export function nextTaskKey(state: ChainState, name: string): string {
  const runs = state.tasks.filter((t) => t.name === name).length;
  return runs === 0 ? name : `${name}#${runs + 1}`;
}

/**
 * A deep copy that holds only JSON values (undefined and functions dropped), so the
 * state reads back from the store exactly as it was written. A value JSON cannot hold
 * (a cycle, a BigInt) is kept as its text rather than lost.
 */
export function jsonSafe<T>(v: T): T {
  if (v === undefined) return null as T;
  try {
    return JSON.parse(JSON.stringify(v)) as T;
  } catch {
    return String(v) as T;
  }
}
