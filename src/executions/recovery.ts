import type { ExecutionRecord, ExecutionStatus } from '../store/records.js';
import type { ActionSpec } from './action.js';

/** Statuses an execution can be left in when the appliance stops. */
export const UNFINISHED: ExecutionStatus[] = ['requested', 'scheduled', 'delayed', 'running', 'pending', 'pausing', 'paused', 'resuming', 'canceling'];

export type RecoveryPlan =
  /** a workflow: rebuild it from its recorded state */
  | { kind: 'resume-workflow' }
  /** an inquiry: keep waiting for its answer */
  | { kind: 'keep-pending' }
  /** in flight and idempotent: run it again */
  | { kind: 'rerun' }
  /** in flight and not idempotent, or its action is gone: record it as abandoned */
  | { kind: 'abandon'; why: string }
  /** never started: schedule it (honouring its notBefore) */
  | { kind: 'schedule' };

/**
 * What to do with one unfinished execution after a restart. The rule from the issue: a task
 * that was in flight is re-run only if its action declares itself idempotent.
 */
export function planRecovery(rec: ExecutionRecord, action: ActionSpec | undefined, isWorkflow: (action: ActionSpec) => boolean): RecoveryPlan {
  if (!action) return { kind: 'abandon', why: `action ${rec.action} is no longer loaded` };
  if (isWorkflow(action) && rec.status !== 'requested' && rec.status !== 'delayed') return { kind: 'resume-workflow' };
  if (rec.status === 'pending') return { kind: 'keep-pending' };
  if (rec.status === 'running' || rec.status === 'canceling') {
    return action.idempotent
      ? { kind: 'rerun' }
      : { kind: 'abandon', why: `was in flight when the appliance stopped; ${rec.action} is not declared idempotent, so it was not re-run` };
  }
  return { kind: 'schedule' };
}
