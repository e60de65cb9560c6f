import { statSync } from 'node:fs';
import { NrxError, describeError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { reportSwallowed } from '../core/swallowed-errors.js';
import type { Logger } from '../core/log.js';
import { compileCriteria } from '../criteria/criteria.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { ExecutionRecord, ExecutionStatus, TaskRecord } from '../store/records.js';
import { TERMINAL_STATUSES } from '../store/records.js';
import type { Store, WriteOp } from '../store/store.js';
import { actionChainConductor } from './actionchain/conductor.js';
import type { KvReadThrough } from '../core/template-datastore.js';
import type { Conductor, ConductorCommand, ConductorEvent, HostNames, Step, TaskOutcome, WorkflowStatus } from './conductor.js';
import { KvReadBook, type KvRead } from './kv-reads.js';
import { orquestaConductor } from './orquesta/conductor.js';
import { loadWorkflowFile } from './spec-file.js';

type RunTaskCommand = Extract<ConductorCommand, { kind: 'runTask' }>;
type WaitCommand = Extract<ConductorCommand, { kind: 'waitForEvent' }>;
type CompleteCommand = Extract<ConductorCommand, { kind: 'complete' }>;

/** The parts of an action's metadata the driver reads (WorkflowAction has them). */
export interface WorkflowAction {
  ref: string;
  runnerType: string;
  entryPoint: string | null;
  file: string;
}

/** What the driver needs from the scheduler; implemented by ExecutionEngine. */
export interface WorkflowHost {
  now(): number;
  store: Store;
  /** Build a child execution for a task (throws NrxError for unknown action / bad input). */
  prepareChild(parent: ExecutionRecord, cmd: RunTaskCommand): { rec: ExecutionRecord; ops: WriteOp[]; start: () => void };
  cancelChild(childId: string): Promise<void>;
  isChildLive(childId: string): boolean;
  finishWorkflow(rec: ExecutionRecord, status: ExecutionStatus, result: unknown, error: { code: string; message: string } | null): Promise<void>;
  setWorkflowStatus(rec: ExecutionRecord, status: ExecutionStatus): ExecutionRecord;
  notify(rec: ExecutionRecord): void;
  /**
   * Names a workflow's templates may use besides its data (the datastore's `st2kv`), every
   * datastore read sent through `through`. None: templates see no datastore.
   */
  templateNames?(through: KvReadThrough): HostNames;
  /** The runaway guard: action runs one workflow may start (default: the conductor's, 10,000). */
  maxTaskExecutions?: number;
  /** Writes that make a step apply only while this node still owns the workflow (a shared store). */
  fence?(rec: ExecutionRecord): WriteOp[];
  /** Another node took the workflow over: the host forgets it too. */
  takenOver?(workflowId: string): void;
}

interface Wait {
  workflowId: string;
  taskKey: string;
  taskName: string;
  trigger: string;
  criteria: WaitCommand['criteria'];
  deadline: number | null;
  test: (ctx: Record<string, unknown>) => boolean;
  timer?: NodeJS.Timeout;
}

/** What is persisted in workflow_states.state. */
interface PersistedState {
  conductor: unknown;
  waits: Array<Pick<Wait, 'taskKey' | 'taskName' | 'trigger' | 'criteria' | 'deadline'>>;
  final: CompleteCommand | null;
  /** Datastore keys the workflow read, with what the first read saw (absent in older states). */
  kvReads?: KvRead[];
}

interface LiveWorkflow {
  rec: ExecutionRecord;
  kind: 'orquesta' | 'action-chain';
  spec: unknown;
  conductor: Conductor<unknown, unknown>;
  state: unknown;
  tasks: Map<string, TaskRecord>;
  byChild: Map<string, string>;
  waits: Map<string, Wait>;
  seq: number;
  queue: Promise<void>;
  done: boolean;
  /** Its datastore reads, and the `st2kv` its templates see (answered from those reads first). */
  reads: KvReadBook;
  names: HostNames;
}

const CONDUCTORS: Record<'orquesta' | 'action-chain', { conductor: Conductor<unknown, unknown> }> = {
  orquesta: { conductor: orquestaConductor as unknown as Conductor<unknown, unknown> },
  'action-chain': { conductor: actionChainConductor as unknown as Conductor<unknown, unknown> },
};

const STATUS_OF: Record<WorkflowStatus, ExecutionStatus> = {
  running: 'running',
  pausing: 'pausing',
  paused: 'paused',
  canceling: 'canceling',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};

/**
 * Drives pure conductors with the store: each conductor step is committed (workflow state,
 * task rows, child executions) before its commands take effect, and events for one
 * workflow are applied one at a time, in order.
 */
export class WorkflowRuntime {
  private readonly live = new Map<string, LiveWorkflow>();
  private readonly waitsByType = new Map<string, Set<Wait>>();
  private readonly specCache = new Map<string, { mtimeMs: number; spec: Promise<unknown> }>();
  private readonly afterRecoveryQueue: Array<() => void> = [];
  private readonly firstWaitListeners: Array<(trigger: string) => void> = [];
  private closed = false;

  constructor(
    private readonly host: WorkflowHost,
    private readonly log: Logger,
  ) {}

  /** Parse (and cache) a workflow action's entry point; big files parse off the event loop (spec-file.ts). */
  async loadSpec(action: WorkflowAction): Promise<unknown> {
    const kind = action.runnerType as 'orquesta' | 'action-chain';
    if (!action.entryPoint)
      throw new NrxError('NRX_ERR_SPEC_INVALID', `workflow action ${action.ref} has no entry_point`, { location: { file: action.file, field: 'entry_point' } });
    const mtimeMs = statSync(action.entryPoint).mtimeMs;
    const hit = this.specCache.get(action.entryPoint);
    if (hit && hit.mtimeMs === mtimeMs) return hit.spec;
    const spec = loadWorkflowFile(kind, action.entryPoint);
    this.specCache.set(action.entryPoint, { mtimeMs, spec });
    // a file that failed to parse is read again next time (it may have been fixed in place)
    spec.catch(() => {
      if (this.specCache.get(action.entryPoint!)?.spec === spec) this.specCache.delete(action.entryPoint!);
    });
    return spec;
  }

  /** `recordStart`: the workflow's own record (started) is written with its first step, not before. */
  async start(rec: ExecutionRecord, action: WorkflowAction, params: Record<string, unknown>, recordStart = false): Promise<void> {
    const kind = action.runnerType as 'orquesta' | 'action-chain';
    const wf = this.liveWorkflow(rec, kind, null, null, []);
    // Live before the spec is read (a big file parses on a worker): a pause or cancel sent
    // meanwhile queues behind the start instead of finding no workflow.
    this.live.set(rec.id, wf);
    const env = {
      action_context: { execution_id: rec.id, parent: { execution_id: rec.id }, trace_id: rec.context.traceId ?? rec.id, user: rec.context.user ?? null },
    };
    let loadError: unknown;
    wf.queue = (async () => {
      try {
        wf.spec = await this.loadSpec(action);
      } catch (e) {
        loadError = e;
        wf.done = true;
        this.live.delete(rec.id);
        return;
      }
      let step: Step<unknown>;
      try {
        step = wf.conductor.start(wf.spec, params, this.host.now(), env, wf.names, {
          maxTaskExecutions: this.host.maxTaskExecutions,
          // only a run an operator who may choose commands started directly (see orquesta/whole-command.ts)
          trustedCommands: rec.context.shellGranted === true && !rec.context.ruleRef && !rec.context.triggerInstanceId && rec.parentId === null,
        });
      } catch (e) {
        await this.fail(wf, e);
        return;
      }
      await this.apply(wf, step, recordStart ? [{ op: 'putExecution', value: rec }] : []);
    })();
    await wf.queue;
    if (loadError !== undefined) throw loadError;
  }

  /** A workflow in memory; `savedReads`: the datastore reads its persisted state recorded. */
  private liveWorkflow(rec: ExecutionRecord, kind: LiveWorkflow['kind'], spec: unknown, state: unknown, savedReads: unknown): LiveWorkflow {
    const reads = new KvReadBook(savedReads);
    const names = this.host.templateNames?.(reads.through) ?? {};
    return {
      rec,
      kind,
      spec,
      conductor: CONDUCTORS[kind].conductor,
      state,
      tasks: new Map(),
      byChild: new Map(),
      waits: new Map(),
      seq: 0,
      queue: Promise.resolve(),
      done: false,
      reads,
      names,
    };
  }

  private enqueue(wf: LiveWorkflow, event: ConductorEvent, taskUpdate?: (t: TaskRecord) => void): void {
    wf.queue = wf.queue
      .then(() => this.feed(wf, event, taskUpdate))
      .catch((e) => {
        if (isTakenOver(e)) return this.dropTakenOver(wf);
        this.log.error({ workflow: wf.rec.id, err: describeError(e) }, 'workflow step failed');
        return this.fail(wf, e).catch((failed: unknown) => {
          if (isTakenOver(failed)) return this.dropTakenOver(wf);
          this.log.error({ workflow: wf.rec.id, err: describeError(failed) }, 'workflow failure not recorded');
        });
      });
  }

  private async feed(wf: LiveWorkflow, event: ConductorEvent, taskUpdate?: (t: TaskRecord) => void): Promise<void> {
    // after close, a finished child is recorded on its own; the next start feeds it to the workflow
    if (wf.done || this.closed) return;
    const extra: WriteOp[] = [];
    if ('taskKey' in event) {
      const task = wf.tasks.get(event.taskKey);
      if (task && taskUpdate) {
        taskUpdate(task);
        extra.push({ op: 'putTask', value: task });
      }
    }
    let step: Step<unknown>;
    try {
      step = wf.conductor.step(wf.spec, wf.state, event, wf.names);
    } catch (e) {
      await this.fail(wf, e, extra);
      return;
    }
    await this.apply(wf, step, extra);
  }

  private async apply(wf: LiveWorkflow, step: Step<unknown>, extra: WriteOp[]): Promise<void> {
    wf.state = step.state;
    const now = this.host.now();
    const nowIso = new Date(now).toISOString();
    // the step is written only while this node still owns the workflow
    const ops: WriteOp[] = [...(this.host.fence?.(wf.rec) ?? []), ...extra];
    const after: Array<() => void> = [];
    let final: CompleteCommand | null = null;
    for (const cmd of step.commands) {
      if (cmd.kind === 'runTask') {
        const task = this.newTask(wf, cmd.taskKey, cmd.taskName, cmd.itemIndex, cmd.action, nowIso);
        task.dueAt = cmd.notBefore;
        try {
          const prep = this.host.prepareChild(wf.rec, cmd);
          task.executionId = prep.rec.id;
          task.status = prep.rec.status;
          wf.byChild.set(prep.rec.id, cmd.taskKey);
          ops.push(...prep.ops);
          after.push(prep.start);
        } catch (e) {
          const error = describeError(e);
          task.status = 'failed';
          task.endedAt = nowIso;
          task.result = { error };
          after.push(() => this.enqueue(wf, { kind: 'taskCompleted', taskKey: cmd.taskKey, status: 'failed', result: null, error, now: this.host.now() }));
        }
        ops.push({ op: 'putTask', value: task });
      } else if (cmd.kind === 'waitForEvent') {
        const task = this.newTask(wf, cmd.taskKey, cmd.taskName, null, null, nowIso);
        task.status = 'running';
        task.dueAt = cmd.deadline;
        ops.push({ op: 'putTask', value: task });
        const wait = this.makeWait(wf, cmd);
        wf.waits.set(cmd.taskKey, wait);
        after.push(() => this.arm(wf, wait));
      } else if (cmd.kind === 'cancelTask') {
        const wait = wf.waits.get(cmd.taskKey);
        if (wait) {
          this.disarm(wait);
          wf.waits.delete(cmd.taskKey);
          after.push(() =>
            this.enqueue(wf, { kind: 'taskCompleted', taskKey: cmd.taskKey, status: 'canceled', result: null, now: this.host.now() }, (t) =>
              this.closeTask(t, 'canceled', null),
            ),
          );
        } else {
          const childId = wf.tasks.get(cmd.taskKey)?.executionId;
          if (childId) after.push(() => void this.host.cancelChild(childId));
        }
      } else if (cmd.kind === 'complete') {
        final = cmd;
      }
    }
    // The reads this step made are written with the step: a replay answers them the same way.
    const persisted: PersistedState = {
      conductor: wf.state,
      waits: [...wf.waits.values()].map(({ taskKey, taskName, trigger, criteria, deadline }) => ({ taskKey, taskName, trigger, criteria, deadline })),
      final,
      kvReads: wf.reads.list(),
    };
    ops.push({ op: 'putWorkflowState', value: { executionId: wf.rec.id, kind: wf.kind, state: persisted, updatedAt: nowIso } });
    if (!final) {
      const status = STATUS_OF[wf.conductor.status(wf.state)];
      if (status !== wf.rec.status && !TERMINAL_STATUSES.has(status)) {
        this.host.setWorkflowStatus(wf.rec, status);
        ops.push({ op: 'putExecution', value: wf.rec });
        after.push(() => this.host.notify(wf.rec));
      }
    }
    await this.host.store.commit(ops);
    for (const fn of after) fn();
    if (final) await this.complete(wf, final);
  }

  private newTask(wf: LiveWorkflow, taskKey: string, taskName: string, itemIndex: number | null, actionRef: string | null, nowIso: string): TaskRecord {
    const task: TaskRecord = {
      id: newId(),
      workflowId: wf.rec.id,
      taskKey,
      taskName,
      itemIndex,
      status: 'scheduled',
      actionRef,
      executionId: null,
      dueAt: null,
      seq: wf.seq++,
      startedAt: nowIso,
      endedAt: null,
      result: null,
    };
    wf.tasks.set(taskKey, task);
    return task;
  }

  private closeTask(t: TaskRecord, status: ExecutionStatus, result: unknown): void {
    t.status = status;
    t.result = result;
    t.endedAt = new Date(this.host.now()).toISOString();
  }

  /** Another node runs the workflow now (this one was taken for dead): it is forgotten here, its waits disarmed, nothing more written. */
  private dropTakenOver(wf: LiveWorkflow): void {
    this.forget(wf.rec.id);
    this.host.takenOver?.(wf.rec.id);
  }

  /** The workflow is no longer conducted here. */
  forget(workflowId: string): void {
    const wf = this.live.get(workflowId);
    if (!wf) return;
    wf.done = true;
    for (const w of wf.waits.values()) this.disarm(w);
    this.live.delete(workflowId);
  }

  private async complete(wf: LiveWorkflow, final: CompleteCommand): Promise<void> {
    wf.done = true;
    for (const w of wf.waits.values()) this.disarm(w);
    this.live.delete(wf.rec.id);
    const result = { output: final.output, ...(final.errors.length ? { errors: final.errors } : {}) };
    const error =
      final.status === 'failed'
        ? {
            code: final.errors[0]?.code ?? 'NRX_ERR_WORKFLOW',
            message: final.errors.map((e) => (e.task ? `${e.task}: ${e.message}` : e.message)).join('; ') || 'workflow failed',
          }
        : final.status === 'canceled'
          ? { code: 'NRX_ERR_CANCELED', message: `workflow ${wf.rec.id} was canceled` }
          : null;
    await this.host.finishWorkflow(wf.rec, final.status, result, error);
    await this.host.store.commit([{ op: 'deleteWorkflowState', executionId: wf.rec.id }]);
  }

  /** The workflow cannot go on (bad spec, a conductor error): record it as failed. */
  private async fail(wf: LiveWorkflow, e: unknown, extra: WriteOp[] = []): Promise<void> {
    if (wf.done) return;
    const err = describeError(e);
    // an exception nothing classified, raised while conducting, is the workflow's failure
    const code = e instanceof NrxError ? err.code : 'NRX_ERR_WORKFLOW';
    if (extra.length) await this.host.store.commit(extra);
    for (const t of wf.tasks.values()) {
      if (!TERMINAL_STATUSES.has(t.status) && t.executionId && this.host.isChildLive(t.executionId)) await this.host.cancelChild(t.executionId);
    }
    await this.complete(wf, { kind: 'complete', status: 'failed', output: {}, errors: [{ code, message: err.message }] });
  }

  /** A child execution reached its final status. */
  onChildDone(child: ExecutionRecord): void {
    const wf = child.parentId ? this.live.get(child.parentId) : undefined;
    if (!wf) return;
    const taskKey = wf.byChild.get(child.id) ?? child.context.taskKey;
    if (!taskKey) return;
    const status = child.status as TaskOutcome;
    this.enqueue(
      wf,
      { kind: 'taskCompleted', taskKey, status, result: child.result, ...(child.error ? { error: child.error } : {}), now: this.host.now() },
      (t) => {
        t.executionId = child.id;
        this.closeTask(t, child.status, child.result);
      },
    );
  }

  /** A retry policy replaced a task's execution with a new attempt. */
  relinkTask(workflowId: string, oldChildId: string, newChildId: string): void {
    const wf = this.live.get(workflowId);
    const key = wf?.byChild.get(oldChildId);
    if (!wf || !key) return;
    wf.byChild.set(newChildId, key);
    const t = wf.tasks.get(key);
    if (t) t.executionId = newChildId;
  }

  async control(workflowId: string, op: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const wf = this.live.get(workflowId);
    if (!wf) throw new NrxError('NRX_ERR_INVALID_STATE', `workflow ${workflowId} is not running in this appliance`);
    this.enqueue(wf, { kind: op, now: this.host.now() });
    await wf.queue;
  }

  private makeWait(wf: LiveWorkflow, cmd: Pick<WaitCommand, 'taskKey' | 'taskName' | 'trigger' | 'criteria' | 'deadline'>): Wait {
    const compiled = compileCriteria(cmd.criteria, { path: ['tasks', cmd.taskName, 'wait_for', 'criteria'] });
    return {
      workflowId: wf.rec.id,
      taskKey: cmd.taskKey,
      taskName: cmd.taskName,
      trigger: cmd.trigger,
      criteria: cmd.criteria,
      deadline: cmd.deadline,
      test: (ctx) => {
        const r = compiled.test(ctx);
        if (r.error) throw r.error;
        return r.matched;
      },
    };
  }

  private arm(wf: LiveWorkflow, wait: Wait): void {
    let set = this.waitsByType.get(wait.trigger);
    if (!set) this.waitsByType.set(wait.trigger, (set = new Set()));
    set.add(wait);
    if (set.size === 1) for (const l of this.firstWaitListeners) l(wait.trigger);
    if (wait.deadline !== null) {
      wait.timer = setTimeout(
        () => {
          if (!wf.waits.has(wait.taskKey)) return;
          this.disarm(wait);
          wf.waits.delete(wait.taskKey);
          const error = { code: 'NRX_ERR_TIMEOUT', message: `no ${wait.trigger} event matched within the wait_for timeout` };
          this.enqueue(wf, { kind: 'taskCompleted', taskKey: wait.taskKey, status: 'timeout', result: null, error, now: this.host.now() }, (t) =>
            this.closeTask(t, 'timeout', { error }),
          );
        },
        Math.max(0, wait.deadline - this.host.now()),
      );
    }
  }

  private disarm(wait: Wait): void {
    if (wait.timer) clearTimeout(wait.timer);
    this.waitsByType.get(wait.trigger)?.delete(wait);
  }

  /** Offer an event to every task waiting for its trigger type. */
  deliverEvent(event: EventEnvelope): void {
    const set = this.waitsByType.get(event.type);
    if (!set || set.size === 0) return;
    const ctx = { trigger: event.payload, event };
    for (const wait of [...set]) {
      let ok = false;
      try {
        ok = wait.test(ctx);
      } catch (error) {
        // the task keeps waiting (a later event may match); the error is counted and logged
        reportSwallowed({
          where: 'wait_for_criteria',
          error,
          log: this.log,
          msg: 'wait_for criteria could not be evaluated; the event counts as no match',
          fields: { workflow: wait.workflowId, task: wait.taskName, event: event.id },
        });
      }
      if (!ok) continue;
      const wf = this.live.get(wait.workflowId);
      this.disarm(wait);
      if (!wf) continue;
      wf.waits.delete(wait.taskKey);
      this.enqueue(wf, { kind: 'eventArrived', taskKey: wait.taskKey, event, now: this.host.now() }, (t) => this.closeTask(t, 'succeeded', event));
    }
  }

  /** Rebuild a workflow from the store after a restart. */
  async recover(rec: ExecutionRecord, action: WorkflowAction): Promise<void> {
    const kind = action.runnerType as 'orquesta' | 'action-chain';
    const saved = await this.host.store.getWorkflowState(rec.id);
    if (!saved) {
      // it crashed before its first step was recorded: begin again
      rec.log.push("restarted after the appliance stopped before the workflow's first step was recorded");
      await this.start(rec, action, { ...rec.parameters });
      return;
    }
    let spec: unknown;
    try {
      spec = await this.loadSpec(action);
    } catch (e) {
      const wf = this.liveWorkflow(rec, kind, null, null, []);
      this.live.set(rec.id, wf);
      this.afterRecoveryQueue.push(() => void this.fail(wf, e));
      return;
    }
    const persisted = saved.state as PersistedState;
    const wf = this.liveWorkflow(rec, kind, spec, persisted.conductor, persisted.kvReads ?? []);
    this.live.set(rec.id, wf);
    const tasks = await this.host.store.listTasks(rec.id);
    for (const t of tasks.sort((a, b) => a.seq - b.seq)) {
      wf.tasks.set(t.taskKey, t);
      if (t.executionId) wf.byChild.set(t.executionId, t.taskKey);
      wf.seq = Math.max(wf.seq, t.seq + 1);
    }
    if (persisted.final) {
      const final = persisted.final;
      this.afterRecoveryQueue.push(() => {
        wf.queue = wf.queue.then(() => this.complete(wf, final));
      });
      return;
    }
    for (const w of persisted.waits) {
      const wait = this.makeWait(wf, w);
      wf.waits.set(w.taskKey, wait);
      this.afterRecoveryQueue.push(() => this.arm(wf, wait));
    }
    // children that finished after their parent's last recorded step
    for (const t of wf.tasks.values()) {
      if (TERMINAL_STATUSES.has(t.status) || !t.executionId) continue;
      const child = await this.host.store.getExecution(t.executionId);
      if (child && TERMINAL_STATUSES.has(child.status)) this.afterRecoveryQueue.push(() => this.onChildDone(child));
    }
  }

  async afterRecovery(): Promise<void> {
    const q = this.afterRecoveryQueue.splice(0);
    for (const fn of q) fn();
    await Promise.all([...this.live.values()].map((wf) => wf.queue));
  }

  /** Called when a task starts waiting for events of a trigger type no other task waits for (the events must now be heard). */
  onFirstWait(listener: (trigger: string) => void): void {
    this.firstWaitListeners.push(listener);
  }

  /** Whether any task waits for events of this trigger type. */
  isWaitingFor(trigger: string): boolean {
    return (this.waitsByType.get(trigger)?.size ?? 0) > 0;
  }

  /** Tasks of running workflows waiting for events (for status displays). */
  get waitingTasks(): number {
    let n = 0;
    for (const s of this.waitsByType.values()) n += s.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const wf of this.live.values()) for (const w of wf.waits.values()) this.disarm(w);
  }
}

function isTakenOver(e: unknown): boolean {
  return e instanceof NrxError && e.code === 'NRX_ERR_NOT_OWNER';
}
