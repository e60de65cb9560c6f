/** The rows the appliance keeps. Plain JSON-able values: the same shapes go to SQLite or PostgreSQL. */
import type { EventEnvelope } from '../events/envelope.js';

export type TriggerInstanceStatus = 'pending' | 'processing' | 'processed';

/** An event as stored: the envelope, and whether the rules engine has processed it yet. */
export interface TriggerInstanceRecord extends EventEnvelope {
  status: TriggerInstanceStatus;
  /**
   * How many identical events this row stands for (storm coalescing: the same device, type and
   * key fields within the window); absent when it was never repeated. Read-only: set by the store.
   */
  occurrences?: number;
  /** When the last of those repeats arrived (ISO-8601); null when never repeated. */
  lastTime?: string | null;
  /**
   * Another sensor's view of the fault this event id stands for (cross-source correlation): stored
   * for the record, never shown to the rules. Absent on every other event.
   */
  duplicateOf?: string | null;
}

/** What a rule decided for one event: the audit trail event -> rule -> execution. */
export type EnforcementOutcome =
  | 'executed' // action requested; executionId set
  | 'escalated' // rate limit reached; escalation action requested
  | 'throttled' // suppressed by throttle
  | 'held' // waiting out hold_down
  | 'cleared' // hold_down ended by a clearing event: nothing fired
  | 'maintenance' // suppressed by a maintenance window
  | 'failed'; // criteria or parameter rendering failed

export interface RuleEnforcementRecord {
  id: string;
  ruleRef: string;
  triggerInstanceId: string;
  traceId: string;
  outcome: EnforcementOutcome;
  executionId: string | null;
  actionRef: string | null;
  reason: string | null;
  time: string;
}

export type ExecutionStatus =
  | 'requested'
  | 'scheduled'
  | 'delayed' // waiting for a concurrency slot, device lock or retry backoff
  | 'running'
  | 'pending' // inquiry waiting for a response
  | 'pausing'
  | 'paused'
  | 'resuming'
  | 'canceling'
  | 'succeeded'
  | 'failed'
  | 'timeout'
  | 'canceled'
  | 'abandoned';

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['succeeded', 'failed', 'timeout', 'canceled', 'abandoned']);

export interface ExecutionRecord {
  id: string;
  action: string;
  runner: string;
  /** Parameters as given, with `secret: true` parameters replaced by '********'. */
  parameters: Record<string, unknown>;
  status: ExecutionStatus;
  result: unknown;
  error: { code: string; message: string } | null;
  /** Parent workflow execution and the task (and item) this execution runs for. */
  parentId: string | null;
  rootId: string;
  taskName: string | null;
  /** What caused it: rule, trigger instance, user. */
  context: {
    ruleRef?: string;
    triggerInstanceId?: string;
    traceId?: string;
    user?: string;
    retryOf?: string;
    rerunOf?: string;
    /** The workflow task this execution runs for. */
    taskKey?: string;
    /** Retry attempt number under an action.retry policy (0 = first run). */
    attempt?: number;
    /** Device lock keys this execution holds. */
    locks?: string[];
    /** Its caller may choose commands (admin, the shell grant on its pack, or the local CLI). */
    shellGranted?: boolean;
  };
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Streamed output lines (stdout/stderr), bounded. */
  log: string[];
  /**
   * The node that runs it and its whole tree (several nodes sharing one store); absent when
   * nobody has taken it yet, or when one process alone owns the store.
   */
  owner?: string | null;
}

/** One row per task attempt inside a workflow, in the order tasks were scheduled. */
export interface TaskRecord {
  id: string;
  workflowId: string;
  /** Stable key inside the workflow: `task`, `task#2` (second run), `task[3]` (with-items item). */
  taskKey: string;
  taskName: string;
  itemIndex: number | null;
  status: ExecutionStatus;
  actionRef: string | null;
  executionId: string | null;
  /** When a delayed or retried task is due (ms since epoch). */
  dueAt: number | null;
  seq: number;
  startedAt: string | null;
  endedAt: string | null;
  result: unknown;
}

export interface WorkflowStateRecord {
  executionId: string;
  kind: 'orquesta' | 'action-chain';
  /** Serialised conductor state. */
  state: unknown;
  updatedAt: string;
}

export interface KeyValueRecord {
  scope: string;
  key: string;
  value: string;
  secret: boolean;
  expiresAt: string | null;
  updatedAt: string;
}

/** Control requests (cancel, pause, resume) written by a CLI against a running appliance. */
export interface ControlRequestRecord {
  id: number;
  executionId: string;
  op: 'cancel' | 'pause' | 'resume';
  createdAt: string;
}
