import { parseDuration } from '../../core/duration.js';
import { NrxError, type ErrorLocation } from '../../core/errors.js';
import { renderCondition, renderString, renderValue } from '../../core/template.js';
import { DEFAULT_MAX_TASK_EXECUTIONS, type ConductorCommand, type HostNames, type TaskOutcome } from '../conductor.js';
import { expressionContext, FAILURE_OUTCOMES, type ExpressionScope } from './expressions.js';
import { joinDecision } from './joins.js';
import { isRoutingTask, type DurationSpec, type OrquestaSpec, type TaskSpec } from './model.js';
import { wholeCommandInput } from './whole-command.js';
import { routeInto } from './splits.js';
import { joinKey, type OrquestaState, type StartCommand, type TaskRun, type WorkflowError } from './state.js';

type TaskError = { code: string; message: string };

/** Routing-only tasks complete inline; a loop of them must not spin forever inside one step. */
const ROUTING_BUDGET = 1000;

export { DEFAULT_MAX_TASK_EXECUTIONS } from '../conductor.js';

/**
 * One step of conducting: mutates its own copy of the state and collects the commands.
 * Everything time-related comes from `now` (the event's time).
 */
export class OrquestaStep {
  readonly out: ConductorCommand[] = [];
  private routingLeft = ROUTING_BUDGET;

  constructor(
    readonly spec: OrquestaSpec,
    readonly st: OrquestaState,
    readonly now: number,
    /** The host's names for this step's templates (the datastore's `st2kv`). */
    readonly names: HostNames = {},
  ) {}

  get failing(): boolean {
    return this.st.errors.length > 0;
  }

  scope(extra: Pick<ExpressionScope, 'current' | 'item'> = {}, ctx: Record<string, unknown> = this.st.ctx): Record<string, unknown> {
    return expressionContext({ ctx, env: this.st.env, names: this.names, taskByName: (n) => this.latestRun(n), ...extra });
  }

  private latestRun(name: string): { key: string; status: string; result: unknown; error: TaskError | null } | undefined {
    for (let i = this.st.order.length - 1; i >= 0; i--) {
      const r = this.st.runs[this.st.order[i]!]!;
      if (r.name === name) return { key: r.key, status: r.status, result: r.result, error: r.error };
    }
    return undefined;
  }

  where(taskName: string | null, field: string): ErrorLocation {
    const line = taskName ? this.spec.tasks[taskName]?.line : null;
    return { file: this.spec.file, ...(line ? { line } : {}), field };
  }

  addError(e: WorkflowError): void {
    this.st.errors.push(e);
  }

  /** A template failed: the workflow fails, naming the task and field. */
  renderFailed(taskKey: string | undefined, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    const code = e instanceof NrxError && e.code === 'NRX_ERR_FORBIDDEN' ? e.code : 'NRX_ERR_WORKFLOW';
    this.addError({ ...(taskKey ? { task: taskKey } : {}), code, message: taskKey ? `task '${taskKey}': ${msg}` : msg });
  }

  /** An expression that gives nothing (`delay: <% ctx(delay) %>` with no delay given) means "not set", as in orquesta. */
  isUnset(d: DurationSpec, taskName: string, field: string): boolean {
    if (typeof d === 'number') return false;
    const v = renderValue(d, this.scope(), this.where(taskName, field));
    return v === null || v === undefined || v === '' || v === 'None';
  }

  duration(d: DurationSpec, taskName: string, field: string): number {
    if (typeof d === 'number') return d;
    const loc = this.where(taskName, field);
    return parseDuration(renderString(d, this.scope(), loc), loc);
  }

  /** Start a new run of a task (a new key when the task ran before). */
  startTask(name: string, route = ''): void {
    const n = (this.st.runCount[name] ?? 0) + 1;
    this.st.runCount[name] = n;
    const key = n === 1 ? name : `${name}#${n}`;
    const run: TaskRun = {
      key,
      name,
      status: 'running',
      retries: 0,
      retryCommands: 0,
      result: null,
      error: null,
      startedAt: this.now,
      finishedAt: null,
      items: null,
      notBefore: null,
      route,
    };
    this.st.runs[key] = run;
    this.st.order.push(key);
    const t = this.spec.tasks[name]!;
    let notBefore: number | null = null;
    try {
      if (t.delay !== null && !this.isUnset(t.delay, name, `tasks.${name}.delay`)) notBefore = this.now + this.duration(t.delay, name, `tasks.${name}.delay`);
    } catch (e) {
      return this.dispatchFailed(run, e);
    }
    this.dispatch(run, notBefore);
  }

  /** Issue the commands for one attempt of a run. */
  dispatch(run: TaskRun, notBefore: number | null): void {
    const t = this.spec.tasks[run.name]!;
    if (isRoutingTask(t)) {
      if (--this.routingLeft < 0) {
        this.addError({
          task: run.key,
          code: 'NRX_ERR_WORKFLOW',
          message: `task '${run.key}': more than ${ROUTING_BUDGET} action-less tasks in one step (a routing loop)`,
        });
        return this.settleRun(run, 'failed', null, null);
      }
      return this.finish(run, 'succeeded', null, null);
    }
    try {
      const timeoutMs = t.timeout !== null ? this.duration(t.timeout, t.name, `tasks.${t.name}.timeout`) : null;
      if (t.waitFor) {
        const wf = t.waitFor;
        const criteria = renderValue(wf.criteria, this.scope(), this.where(t.name, `tasks.${t.name}.wait_for.criteria`)) as Record<
          string,
          { type: string; pattern?: unknown }
        >;
        const waitMs = wf.timeout !== null ? this.duration(wf.timeout, t.name, `tasks.${t.name}.wait_for.timeout`) : timeoutMs;
        this.emit(
          { kind: 'waitForEvent', taskKey: run.key, taskName: t.name, trigger: wf.trigger, criteria, deadline: waitMs === null ? null : this.now + waitMs },
          run,
        );
      } else if (t.with) {
        const itemsField = `tasks.${t.name}.with.items`;
        const values = renderValue(t.with.items, this.scope(), this.where(t.name, itemsField));
        if (!Array.isArray(values)) throw new Error(`with-items ${itemsField} gave ${JSON.stringify(values)}, not a list`);
        let concurrency = values.length;
        if (t.with.concurrency !== null) {
          const c =
            typeof t.with.concurrency === 'number'
              ? t.with.concurrency
              : Number(renderString(t.with.concurrency, this.scope(), this.where(t.name, `tasks.${t.name}.with.concurrency`)));
          if (!Number.isInteger(c) || c < 1) throw new Error(`with-items concurrency must be a positive integer, got ${JSON.stringify(c)}`);
          concurrency = Math.min(c, Math.max(values.length, 1));
        }
        run.notBefore = notBefore;
        run.items = { values, concurrency, next: 0, statuses: values.map(() => null), results: values.map(() => null), errors: values.map(() => null) };
        if (values.length === 0) return this.finish(run, 'succeeded', [], null);
        this.fillItems(run);
      } else {
        const input = this.renderInput(t, this.scope());
        this.emit({ kind: 'runTask', taskKey: run.key, taskName: t.name, itemIndex: null, action: t.action!, input, notBefore, timeoutMs }, run);
      }
    } catch (e) {
      this.dispatchFailed(run, e);
    }
  }

  /** A task's input rendered; a `cmd` that is a workflow input, whole, runs only as whole-command.ts allows. */
  private renderInput(t: TaskSpec, scope: Record<string, unknown>): Record<string, unknown> {
    const where = this.where(t.name, `tasks.${t.name}.input`);
    const name = wholeCommandInput(t, this.spec.input);
    if (name === null) return renderValue(t.input, scope, where) as Record<string, unknown>;
    const given = this.st.commandInputs?.[name];
    const cmdAt = { ...where, field: `tasks.${t.name}.input.cmd` };
    if (given === undefined)
      throw new NrxError(
        'NRX_ERR_FORBIDDEN',
        `cmd is the workflow input '${name}' whole, which runs as a command line only when an admin, or a user with the shell grant on this pack, starts the workflow directly (netreflex run, the API); this run was started by a rule, by another workflow or without that grant, so its '${name}' is not run`,
        { location: cmdAt },
      );
    if (this.st.ctx[name] !== given)
      throw new NrxError(
        'NRX_ERR_FORBIDDEN',
        `cmd is ctx(${name}), which a publish changed after the run started; only the command line the operator gave runs`,
        {
          location: cmdAt,
        },
      );
    const rest = { ...t.input };
    delete rest.cmd;
    return { ...(renderValue(rest, scope, where) as Record<string, unknown>), cmd: given };
  }

  private dispatchFailed(run: TaskRun, e: unknown): void {
    this.renderFailed(run.key, e);
    this.settleRun(run, 'failed', null, { code: 'NRX_ERR_WORKFLOW', message: e instanceof Error ? e.message : String(e) });
  }

  /** Start items up to the concurrency limit. Nothing new starts while pausing, canceling or failing. */
  fillItems(run: TaskRun): void {
    const it = run.items!;
    const t = this.spec.tasks[run.name]!;
    if (this.st.status !== 'running' || this.failing || run.status !== 'running') return;
    if (it.statuses.some((s) => s !== null && FAILURE_OUTCOMES.has(s))) return;
    while (it.next < it.values.length && it.statuses.filter((s) => s === 'running').length < it.concurrency) {
      const i = it.next++;
      let input: Record<string, unknown>;
      let timeoutMs: number | null;
      try {
        const scope = this.scope({ item: { value: it.values[i], names: t.with!.names } });
        input = this.renderInput(t, scope);
        timeoutMs = t.timeout !== null ? this.duration(t.timeout, t.name, `tasks.${t.name}.timeout`) : null;
      } catch (e) {
        it.statuses[i] = 'failed';
        this.renderFailed(`${run.key}[${i}]`, e);
        return;
      }
      it.statuses[i] = 'running';
      const notBefore = run.notBefore !== null && run.notBefore > this.now ? run.notBefore : null;
      const sent = this.emit(
        { kind: 'runTask', taskKey: `${run.key}[${i}]`, taskName: t.name, itemIndex: i, action: t.action!, input, notBefore, timeoutMs },
        null,
      );
      if (!sent) {
        it.statuses[i] = 'failed';
        return;
      }
    }
  }

  /** An item reported back. */
  itemDone(run: TaskRun, index: number, outcome: TaskOutcome, result: unknown, error: TaskError | null): void {
    const it = run.items!;
    it.statuses[index] = outcome;
    it.results[index] = result;
    it.errors[index] = error;
    if (this.st.status === 'canceling') return;
    this.fillItems(run);
    this.closeItemsIfDone(run);
  }

  /** A with-items task is done when no item runs and no more may start. */
  closeItemsIfDone(run: TaskRun): void {
    const it = run.items;
    if (!it || run.status !== 'running' || it.statuses.includes('running')) return;
    const failedAt = it.statuses.findIndex((s) => s !== null && FAILURE_OUTCOMES.has(s));
    const remaining = it.next < it.values.length;
    const blocked = this.failing || this.st.status === 'canceling';
    if (remaining && failedAt === -1 && !blocked) return; // paused: resume will continue
    if (failedAt !== -1) {
      const e = it.errors[failedAt];
      this.finish(run, 'failed', [...it.results], {
        code: e?.code ?? 'NRX_ERR_WORKFLOW',
        message: `item ${failedAt} ${it.statuses[failedAt]}${e ? `: ${e.message}` : ''}`,
      });
    } else if (remaining) this.finish(run, 'canceled', [...it.results], null);
    else this.finish(run, 'succeeded', [...it.results], null);
  }

  /** A run completed: retry if the policy says so, else record and follow `next`. */
  finish(run: TaskRun, outcome: TaskOutcome, result: unknown, error: TaskError | null): void {
    const t = this.spec.tasks[run.name]!;
    if (t.retry && run.retries < t.retry.count && !this.failing && this.st.status !== 'canceling' && outcome !== 'canceled') {
      let again: boolean;
      try {
        again = renderCondition(
          t.retry.when ?? '<% failed() %>',
          this.scope({ current: { status: outcome, result, name: t.name } }),
          this.where(t.name, `tasks.${t.name}.retry.when`),
        );
      } catch (e) {
        this.renderFailed(run.key, e);
        return this.settleRun(run, outcome, result, error);
      }
      if (again) {
        run.retries++;
        try {
          const delay = t.retry.delay !== null ? this.duration(t.retry.delay, t.name, `tasks.${t.name}.retry.delay`) : 0;
          return this.dispatch(run, delay > 0 ? this.now + delay : null);
        } catch (e) {
          return this.dispatchFailed(run, e);
        }
      }
    }
    this.settleRun(run, outcome, result, error);
    if (this.st.status !== 'canceling') this.follow(run);
  }

  settleRun(run: TaskRun, outcome: TaskOutcome, result: unknown, error: TaskError | null): void {
    run.status = outcome;
    run.result = result;
    run.error = error;
    run.finishedAt = this.now;
  }

  /** Evaluate `next` in order; every transition whose `when` holds publishes, then does. */
  follow(run: TaskRun): void {
    const t = this.spec.tasks[run.name]!;
    const failingBefore = this.failing;
    const isFailure = FAILURE_OUTCOMES.has(run.status);
    let handled = false;
    const targets: Array<{ target: string; index: number }> = [];
    const current = { status: run.status, result: run.result, name: run.name };
    for (const [i, tr] of t.next.entries()) {
      const field = `tasks.${t.name}.next[${i}]`;
      try {
        if (!renderCondition(tr.when, this.scope({ current }), this.where(t.name, `${field}.when`))) continue;
        for (const [j, p] of tr.publish.entries()) {
          this.st.ctx[p.name] = renderValue(p.value, this.scope({ current }), this.where(t.name, `${field}.publish[${j}]`));
        }
      } catch (e) {
        return this.renderFailed(run.key, e);
      }
      for (const target of tr.do) {
        if (target === 'continue') continue;
        handled = true;
        if (target === 'fail') this.addError({ task: run.key, code: 'NRX_ERR_WORKFLOW', message: `task '${run.key}' ${run.status}; its transition says fail` });
        else if (target !== 'noop') targets.push({ target, index: i });
      }
    }
    // (`do: retry` became the task's retry policy when the file was read: see splits.ts)
    if (isFailure && !handled) {
      const code = run.error?.code ?? 'NRX_ERR_WORKFLOW';
      this.addError({
        task: run.key,
        code,
        message: `task '${run.key}' ${run.status}${run.error ? `: ${run.error.message}` : ''} (no transition handles the failure)`,
      });
    }
    if (failingBefore) return;
    for (const { target, index } of targets) this.enter(target, run, index);
  }

  /** Transition `index` of `from` names `target`: start it, or count an arrival at its barrier on this route. */
  enter(target: string, from: TaskRun, index: number): void {
    const t = this.spec.tasks[target]!;
    const route = routeInto(this.spec.splits ?? [], from.route ?? '', this.spec.tasks[from.name]!, index, target);
    if (t.join === null) return this.startTask(target, route);
    const j = (this.st.joins[joinKey(target, route)] ??= { arrived: [], fired: false, task: target, route });
    if (!j.fired && !j.arrived.includes(from.name)) j.arrived.push(from.name);
  }

  /** Send a command, or keep it for resume while the workflow is pausing or paused. */
  emit(cmd: StartCommand, run: TaskRun | null): boolean {
    if (this.st.status === 'pausing' || this.st.status === 'paused') {
      this.st.held.push(cmd);
      if (run) run.status = 'held';
      return true;
    }
    if (cmd.kind === 'runTask' && !this.countExecution(cmd.taskKey)) {
      if (run) this.settleRun(run, 'failed', null, null);
      return false;
    }
    this.out.push(cmd);
    this.st.inFlight.push(cmd.taskKey);
    if (run) run.status = 'running';
    return true;
  }

  /** The runaway guard: a loop that keeps starting actions fails the workflow instead of spinning. */
  private countExecution(taskKey: string): boolean {
    const limit = this.st.maxTaskExecutions ?? DEFAULT_MAX_TASK_EXECUTIONS;
    const used = this.st.taskExecutions ?? 0;
    if (used >= limit) {
      if (!this.failing)
        this.addError({
          task: taskKey,
          code: 'NRX_ERR_WORKFLOW_RUNAWAY',
          message: `task '${taskKey}' would be action run ${used + 1} of this workflow, past its limit of ${limit} (a loop that does not end? raise NETREFLEX_WORKFLOW_MAX_TASKS if it is meant to)`,
        });
      return false;
    }
    this.st.taskExecutions = used + 1;
    return true;
  }

  /** Open barriers whose inbound tasks have all arrived or can no longer arrive (each route on its own). */
  openJoins(countWaitingJoins: boolean): boolean {
    if (this.failing || this.st.status === 'canceling') return false;
    const order = new Map(this.spec.taskOrder.map((n, i) => [n, i]));
    const waiting = Object.entries(this.st.joins)
      .filter(([, j]) => !j.fired && j.arrived.length > 0)
      .map(([key, j]) => ({ key, task: j.task ?? key, route: j.route ?? '' }))
      .sort((a, b) => order.get(a.task)! - order.get(b.task)! || (a.key < b.key ? -1 : 1));
    for (const w of waiting) {
      // what can still arrive is read on this join's own route: other branches have their own join
      const others = new Set<string>();
      for (const r of Object.values(this.st.runs)) if ((r.status === 'running' || r.status === 'held') && (r.route ?? '') === w.route) others.add(r.name);
      if (countWaitingJoins) for (const o of waiting) if (o.route === w.route && o.key !== w.key) others.add(o.task);
      others.delete(w.task);
      if (joinDecision(this.spec, w.task, this.st.joins[w.key]!.arrived, others) === 'ready') {
        this.st.joins[w.key]!.fired = true;
        this.startTask(w.task, w.route);
        return true;
      }
    }
    return false;
  }
}
