import { reportSwallowed } from '../core/swallowed-errors.js';
import { workflowTaskLimit } from '../core/config.js';
import { NrxError, describeError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { ExecutionRecord, ExecutionStatus } from '../store/records.js';
import { TERMINAL_STATUSES } from '../store/records.js';
import type { Store, WriteOp } from '../store/store.js';
import type { HostNames } from '../workflows/conductor.js';
import { WorkflowRuntime, type WorkflowHost } from '../workflows/workflow-runtime.js';
import type { ActionSpec } from './action.js';
import { Admission, type AdmissionRequest } from './admission.js';
import { canTransition } from './lifecycle.js';
import { maskSecretsIn, maskSecretText, rememberSecret } from '../core/secret-values.js';
import { redactSecrets, resolveParameters, secretValues } from './params.js';
import { planRecovery, UNFINISHED } from './recovery.js';
import { nextRetry, type RetryRule } from './retry.js';
import { kindOf, missingRunnerReason, type RunnerKind } from './runners/registry.js';
import type { OwnedExecution } from '../store/repositories/work-queue.js';
import type { ExecutionPlacement } from './ownership.js';
import type { EngineOptions, ExecutionContextInput, RunnerLookup } from './engine-options.js';
import type { CrossNodeWaitSide, Live } from './live.js';
import { fenceOf, isTakenOver } from './taken-over.js';
import { lockAcrossNodes, unlockAcrossNodes } from './locks-across-nodes.js';
import { takeSlotsAcrossNodes } from './slots-across-nodes.js';
import { runOnRunner } from './action-run.js';
import { recordEnd } from './record-end.js';
import { parametersToRun } from './sealed-parameters.js';
import { workflowHost, type PrepareOptions } from './workflow-host.js';
import { controlElsewhere } from './remote-control.js';
import { lockKeysFor, newExecutionRecord } from './execution-record.js';

export type { EngineOptions, ExecutionContextInput, RunnerLookup } from './engine-options.js';

/**
 * The scheduler: turns requests into executions, admits them through concurrency and
 * device-lock policies, runs them on their runner, retries by policy, and hands workflow
 * runners to the workflow runtime. Every status change is written to the store before the
 * side effect it announces (the runner starting, the next task being scheduled).
 */
export class ExecutionEngine {
  readonly store: Store;
  readonly actions: Map<string, ActionSpec>;
  private readonly runners: RunnerLookup;
  private readonly admission: Admission;
  private readonly retries: Map<string, RetryRule>;
  private readonly log: Logger;
  readonly now: () => number;
  private readonly onUpdate: (rec: ExecutionRecord) => void;
  private readonly live = new Map<string, Live>();
  private readonly waiters = new Map<string, Array<(r: ExecutionRecord) => void>>();
  readonly workflows: WorkflowRuntime;
  private closed = false;
  /** After close: nothing more is written (the store may be closed). */
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly templateNames: EngineOptions['templateNames'];
  /** What templated parameter defaults may use besides the other parameters. */
  private readonly defaultNames: HostNames;
  private readonly maxWorkflowTasks: number;
  private readonly placement: ExecutionPlacement | undefined;

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.actions = opts.actions;
    this.runners = opts.runners;
    this.admission = new Admission(opts.concurrency ?? []);
    this.retries = new Map((opts.retries ?? []).map((r) => [r.actionRef, r]));
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.onUpdate = opts.onUpdate ?? (() => {});
    this.templateNames = opts.templateNames;
    this.defaultNames = opts.templateNames?.() ?? {};
    this.maxWorkflowTasks = opts.maxWorkflowTasks ?? workflowTaskLimit();
    this.placement = opts.placement;
    this.workflows = new WorkflowRuntime(this.host(), this.log);
  }

  /** Request an action or workflow; resolves once the execution is recorded (not finished). */
  async request(actionRef: string, params: Record<string, unknown>, ctx: ExecutionContextInput = {}): Promise<ExecutionRecord> {
    const prep = this.prepareRequest(actionRef, params, ctx);
    try {
      await this.store.commit(prep.ops);
    } catch (e) {
      prep.discard();
      throw e;
    }
    prep.start();
    return prep.rec;
  }

  /**
   * A top-level request whose writes the caller commits together with its own (a rules node
   * writes an event's executions, rule decisions and 'processed' mark in one transaction).
   * Nothing starts before start(), called once the commit succeeded; discard() if it failed.
   */
  prepareRequest(
    actionRef: string,
    params: Record<string, unknown>,
    ctx: ExecutionContextInput = {},
  ): { rec: ExecutionRecord; ops: WriteOp[]; start: () => void; discard: () => void } {
    const handOff = this.placement !== undefined && !this.placement.runsExecutions;
    const prep = this.prepare(actionRef, params, { context: ctx, parentId: null, rootId: null, taskName: null, taskKey: null, handOff });
    return { ...prep, discard: () => this.discardPrepared(prep.rec.id) };
  }

  /** A prepared execution whose writes were never committed: free what admission gave it. */
  private discardPrepared(id: string): void {
    if (!this.live.delete(id)) return;
    for (const next of this.admission.release(id)) {
      const l = this.live.get(next.executionId);
      if (l) void this.startAdmitted(l);
    }
  }

  /** Request and wait for the final status. */
  async run(actionRef: string, params: Record<string, unknown>, ctx: ExecutionContextInput = {}): Promise<ExecutionRecord> {
    const rec = await this.request(actionRef, params, ctx);
    return this.wait(rec.id);
  }

  /** Resolves when the execution reaches a final status. */
  async wait(executionId: string): Promise<ExecutionRecord> {
    const live = this.live.get(executionId);
    if (!live) {
      const rec = await this.store.getExecution(executionId);
      if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      if (TERMINAL_STATUSES.has(rec.status)) return rec;
      // another node runs it: its end shows in the shared store
      if (this.placement) return this.waitInStore(executionId);
    }
    return new Promise((resolve) => {
      const list = this.waiters.get(executionId) ?? [];
      list.push(resolve);
      this.waiters.set(executionId, list);
    });
  }

  private async waitInStore(executionId: string): Promise<ExecutionRecord> {
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      if (this.live.has(executionId)) return this.wait(executionId);
      const rec = await this.store.getExecution(executionId);
      if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      if (TERMINAL_STATUSES.has(rec.status)) return rec;
    }
  }

  /** A control for an execution another node runs or none yet took (see controlElsewhere); null: handled as for one process. */
  private async controlElsewhere(executionId: string, op: 'cancel' | 'pause' | 'resume'): Promise<ExecutionRecord | null> {
    if (!this.placement || this.live.has(executionId)) return null;
    return controlElsewhere(this.store, this.placement, executionId, op, async (r) => {
      const live: Live = { rec: r, action: this.actions.get(r.action)!, params: {}, timeoutMs: null };
      this.live.set(r.id, live);
      await this.finish(live, 'canceled', null, { code: 'NRX_ERR_CANCELED', message: `execution ${r.id} was canceled before a worker took it` });
    });
  }

  /**
   * Build an execution and the writes that record it; `start()` carries out the side
   * effect once the writes are committed. Throws NrxError for an unknown action or bad
   * parameters (nothing is recorded then).
   */
  prepare(
    actionRef: string,
    params: Record<string, unknown>,
    opts: PrepareOptions & {
      context: ExecutionContextInput & { attempt?: number; retryOf?: string };
      /** Record it for a worker node to claim (status requested, no owner); nothing runs here. */
      handOff?: boolean;
    },
  ): { rec: ExecutionRecord; ops: WriteOp[]; start: () => void } {
    const action = this.actions.get(actionRef);
    if (!action) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `no action '${actionRef}' is loaded (check the pack and its actions/*.yaml)`);
    if (!action.enabled) throw new NrxError('NRX_ERR_ACTION_NOT_FOUND', `action '${actionRef}' is disabled`);
    const kind = this.kindFor(action);
    const resolved = resolveParameters(action, params, { allowUnknown: kind === 'workflow', context: this.defaultNames });
    // output, results and the parameters of this and every later execution are masked by value
    rememberSecret(secretValues(action, resolved));
    if (!kind) {
      throw new NrxError(
        'NRX_ERR_RUNNER_NOT_FOUND',
        `action '${actionRef}' uses runner_type '${action.runnerType}', which this appliance does not have: ${missingRunnerReason(action.runnerType)}`,
        {
          location: { file: action.file, field: 'runner_type' },
        },
      );
    }
    const id = newId();
    const nowMs = this.now();
    const nowIso = new Date(nowMs).toISOString();
    const lockKeys = lockKeysFor(action, resolved);
    const parameters = maskSecretsIn(redactSecrets(action, resolved));
    const rec = newExecutionRecord({ id, actionRef, action, parameters, ...opts, lockKeys, createdAt: nowIso });
    const ops: WriteOp[] = [{ op: 'putExecution', value: rec }];
    // the worker that runs it (here or on another node, now or after a takeover) needs the secrets
    if (this.placement && secretValues(action, resolved).length)
      ops.push({ op: 'sealExecutionParameters', id, sealed: this.placement.sealParameters(resolved) });
    if (opts.handOff) return { rec, ops, start: () => {} };
    if (this.placement) rec.owner = this.placement.node;
    const timeoutMs = opts.timeoutMs ?? action.timeoutMs ?? null;
    const live: Live = { rec, action, params: resolved, timeoutMs };
    this.live.set(id, live);
    let start: () => void;
    if (this.closed) {
      // stopping: record it as not started; the next start schedules it
      rec.status = 'delayed';
      start = () => {};
    } else if (opts.notBefore && opts.notBefore > nowMs) {
      rec.status = 'delayed';
      (rec.context as Record<string, unknown>).notBefore = opts.notBefore;
      start = () => this.armDelay(live, opts.notBefore!);
    } else {
      const verdict = this.admission.tryAdmit(this.admissionRequest(live));
      if (verdict.kind === 'admit' && this.sharesAcrossNodes(live)) {
        // admitted here; the same devices may be locked, or the policy's slots taken, on another node
        rec.status = 'delayed';
        start = () => void this.startAdmitted(live);
      } else if (verdict.kind === 'admit') {
        rec.status = kind === 'inquiry' ? 'pending' : 'running';
        rec.startedAt = nowIso;
        start = () => this.launch(live);
      } else if (verdict.kind === 'wait') {
        rec.status = 'delayed';
        rec.log.push(`waiting: ${verdict.reason}`);
        start = () => {};
      } else {
        rec.status = verdict.code === 'NRX_ERR_CONCURRENCY' ? 'canceled' : 'failed';
        rec.error = { code: verdict.code, message: verdict.reason };
        rec.endedAt = nowIso;
        start = () => this.afterFinal(live);
      }
    }
    return { rec, ops, start };
  }

  /** Who carries executions of this action; undefined when this appliance has no such runner. */
  private kindFor(action: ActionSpec): RunnerKind | undefined {
    const runner = this.runners.get(action.runnerType);
    return runner && kindOf(runner);
  }

  private admissionRequest(live: Live): AdmissionRequest {
    return {
      executionId: live.rec.id,
      rootId: live.rec.rootId,
      actionRef: live.rec.action,
      params: live.params,
      locks: live.rec.context.locks ?? [],
      onLockConflict: live.action.deviceLock?.onConflict ?? 'wait',
    };
  }

  private armDelay(live: Live, notBefore: number): void {
    live.timer = setTimeout(() => void this.admitDelayed(live), Math.max(0, notBefore - this.now()));
  }

  private async admitDelayed(live: Live): Promise<void> {
    live.timer = undefined;
    if (live.rec.status !== 'delayed' || this.closed) return;
    const verdict = this.admission.tryAdmit(this.admissionRequest(live));
    if (verdict.kind === 'wait') return;
    if (verdict.kind === 'reject') {
      await this.finish(live, verdict.code === 'NRX_ERR_CONCURRENCY' ? 'canceled' : 'failed', null, { code: verdict.code, message: verdict.reason });
      return;
    }
    await this.startAdmitted(live);
  }

  /** Whether starting it takes device locks or concurrency slots in the shared store (several nodes, and it has locks or a policy). */
  private sharesAcrossNodes(live: Live): boolean {
    return (
      ((live.rec.context.locks ?? []).length > 0 && this.placement?.deviceLocks !== undefined) ||
      (this.placement?.concurrencySlots !== undefined && this.admission.hasPolicies(live.rec.action))
    );
  }

  /** Admitted here: lock its devices, then take its policies' slots, across nodes first when several nodes share the store. */
  private async startAdmitted(live: Live): Promise<void> {
    if ((live.rec.context.locks ?? []).length && this.placement?.deviceLocks) return this.lockAcrossNodes(live);
    return this.slotsAcrossNodes(live);
  }

  /** Take the execution's concurrency slots in the shared store, over every worker node (none: started at once). */
  private slotsAcrossNodes(live: Live): Promise<void> {
    const slots = this.placement?.concurrencySlots;
    const wanted = slots ? this.admission.slotsFor(this.admissionRequest(live)) : [];
    if (!slots || !wanted.length) return this.markStarted(live);
    return takeSlotsAcrossNodes(slots, wanted, live, this.waitSide());
  }

  /** What waiting for device locks or concurrency slots of other nodes needs. */
  private waitSide(): CrossNodeWaitSide {
    return {
      log: this.log,
      stillWaiting: (l) => !this.closed && l.rec.status === 'delayed' && this.live.get(l.rec.id) === l,
      persist: (rec) => this.persist(rec),
      proceed: (l) => this.markStarted(l),
      finish: (...a) => this.finish(...a),
    };
  }

  /** Take the execution's device locks in the shared store, waiting while another node's workflow holds one. */
  private lockAcrossNodes(live: Live): Promise<void> {
    return lockAcrossNodes(this.placement!.deviceLocks!, live, { ...this.waitSide(), proceed: (l) => this.slotsAcrossNodes(l) });
  }

  private async markStarted(live: Live): Promise<void> {
    live.rec.status = this.kindFor(live.action) === 'inquiry' ? 'pending' : 'running';
    live.rec.startedAt = new Date(this.now()).toISOString();
    // a workflow's start is written with its first step (one commit, before any task of it
    // runs): a stop before that leaves it not started, and the next start schedules it again
    if (this.runners.get(live.action.runnerType)?.kind === 'workflow') return this.launch(live, true);
    // started only while this node still owns it: a node taken for dead does not start it too
    if (await this.persist(live.rec)) this.launch(live);
  }

  /** The write that makes a batch apply only while this node still owns the execution (see fenceOf). */
  private fence(rec: ExecutionRecord): WriteOp[] {
    return fenceOf(this.placement, rec);
  }

  /** Another node took the execution over: it is forgotten here, unstarted or with its end unwritten; the new owner carries it on. */
  private dropTakenOver(live: Live): void {
    const { rec } = live;
    this.log.warn(
      { id: rec.id, node: this.placement?.node },
      `execution ${rec.id} (${rec.action}) was taken over by another node (this node was taken for dead): nothing more of it is run or written here`,
    );
    if (live.timer) clearTimeout(live.timer);
    this.live.delete(rec.id);
    for (const next of this.admission.release(rec.id)) {
      const l = this.live.get(next.executionId);
      if (l) void this.startAdmitted(l);
    }
    this.workflows.forget(rec.id);
  }

  /** The side effect: hand the execution to its runner (`unrecorded`: a workflow whose start its first step records). */
  private launch(live: Live, unrecorded = false): void {
    const { rec, action } = live;
    this.onUpdate(rec);
    if (rec.status === 'pending') return; // inquiry: waits for respondInquiry()
    const runner = this.runners.get(action.runnerType);
    if (runner?.kind === 'workflow') {
      void this.workflows
        .start(rec, action, live.params, unrecorded)
        .catch((e) => this.finish(live, 'failed', null, describeError(e)).catch((error) => this.unrecorded(rec, error)));
      return;
    }
    if (!runner || runner.kind === 'inquiry') {
      // its runner went away since it was recorded (a re-run after a restart)
      void this.finish(live, 'failed', null, {
        code: 'NRX_ERR_RUNNER_NOT_FOUND',
        message: `${rec.action}: no runner '${action.runnerType}': ${missingRunnerReason(action.runnerType)}`,
      });
      return;
    }
    const settled = runOnRunner(runner, live, (...a) => this.finish(...a));
    this.inFlight.add(settled);
    void settled.catch((error: unknown) => this.unrecorded(rec, error)).finally(() => this.inFlight.delete(settled));
  }

  /** The end of an execution could not be written (the store gave up): it stays unfinished there, and the next start recovers it. */
  private unrecorded(rec: ExecutionRecord, error: unknown): void {
    if (isTakenOver(error)) return; // said when it was dropped
    reportSwallowed({
      where: 'execution_record',
      error,
      log: this.log,
      msg: `execution ${rec.id} (${rec.action}) ended as ${rec.status} but could not be recorded`,
    });
  }

  /** Record the final status, apply the retry policy, release slots, and tell whoever waits. */
  async finish(live: Live, status: ExecutionStatus, result: unknown, error: { code: string; message: string } | null): Promise<void> {
    const { rec } = live;
    if (TERMINAL_STATUSES.has(rec.status) || this.stopped) return;
    if (!canTransition(rec.status, status)) this.log.warn({ id: rec.id, from: rec.status, to: status }, 'unexpected status transition');
    if (live.timer) clearTimeout(live.timer);
    rec.status = status;
    rec.result = maskSecretsIn(result);
    rec.error = error && { ...error, message: maskSecretText(error.message) };
    rec.endedAt = new Date(this.now()).toISOString();
    const ops: WriteOp[] = [{ op: 'putExecution', value: rec }];
    let retry: { rec: ExecutionRecord; start: () => void } | null = null;
    const rule = this.retries.get(rec.action);
    if (rule && !this.closed) {
      const attempt = rec.context.attempt ?? 0;
      const delay = nextRetry(rule, status, attempt);
      if (delay !== null) {
        try {
          const prep = this.prepare(rec.action, live.params, {
            context: { ...rec.context, attempt: attempt + 1, retryOf: rec.id },
            parentId: rec.parentId,
            rootId: rec.parentId ? rec.rootId : null,
            taskName: rec.taskName,
            taskKey: rec.context.taskKey ?? null,
            notBefore: this.now() + delay,
            timeoutMs: live.timeoutMs,
          });
          ops.push(...prep.ops);
          retry = prep;
        } catch (e) {
          this.log.warn({ id: rec.id, err: describeError(e) }, 'retry could not be scheduled');
        }
      }
    }
    try {
      await recordEnd(this.store, this.log, rec, [...this.fence(rec), ...ops], () => this.closed);
    } catch (e) {
      if (isTakenOver(e)) this.dropTakenOver(live);
      throw e;
    }
    this.live.delete(rec.id);
    const admitted = this.admission.release(rec.id);
    await this.unlockAcrossNodes(rec);
    await this.freeSlotsAcrossNodes(rec);
    for (const next of admitted) {
      const l = this.live.get(next.executionId);
      if (l) void this.startAdmitted(l);
    }
    if (retry) {
      // the workflow task follows the retry, not this attempt
      if (rec.parentId) this.workflows.relinkTask(rec.parentId, rec.id, retry.rec.id);
      retry.start();
      this.onUpdate(rec);
      this.resolveWaiters(rec);
      return;
    }
    this.afterFinal(live);
  }

  /** The device locks its workflow no longer holds here are freed for the other nodes. */
  private async unlockAcrossNodes(rec: ExecutionRecord): Promise<void> {
    const locks = this.placement?.deviceLocks;
    if (locks) await unlockAcrossNodes(locks, rec, (k) => this.admission.lockHolder(k) === rec.rootId, this.log);
  }

  /** The concurrency slots it held are freed for the other nodes (an ended execution's count for nothing already; this wakes their waiters). */
  private async freeSlotsAcrossNodes(rec: ExecutionRecord): Promise<void> {
    const slots = this.placement?.concurrencySlots;
    if (slots && this.admission.hasPolicies(rec.action))
      await slots.free(rec.id).catch((e: unknown) => this.log.warn({ id: rec.id, err: describeError(e) }, 'concurrency slots across nodes not freed'));
  }

  private afterFinal(live: Live): void {
    const { rec } = live;
    this.live.delete(rec.id);
    this.onUpdate(rec);
    if (rec.parentId) this.workflows.onChildDone(rec);
    this.resolveWaiters(rec);
  }

  private resolveWaiters(rec: ExecutionRecord): void {
    const list = this.waiters.get(rec.id);
    if (!list) return;
    this.waiters.delete(rec.id);
    for (const w of list) w(rec);
  }

  /** Writes the execution as it is now; false when another node took it over (then it is dropped here). */
  private async persist(rec: ExecutionRecord): Promise<boolean> {
    try {
      await this.store.commit([...this.fence(rec), { op: 'putExecution', value: rec }]);
    } catch (e) {
      if (!isTakenOver(e)) throw e;
      const live = this.live.get(rec.id);
      if (live) this.dropTakenOver(live);
      return false;
    }
    this.onUpdate(rec);
    return true;
  }

  /** Cancel an execution: running actions are aborted, workflows cancel their tasks. */
  async cancel(executionId: string): Promise<ExecutionRecord> {
    const elsewhere = await this.controlElsewhere(executionId, 'cancel');
    if (elsewhere) return elsewhere;
    const live = this.live.get(executionId);
    if (!live) {
      const rec = await this.store.getExecution(executionId);
      if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      throw new NrxError('NRX_ERR_INVALID_STATE', `execution ${executionId} is ${rec.status}; only unfinished executions can be canceled`);
    }
    const { rec } = live;
    if (
      this.kindFor(live.action) === 'workflow' &&
      (rec.status === 'running' || rec.status === 'pausing' || rec.status === 'paused' || rec.status === 'resuming')
    ) {
      await this.workflows.control(rec.id, 'cancel');
      return rec;
    }
    if (rec.status === 'running' && live.abort) {
      live.endReason = 'canceled';
      live.abort.abort(new NrxError('NRX_ERR_CANCELED', `execution ${rec.id} was canceled`));
      return rec;
    }
    this.admission.withdraw(rec.id);
    await this.finish(live, 'canceled', null, { code: 'NRX_ERR_CANCELED', message: `execution ${rec.id} was canceled` });
    return rec;
  }

  async pause(executionId: string): Promise<ExecutionRecord> {
    return this.controlWorkflow(executionId, 'pause');
  }

  async resume(executionId: string): Promise<ExecutionRecord> {
    return this.controlWorkflow(executionId, 'resume');
  }

  private async controlWorkflow(executionId: string, op: 'pause' | 'resume'): Promise<ExecutionRecord> {
    const elsewhere = await this.controlElsewhere(executionId, op);
    if (elsewhere) return elsewhere;
    const live = this.live.get(executionId);
    if (!live || this.kindFor(live.action) !== 'workflow') {
      const rec = live?.rec ?? (await this.store.getExecution(executionId));
      if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      throw new NrxError(
        'NRX_ERR_INVALID_STATE',
        `execution ${executionId} (${rec.action}, ${rec.status}) is not a running workflow; only workflows can ${op}`,
      );
    }
    const ok = op === 'pause' ? ['running', 'resuming'] : ['paused', 'pausing'];
    if (!ok.includes(live.rec.status)) throw new NrxError('NRX_ERR_INVALID_STATE', `cannot ${op} workflow ${executionId}: it is ${live.rec.status}`);
    await this.workflows.control(executionId, op);
    return live.rec;
  }

  /** Answer an inquiry (human approval); the response is checked against its schema. */
  async respondInquiry(executionId: string, response: Record<string, unknown>): Promise<ExecutionRecord> {
    const live = this.live.get(executionId);
    if (!live || live.rec.status !== 'pending') {
      const rec = live?.rec ?? (await this.store.getExecution(executionId));
      if (!rec) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no inquiry ${executionId}`);
      if (this.placement && rec.owner && rec.owner !== this.placement.node && rec.status === 'pending')
        throw new NrxError(
          'NRX_ERR_INVALID_STATE',
          `inquiry ${executionId} waits on node ${rec.owner}: answer it through that node's API (it needs the api role as well as worker)`,
        );
      throw new NrxError('NRX_ERR_INVALID_STATE', `execution ${executionId} is ${rec.status}, not a pending inquiry`);
    }
    const runner = this.runners.get(live.action.runnerType);
    if (runner?.kind !== 'inquiry') throw new NrxError('NRX_ERR_INVALID_STATE', `execution ${executionId} (${live.rec.action}) is not an inquiry`);
    runner.checkResponse(executionId, live.params, response);
    await this.finish(live, 'succeeded', { response }, null);
    return live.rec;
  }

  /** Events for workflow tasks that wait for one (wait_for). */
  deliverEvent(event: EventEnvelope): void {
    this.workflows.deliverEvent(event);
  }

  /** Called when a workflow task here starts waiting for a trigger type no other task waits for. */
  onFirstWait(listener: (trigger: string) => void): void {
    this.workflows.onFirstWait(listener);
  }

  /** Whether a workflow task here waits for events of this trigger type. */
  isWaitingFor(trigger: string): boolean {
    return this.workflows.isWaitingFor(trigger);
  }

  /**
   * After a restart: resume everything that was unfinished. A plain action that was in
   * flight is re-run if its action declares itself idempotent, otherwise marked
   * abandoned (its workflow then follows its failure path).
   */
  async recover(owned?: OwnedExecution[]): Promise<{ resumed: number; rerun: number; abandoned: number }> {
    const list = owned ?? (await this.store.listExecutions({ status: UNFINISHED, limit: 1_000_000 })).map((record) => ({ record, sealedParameters: null }));
    list.sort((a, b) => (a.record.id < b.record.id ? -1 : 1)); // parents before their children
    const counts = { resumed: 0, rerun: 0, abandoned: 0 };
    const later: Array<() => Promise<void>> = [];
    for (const { record: rec, sealedParameters } of list) {
      if (this.live.has(rec.id)) continue;
      const action = this.actions.get(rec.action);
      if (this.placement) rec.owner = this.placement.node;
      const live: Live = { rec, action: action!, params: this.paramsOf(rec, sealedParameters, action), timeoutMs: action?.timeoutMs ?? null };
      this.live.set(rec.id, live);
      const plan = planRecovery(rec, action, (a) => this.kindFor(a) === 'workflow');
      switch (plan.kind) {
        case 'resume-workflow':
          this.admission.hold(this.admissionRequest(live));
          await this.workflows.recover(rec, action!);
          counts.resumed++;
          break;
        case 'keep-pending':
          this.admission.hold(this.admissionRequest(live));
          counts.resumed++;
          break;
        case 'rerun':
          later.push(async () => {
            this.admission.hold(this.admissionRequest(live));
            live.rec.log.push('re-run after restart (action is idempotent)');
            if (await this.persist(live.rec)) this.launch(live);
          });
          counts.rerun++;
          break;
        case 'abandon':
          later.push(() => this.finish(live, 'abandoned', null, { code: 'NRX_ERR_ABANDONED', message: `execution ${rec.id} ${plan.why}` }));
          counts.abandoned++;
          break;
        case 'schedule':
          later.push(async () => {
            const notBefore = Number((rec.context as Record<string, unknown>).notBefore ?? 0);
            rec.status = 'delayed';
            if (notBefore > this.now()) this.armDelay(live, notBefore);
            else void this.admitDelayed(live);
          });
          counts.resumed++;
          break;
      }
    }
    // every workflow is rebuilt before any of its children finishes
    for (const step of later) await step();
    await this.workflows.afterRecovery();
    return counts;
  }

  /** Executions currently held in memory (unfinished). */
  get activeCount(): number {
    return this.live.size;
  }

  /** Workflows and actions started at the top (not tasks of a workflow) held here: what a worker's capacity counts. */
  get rootCount(): number {
    let n = 0;
    for (const l of this.live.values()) if (l.rec.parentId === null) n++;
    return n;
  }

  /** Whether this process runs the execution (a control request for it is carried out here). */
  holds(executionId: string): boolean {
    return this.live.has(executionId);
  }

  /** Device locks held here, by workflow: what a restarted or taking-over node keeps in the shared store. */
  heldDeviceLocks(): Array<{ key: string; rootId: string }> {
    const out = new Map<string, { key: string; rootId: string }>();
    for (const l of this.live.values())
      for (const key of l.rec.context.locks ?? [])
        if (this.admission.lockHolder(key) === l.rec.rootId) out.set(`${key} ${l.rec.rootId}`, { key, rootId: l.rec.rootId });
    return [...out.values()];
  }

  /**
   * Root executions this worker claimed (status requested, recorded by a node that does not run
   * executions): admitted and started here as if requested here. They are admitted in the order
   * given (admission is decided before any of them waits), and their 'started' writes share one
   * store transaction instead of one each.
   */
  async adopt(claimed: OwnedExecution[]): Promise<void> {
    const taking: Array<Promise<void>> = [];
    for (const c of claimed) taking.push(this.adoptOne(c));
    await Promise.all(taking);
  }

  private async adoptOne({ record: rec, sealedParameters }: OwnedExecution): Promise<void> {
    if (this.live.has(rec.id) || this.closed) return;
    const action = this.actions.get(rec.action);
    if (this.placement) rec.owner = this.placement.node;
    const live: Live = { rec, action: action!, params: {}, timeoutMs: action?.timeoutMs ?? null };
    this.live.set(rec.id, live);
    if (!action || !this.kindFor(action)) {
      const why = !action ? `no action '${rec.action}' is loaded on this worker` : `no runner '${action.runnerType}' on this worker`;
      await this.finish(live, 'failed', null, { code: action ? 'NRX_ERR_RUNNER_NOT_FOUND' : 'NRX_ERR_ACTION_NOT_FOUND', message: why });
      return;
    }
    live.params = this.paramsOf(rec, sealedParameters, action);
    rememberSecret(secretValues(action, live.params));
    rec.status = 'delayed';
    await this.admitDelayed(live);
    // waiting for a slot or a lock: say so in the store, as a request made here would
    if (rec.status === 'delayed' && this.live.get(rec.id) === live) await this.persist(rec);
  }

  /** Its parameters for running it: the sealed copy (secrets included) when there is one, else the stored (masked) ones. */
  private paramsOf(rec: ExecutionRecord, sealed: string | null, action: ActionSpec | undefined): Record<string, unknown> {
    return parametersToRun(this.placement, this.log, rec, sealed, action);
  }

  /**
   * Stop: no retries or delayed starts any more; actions already running get `graceMs` to
   * finish and be recorded. Whatever is still running after that stays `running` in the
   * store, and the next start re-runs it (idempotent) or marks it abandoned.
   */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    for (const live of this.live.values()) if (live.timer && live.rec.status !== 'running') clearTimeout(live.timer);
    this.workflows.close();
    if (this.inFlight.size) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (t = setTimeout(r, graceMs)))]);
      clearTimeout(t);
    }
    this.stopped = true;
    for (const live of this.live.values()) if (live.timer) clearTimeout(live.timer);
  }

  /** What the workflow runtime needs from the scheduler. */
  private host(): WorkflowHost {
    return workflowHost({
      now: () => this.now(),
      store: this.store,
      maxTaskExecutions: this.maxWorkflowTasks,
      prepareExecution: (actionRef, params, opts) => this.prepare(actionRef, params, opts),
      cancel: (id) => this.cancel(id),
      liveOf: (id) => this.live.get(id),
      finish: (...a) => this.finish(...a),
      notify: (rec) => this.onUpdate(rec),
      fence: (rec) => this.fence(rec),
      dropTakenOver: (live) => this.dropTakenOver(live),
      templateNames: this.templateNames,
    });
  }
}
