import { describeError } from '../../core/errors.js';
import { renderValue } from '../../core/template.js';
import {
  DEFAULT_MAX_TASK_EXECUTIONS,
  type Conductor,
  type ConductorCommand,
  type ConductorEvent,
  type HostNames,
  type Step,
  type TaskOutcome,
  type WorkflowStatus,
} from '../conductor.js';
import type { ChainNode, ChainSpec } from './spec.js';
import { type ChainError, type ChainState, type ChainTaskRun, inFlight, jsonSafe, nextTaskKey } from './state.js';

/**
 * StackStorm's ActionChain as a pure conductor: one node at a time, on-success or
 * on-failure picks the next, no next node ends the chain. A chain in which any node
 * failed ends failed even when its on-failure path (a rollback) ran to completion.
 */

/** Where each task outcome sends the chain. */
const OUTCOME_ROUTE: Record<TaskOutcome, 'on-success' | 'on-failure' | 'cancel'> = {
  succeeded: 'on-success',
  failed: 'on-failure',
  timeout: 'on-failure',
  abandoned: 'on-failure',
  // A node canceled from outside (its execution canceled) cancels the chain, as in st2.
  canceled: 'cancel',
};

/** Errors recorded for a node that did not succeed, when the runner gave none. */
const OUTCOME_ERROR: Record<Exclude<TaskOutcome, 'succeeded'>, { code: string; verb: string }> = {
  failed: { code: 'NRX_ERR_WORKFLOW', verb: 'failed' },
  timeout: { code: 'NRX_ERR_TIMEOUT', verb: 'timed out' },
  abandoned: { code: 'NRX_ERR_ABANDONED', verb: 'was abandoned (in flight when the appliance stopped)' },
  canceled: { code: 'NRX_ERR_CANCELED', verb: 'was canceled' },
};

type ControlKind = 'pause' | 'resume' | 'cancel';
type ControlMove = 'hold' | 'unhold' | 'dispatchHeld' | 'cancel' | 'ignore';

/**
 * Operator controls by workflow status. A running chain always has one node in flight.
 * A control that does not apply (resume a running chain, cancel a finished one) changes
 * nothing rather than throwing: an engine that fails a workflow on a conductor error
 * must not lose a healthy chain to a stray click. The engine reads `status()` first to
 * answer such a request with NRX_ERR_INVALID_STATE.
 */
const CONTROL: Record<WorkflowStatus, Record<ControlKind, ControlMove>> = {
  running: { pause: 'hold', resume: 'ignore', cancel: 'cancel' },
  pausing: { pause: 'ignore', resume: 'unhold', cancel: 'cancel' },
  paused: { pause: 'ignore', resume: 'dispatchHeld', cancel: 'cancel' },
  canceling: { pause: 'ignore', resume: 'ignore', cancel: 'ignore' },
  succeeded: { pause: 'ignore', resume: 'ignore', cancel: 'ignore' },
  failed: { pause: 'ignore', resume: 'ignore', cancel: 'ignore' },
  canceled: { pause: 'ignore', resume: 'ignore', cancel: 'ignore' },
};

const FINISHED: ReadonlySet<WorkflowStatus> = new Set(['succeeded', 'failed', 'canceled']);

export const actionChainConductor: Conductor<ChainSpec, ChainState> = {
  start(spec, input, _now, env = {}, names = {}, limits = {}) {
    const state: ChainState = {
      status: 'running',
      input: jsonSafe(input),
      env: jsonSafe(env),
      vars: {},
      published: {},
      results: {},
      tasks: [],
      heldNode: null,
      anyFailed: false,
      errors: [],
      maxTaskExecutions: limits.maxTaskExecutions ?? DEFAULT_MAX_TASK_EXECUTIONS,
    };
    // vars render in file order; each sees the input and the vars above it.
    for (const v of spec.vars) {
      try {
        const where = { file: spec.file, ...(v.line !== null ? { line: v.line } : {}), field: `vars.${v.name}` };
        state.vars[v.name] = jsonSafe(renderValue(v.value, { ...names, ...state.input, ...state.vars, ...state.env }, where));
      } catch (e) {
        const d = describeError(e);
        state.errors.push({ code: d.code, message: `chain vars: ${d.message}` });
        return finish(state, 'failed');
      }
    }
    return dispatch(spec, state, spec.default, names);
  },

  step(spec, state, event, names = {}) {
    switch (event.kind) {
      case 'taskCompleted':
        return taskCompleted(spec, state, event, names);
      case 'pause':
      case 'resume':
      case 'cancel':
        return control(spec, state, event.kind, names);
      case 'eventArrived':
        // An ActionChain has no wait_for tasks; such an event is not for us.
        return { state, commands: [] };
    }
  },

  status(state) {
    return state.status;
  },
};

function taskCompleted(spec: ChainSpec, state: ChainState, event: Extract<ConductorEvent, { kind: 'taskCompleted' }>, names: HostNames): Step<ChainState> {
  const run = state.tasks.find((t) => t.key === event.taskKey);
  // Late or duplicate reports (after cancel, after a restart) change nothing.
  if (!run || run.status !== 'running' || FINISHED.has(state.status)) return { state, commands: [] };

  const result = jsonSafe(event.result);
  const done: ChainTaskRun = {
    ...run,
    status: event.status,
    result,
    ...(event.error ? { error: { code: event.error.code, message: event.error.message } } : {}),
  };
  const next: ChainState = {
    ...state,
    tasks: state.tasks.map((t) => (t.key === run.key ? done : t)),
    results: { ...state.results, [run.name]: result },
    errors: [...state.errors],
  };

  const node = spec.nodes.find((n) => n.name === run.name);
  if (!node) {
    next.errors.push({ task: run.name, code: 'NRX_ERR_WORKFLOW', message: `${spec.file}: node '${run.name}' is no longer in the chain` });
    return finish(next, 'failed');
  }

  if (event.status !== 'succeeded') {
    next.anyFailed = next.anyFailed || event.status !== 'canceled';
    const fallback = OUTCOME_ERROR[event.status];
    next.errors.push({
      task: run.key,
      code: event.error?.code ?? fallback.code,
      message: event.error?.message ?? `task '${run.key}' (${node.ref}) ${fallback.verb}`,
    });
  }

  // StackStorm publishes after every completed run, whatever its status.
  if (node.publish) {
    const rendered = renderNodeMapping(spec, node, 'publish', next, names);
    if ('error' in rendered) {
      next.errors.push(rendered.error);
      return finish(next, 'failed');
    }
    next.vars = { ...next.vars, ...rendered.values };
    next.published = { ...next.published, ...rendered.values };
  }

  const route = OUTCOME_ROUTE[event.status];
  if (route === 'cancel') return finish(next, 'canceled');
  const target = route === 'on-success' ? node.onSuccess : node.onFailure;
  if (target === null) return finish(next, next.anyFailed ? 'failed' : 'succeeded');
  if (state.status === 'pausing') return { state: { ...next, status: 'paused', heldNode: target }, commands: [] };
  return dispatch(spec, next, target, names);
}

function control(spec: ChainSpec, state: ChainState, kind: ControlKind, names: HostNames): Step<ChainState> {
  const move = CONTROL[state.status][kind];
  switch (move) {
    case 'ignore':
      return { state, commands: [] };
    case 'hold':
      // The node in flight finishes; its successor is held instead of started.
      return { state: { ...state, status: inFlight(state) ? 'pausing' : 'paused' }, commands: [] };
    case 'unhold':
      return { state: { ...state, status: 'running' }, commands: [] };
    case 'dispatchHeld': {
      const held = state.heldNode;
      const resumed: ChainState = { ...state, status: 'running', heldNode: null };
      if (held === null) return finish(resumed, resumed.anyFailed ? 'failed' : 'succeeded');
      return dispatch(spec, resumed, held, names);
    }
    case 'cancel': {
      const running = inFlight(state);
      const canceled: ChainState = {
        ...state,
        heldNode: null,
        tasks: state.tasks.map((t) => (t.status === 'running' ? { ...t, status: 'canceled' } : t)),
      };
      const done = finish(canceled, 'canceled');
      return running ? { state: done.state, commands: [{ kind: 'cancelTask', taskKey: running.key }, ...done.commands] } : done;
    }
  }
}

/** Render a node's parameters and start it, or fail the chain if they do not render. */
function dispatch(spec: ChainSpec, state: ChainState, nodeName: string, names: HostNames): Step<ChainState> {
  const node = spec.nodes.find((n) => n.name === nodeName);
  if (!node) {
    const errors = [...state.errors, { task: nodeName, code: 'NRX_ERR_WORKFLOW', message: `${spec.file}: no node named '${nodeName}' in the chain` }];
    return finish({ ...state, errors }, 'failed');
  }
  const limit = state.maxTaskExecutions ?? DEFAULT_MAX_TASK_EXECUTIONS;
  if (state.tasks.length >= limit) {
    // a chain that loops on itself (on-success back to an earlier node) fails instead of spinning
    const message = `node '${node.name}' would be node run ${state.tasks.length + 1} of this chain, past its limit of ${limit} (a loop that does not end? raise NETREFLEX_WORKFLOW_MAX_TASKS if it is meant to)`;
    return finish({ ...state, errors: [...state.errors, { task: node.name, code: 'NRX_ERR_WORKFLOW_RUNAWAY', message }] }, 'failed');
  }
  const rendered = renderNodeMapping(spec, node, 'parameters', state, names);
  if ('error' in rendered) return finish({ ...state, errors: [...state.errors, rendered.error] }, 'failed');
  const key = nextTaskKey(state, node.name);
  const run: ChainTaskRun = { name: node.name, key, status: 'running', result: null };
  const command: ConductorCommand = {
    kind: 'runTask',
    taskKey: key,
    taskName: node.name,
    itemIndex: null,
    action: node.ref,
    input: rendered.values,
    notBefore: null,
    timeoutMs: null,
  };
  return { state: { ...state, tasks: [...state.tasks, run] }, commands: [command] };
}

/**
 * What a node's templates see, lowest precedence first: the host's names (st2kv), the
 * chain's input, each completed node's result under its name, vars and published values,
 * `__results`, and the run's env (action_context), as StackStorm's runner builds it.
 */
function templateContext(state: ChainState, names: HostNames): Record<string, unknown> {
  return { ...names, ...state.input, ...state.results, ...state.vars, __results: state.results, ...state.env };
}

function renderNodeMapping(
  spec: ChainSpec,
  node: ChainNode,
  which: 'parameters' | 'publish',
  state: ChainState,
  names: HostNames,
): { values: Record<string, unknown> } | { error: ChainError } {
  const raw = which === 'parameters' ? node.parameters : (node.publish ?? {});
  const field = which === 'parameters' ? node.parametersField : 'publish';
  const lines = which === 'parameters' ? node.parameterLines : node.publishLines;
  const context = templateContext(state, names);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const line = lines[key] ?? node.line;
    const where = { file: spec.file, ...(line !== null ? { line } : {}), field: `chain[${node.index}].${field}.${key}` };
    try {
      values[key] = jsonSafe(renderValue(value, context, where));
    } catch (e) {
      const d = describeError(e);
      return { error: { task: node.name, code: d.code, message: `node '${node.name}' ${field} '${key}': ${d.message}` } };
    }
  }
  return { values };
}

function finish(state: ChainState, status: 'succeeded' | 'failed' | 'canceled'): Step<ChainState> {
  const final: ChainState = { ...state, status, heldNode: null };
  const output = {
    published: final.published,
    tasks: final.tasks.map((t) => ({ name: t.name, status: t.status, result: t.result })),
  };
  return { state: final, commands: [{ kind: 'complete', status, output, errors: final.errors }] };
}
