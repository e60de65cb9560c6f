import type { KvReadThrough } from '../core/template-datastore.js';
import type { ExecutionRecord } from '../store/records.js';
import { TERMINAL_STATUSES } from '../store/records.js';
import type { Store, WriteOp } from '../store/store.js';
import type { HostNames } from '../workflows/conductor.js';
import type { WorkflowHost } from '../workflows/workflow-runtime.js';
import type { EngineOptions, ExecutionContextInput } from './engine-options.js';
import type { Finish, Live } from './live.js';

/** Where a new execution sits (top level or a workflow's task) and when it may start. */
export interface PrepareOptions {
  context: ExecutionContextInput;
  parentId: string | null;
  rootId: string | null;
  taskName: string | null;
  taskKey: string | null;
  notBefore?: number | null;
  timeoutMs?: number | null;
}

/** How the engine builds an execution (its prepare()). */
export type Prepare = (actionRef: string, params: Record<string, unknown>, opts: PrepareOptions) => { rec: ExecutionRecord; ops: WriteOp[]; start: () => void };

/** What the workflow runtime's host needs from the engine. */
export interface WorkflowHostSide {
  now: () => number;
  store: Store;
  maxTaskExecutions: number;
  prepareExecution: Prepare;
  cancel(executionId: string): Promise<unknown>;
  /** The execution held in memory here, if any. */
  liveOf(executionId: string): Live | undefined;
  finish: Finish;
  notify(rec: ExecutionRecord): void;
  fence(rec: ExecutionRecord): WriteOp[];
  dropTakenOver(live: Live): void;
  templateNames: EngineOptions['templateNames'];
}

/** What the workflow runtime needs from the scheduler: child tasks as executions, the workflow's own record. */
export function workflowHost(side: WorkflowHostSide): WorkflowHost {
  const templateNames = side.templateNames;
  return {
    now: () => side.now(),
    store: side.store,
    maxTaskExecutions: side.maxTaskExecutions,
    prepareChild: (parent, cmd) =>
      side.prepareExecution(cmd.action, cmd.input, {
        context: {
          traceId: parent.context.traceId,
          ruleRef: parent.context.ruleRef,
          triggerInstanceId: parent.context.triggerInstanceId,
          user: parent.context.user,
        },
        parentId: parent.id,
        rootId: parent.rootId,
        taskName: cmd.taskName,
        taskKey: cmd.taskKey,
        notBefore: cmd.notBefore,
        timeoutMs: cmd.timeoutMs,
      }),
    cancelChild: async (childId) => {
      if (!side.liveOf(childId)) return;
      try {
        await side.cancel(childId);
      } catch (e) {
        // the child ended while the cancel was on its way: nothing left to cancel
        if (side.liveOf(childId)) throw e;
      }
    },
    isChildLive: (childId) => side.liveOf(childId) !== undefined,
    finishWorkflow: async (rec, status, result, error) => {
      const live = side.liveOf(rec.id);
      if (live) await side.finish(live, status, result, error);
    },
    setWorkflowStatus: (rec, status) => {
      const live = side.liveOf(rec.id);
      if (live && !TERMINAL_STATUSES.has(live.rec.status)) live.rec.status = status;
      return live?.rec ?? rec;
    },
    notify: (rec) => side.notify(rec),
    fence: (rec) => side.fence(rec),
    takenOver: (id) => {
      const live = side.liveOf(id);
      if (live) side.dropTakenOver(live);
    },
    ...(templateNames ? { templateNames: (through: KvReadThrough): HostNames => templateNames({ through }) } : {}),
  };
}
