import type { ExecutionRecord } from '../store/records.js';
import type { ActionSpec } from './action.js';
import type { ExecutionContextInput } from './engine-options.js';

/** The device lock keys an execution of `action` wants (its deviceLock parameter's devices), e.g. ['device:r1']. */
export function lockKeysFor(action: ActionSpec, params: Record<string, unknown>): string[] {
  if (!action.deviceLock) return [];
  const v = params[action.deviceLock.parameter];
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).map((d) => `device:${String(d)}`);
}

/** A new execution's record, status requested, with its (already masked) parameters. */
export function newExecutionRecord(opts: {
  id: string;
  actionRef: string;
  action: ActionSpec;
  parameters: Record<string, unknown>;
  context: ExecutionContextInput & { attempt?: number; retryOf?: string };
  parentId: string | null;
  rootId: string | null;
  taskName: string | null;
  taskKey: string | null;
  lockKeys: string[];
  createdAt: string;
}): ExecutionRecord {
  return {
    id: opts.id,
    action: opts.actionRef,
    runner: opts.action.runnerType,
    parameters: opts.parameters,
    status: 'requested',
    result: null,
    error: null,
    parentId: opts.parentId,
    rootId: opts.rootId ?? opts.id,
    taskName: opts.taskName,
    context: {
      ...opts.context,
      ...(opts.taskKey ? { taskKey: opts.taskKey } : {}),
      ...(opts.lockKeys.length ? { locks: opts.lockKeys } : {}),
    },
    createdAt: opts.createdAt,
    startedAt: null,
    endedAt: null,
    log: [],
  };
}
