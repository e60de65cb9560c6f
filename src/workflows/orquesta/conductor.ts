import { renderValue } from '../../core/template.js';
import type { Conductor, ConductorEvent, Step, TaskOutcome, WorkflowStatus } from '../conductor.js';
import { joinDecision } from './joins.js';
import type { OrquestaSpec } from './model.js';
import { DEFAULT_MAX_TASK_EXECUTIONS, OrquestaStep } from './step.js';
import { trustedCommandInputs } from './whole-command.js';
import type { OrquestaState, TaskRun } from './state.js';

export { taskPath, type OrquestaState, type TaskPathEntry } from './state.js';

/** Operator requests, as a table: the status each request moves a workflow from/to. */
const ON_REQUEST: Record<'pause' | 'resume' | 'cancel', Partial<Record<WorkflowStatus, WorkflowStatus>>> = {
  pause: { running: 'pausing' },
  resume: { pausing: 'running', paused: 'running' },
  cancel: { running: 'canceling', pausing: 'canceling', paused: 'canceling' },
};

const FINAL: ReadonlySet<WorkflowStatus> = new Set(['succeeded', 'failed', 'canceled']);
const ITEM_KEY = /^(.*)\[(\d+)\]$/;

/** Default error for outcomes that arrive without one. */
function outcomeError(status: TaskOutcome, given: { code: string; message: string } | undefined): { code: string; message: string } | null {
  if (status === 'abandoned')
    return { code: 'NRX_ERR_ABANDONED', message: given?.message ?? 'the task was in flight when the appliance stopped and was not re-run' };
  if (status === 'timeout') return given ?? { code: 'NRX_ERR_TIMEOUT', message: 'the task ran past its timeout' };
  return given ?? null;
}

export const orquestaConductor: Conductor<OrquestaSpec, OrquestaState> = {
  start(spec, input, now, env = {}, names = {}, limits = {}) {
    const st: OrquestaState = {
      format: 'orquesta/1',
      status: 'running',
      ctx: {},
      env: structuredClone(env),
      runs: {},
      order: [],
      runCount: {},
      inFlight: [],
      held: [],
      joins: {},
      errors: [],
      taskExecutions: 0,
      maxTaskExecutions: limits.maxTaskExecutions ?? DEFAULT_MAX_TASK_EXECUTIONS,
      commandInputs: trustedCommandInputs(spec.commandInputs ?? [], spec.input, input, limits.trustedCommands === true),
      output: null,
      startedAt: now,
      finishedAt: null,
    };
    const c = new OrquestaStep(spec, st, now, names);
    try {
      spec.input.forEach((decl, i) => {
        if (Object.prototype.hasOwnProperty.call(input, decl.name)) st.ctx[decl.name] = structuredClone(input[decl.name]);
        else st.ctx[decl.name] = 'value' in decl ? renderValue(decl.value, c.scope(), c.where(null, `input[${i}]`)) : null;
      });
      // Parameters the workflow does not declare still reach ctx(): StackStorm passes them all.
      for (const [k, v] of Object.entries(input)) if (!(k in st.ctx)) st.ctx[k] = structuredClone(v);
      spec.vars.forEach((decl, i) => {
        st.ctx[decl.name] = renderValue(decl.value, c.scope(), c.where(null, `vars[${i}]`));
      });
    } catch (e) {
      c.renderFailed(undefined, e);
      complete(c, 'failed');
      return { state: st, commands: c.out };
    }
    for (const name of spec.startTasks) c.startTask(name);
    settle(c);
    return { state: st, commands: c.out };
  },

  step(spec, state, event, names = {}) {
    const st = structuredClone(state);
    const c = new OrquestaStep(spec, st, event.now, names);
    if (FINAL.has(st.status)) return { state: st, commands: [] };
    switch (event.kind) {
      case 'taskCompleted':
        taskCompleted(c, event.taskKey, event.status, event.result, outcomeError(event.status, event.error));
        break;
      case 'eventArrived': {
        const run = st.runs[event.taskKey];
        if (!run || !spec.tasks[run.name]?.waitFor || !takeInFlight(st, event.taskKey)) break;
        if (st.status === 'canceling') c.settleRun(run, 'succeeded', event.event, null);
        else c.finish(run, 'succeeded', event.event, null);
        break;
      }
      case 'pause':
      case 'resume':
      case 'cancel':
        request(c, event.kind);
        break;
    }
    settle(c);
    return { state: st, commands: c.out } satisfies Step<OrquestaState>;
  },

  status(state) {
    return state.status;
  },
};

function takeInFlight(st: OrquestaState, key: string): boolean {
  const i = st.inFlight.indexOf(key);
  if (i === -1) return false;
  st.inFlight.splice(i, 1);
  return true;
}

function taskCompleted(c: OrquestaStep, key: string, status: TaskOutcome, result: unknown, error: { code: string; message: string } | null): void {
  const st = c.st;
  // Unknown or already finished keys are redeliveries after a crash: ignore them.
  if (!takeInFlight(st, key)) return;
  const item = ITEM_KEY.exec(key);
  if (item) {
    const run = st.runs[item[1]!];
    if (run?.items) c.itemDone(run, Number(item[2]), status, result ?? null, error);
    return;
  }
  const run = st.runs[key];
  if (!run) return;
  if (st.status === 'canceling') return c.settleRun(run, status, result ?? null, error);
  if (status === 'canceled') {
    // A task canceled under us (not by a workflow cancel) cancels the workflow, as in Orquesta.
    c.settleRun(run, 'canceled', result ?? null, error);
    return request(c, 'cancel');
  }
  c.finish(run, status, result ?? null, error);
}

function request(c: OrquestaStep, kind: 'pause' | 'resume' | 'cancel'): void {
  const st = c.st;
  const to = ON_REQUEST[kind][st.status];
  if (!to) return; // not applicable in this status: idempotent no-op
  st.status = to;
  if (kind === 'resume') {
    const held = st.held;
    st.held = [];
    for (const cmd of held) c.emit(cmd, st.runs[cmd.taskKey] ?? null);
    for (const run of Object.values(st.runs)) if (run.items && run.status === 'running') c.fillItems(run);
  } else if (kind === 'cancel') {
    for (const cmd of st.held) {
      const run = st.runs[cmd.taskKey];
      if (run) c.settleRun(run, 'canceled', null, null);
    }
    st.held = [];
    for (const key of st.inFlight) c.out.push({ kind: 'cancelTask', taskKey: key });
  }
}

/** After every event: close finished with-items tasks, open barriers, and finish the workflow when idle. */
function settle(c: OrquestaStep): void {
  const st = c.st;
  for (;;) {
    if (FINAL.has(st.status)) return;
    if (st.status === 'canceling') {
      if (st.inFlight.length === 0) complete(c, 'canceled');
      return;
    }
    for (const run of Object.values(st.runs)) if (run.items && run.status === 'running') c.closeItemsIfDone(run);
    if (c.openJoins(true)) continue;
    if (st.inFlight.length === 0 && st.held.length === 0 && c.openJoins(false)) continue;
    break;
  }
  if (st.inFlight.length > 0) return;
  const itemsLeft = Object.values(st.runs).some((r) => r.items && r.status === 'running');
  if (st.held.length > 0 || itemsLeft) {
    if (st.status === 'pausing') st.status = 'paused';
    return;
  }
  unmetJoins(c);
  complete(c, c.failing ? 'failed' : 'succeeded');
}

/** A `join: N` barrier that some tasks reached but that can no longer open fails the workflow. */
function unmetJoins(c: OrquestaStep): void {
  if (c.failing) return;
  for (const [key, j] of Object.entries(c.st.joins)) {
    const name = j.task ?? key;
    if (j.fired || j.arrived.length === 0) continue;
    if (joinDecision(c.spec, name, j.arrived, new Set()) === 'never') {
      c.addError({
        task: name,
        code: 'NRX_ERR_WORKFLOW',
        message: `join ${String(c.spec.tasks[name]!.join)} of task '${name}' was not met: only ${j.arrived.join(', ')} arrived`,
      });
    }
  }
}

function complete(c: OrquestaStep, wanted: 'succeeded' | 'failed' | 'canceled'): void {
  const st = c.st;
  let status = wanted;
  const output: Record<string, unknown> = {};
  const outCtx = { ...st.ctx };
  try {
    c.spec.output.forEach((o, i) => {
      output[o.name] = renderValue(o.value, c.scope({}, outCtx), c.where(null, `output[${i}]`));
      outCtx[o.name] = output[o.name];
    });
  } catch (e) {
    c.renderFailed(undefined, e);
    if (status === 'succeeded') status = 'failed';
  }
  if (status === 'canceled') {
    st.errors.push({ code: 'NRX_ERR_CANCELED', message: 'the workflow was canceled' });
    for (const run of Object.values(st.runs) as TaskRun[])
      if (run.status === 'running' || run.status === 'held') c.settleRun(run, 'canceled', run.result, null);
  }
  st.status = status;
  st.output = output;
  st.finishedAt = c.now;
  c.out.push({ kind: 'complete', status, output, errors: status === 'succeeded' ? [] : [...st.errors] });
}
