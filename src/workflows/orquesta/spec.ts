import { parseDuration } from '../../core/duration.js';
import { shellTemplateProblemsIn } from '../../core/shell-command.js';
import { isTemplate } from '../../core/template.js';
import { specError, type YamlSource } from '../../core/spec-error.js';
import { compileProblem, normaliseExpression, normaliseTemplates, templatesIn } from './expressions.js';
import { parseInlineArgs, splitActionRef } from './inline.js';
import { retryCommandPolicy, splitTasks } from './splits.js';
import { commandInputsOf, wholeCommandInput } from './whole-command.js';
import {
  ENGINE_COMMANDS,
  type DurationSpec,
  type NamedValue,
  type OrquestaSpec,
  type RetrySpec,
  type TaskSpec,
  type TransitionSpec,
  type WaitForSpec,
  type WithItemsSpec,
} from './model.js';

export * from './model.js';

type Path = Array<string | number>;

const TOP_KEYS = new Set(['version', 'description', 'input', 'vars', 'output', 'tasks']);
const TASK_KEYS = new Set(['action', 'input', 'next', 'join', 'with', 'retry', 'delay', 'timeout', 'wait_for']);
const NEXT_KEYS = new Set(['when', 'publish', 'do']);
const TASK_NAME = /^[A-Za-z_][\w.-]*$/;
const VAR_NAME = /^[A-Za-z_][\w]*$/;
/** input, vars, publish and output names: orquesta also takes periods (read as ctx()['a.b']). */
const CONTEXT_NAME = /^[A-Za-z_][\w]*(\.[A-Za-z_\d][\w]*)*$/;
const ACTION_REF = /^[\w-]+(\.[\w-]+)+$/;

/**
 * Parse and inspect an Orquesta-style workflow. Every problem is an NRX_ERR_SPEC_INVALID
 * naming file, line and field; the first one found is thrown.
 */
export function parseOrquesta(src: YamlSource): OrquestaSpec {
  const fail = (path: Path, msg: string): never => {
    throw specError(src, path, msg);
  };
  const doc = src.doc;
  if (!isMap(doc)) return fail([], 'a workflow must be a YAML mapping with version and tasks');
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) fail([k], `unknown field '${k}' (expected one of: ${[...TOP_KEYS].join(', ')})`);
  if (doc.version === undefined) fail([], "missing field 'version' (use version: 1.0)");
  if (String(doc.version) !== '1' && String(doc.version) !== '1.0') fail(['version'], `unsupported version ${JSON.stringify(doc.version)} (use 1.0)`);
  if (doc.description !== undefined && typeof doc.description !== 'string') fail(['description'], 'description must be text');

  const input = namedList(doc.input, ['input'], true, fail);
  const vars = namedList(doc.vars, ['vars'], false, fail);
  const output = namedList(doc.output, ['output'], false, fail);

  if (!isMap(doc.tasks) || Object.keys(doc.tasks).length === 0)
    fail(doc.tasks === undefined ? [] : ['tasks'], "'tasks' must be a mapping with at least one task");
  const rawTasks = doc.tasks as Record<string, unknown>;
  const tasks: Record<string, TaskSpec> = {};
  for (const [name, raw] of Object.entries(rawTasks)) tasks[name] = retryCommandPolicy(parseTask(src, name, raw, fail));

  const { inbound, outbound } = linkTasks(tasks, fail);
  const taskOrder = Object.keys(tasks);
  for (const name of taskOrder) checkJoin(tasks[name]!, inbound[name]!, fail);
  const startTasks = taskOrder.filter((n) => inbound[n]!.length === 0);
  if (startTasks.length === 0) fail(['tasks'], 'no task to start with: every task is named by some do (a loop with no entry)');

  const spec: OrquestaSpec = {
    file: src.file,
    version: '1.0',
    description: typeof doc.description === 'string' ? doc.description : null,
    input,
    vars,
    output,
    tasks,
    taskOrder,
    startTasks,
    inbound,
    outbound,
    splits: splitTasks(tasks, outbound),
    commandInputs: commandInputsOf(tasks, input),
  };
  checkTemplates(doc, fail);
  for (const name of taskOrder) {
    // a template where the shell would parse its value (core.local cmd) is refused here, with a hint
    // ...except a cmd that is, whole, one of the workflow's inputs: checked when it runs (whole-command.ts)
    const t = tasks[name]!;
    const checked = wholeCommandInput(t, input) === null ? t.input : { ...t.input, cmd: undefined };
    const unsafe = shellTemplateProblemsIn(checked, ['tasks', name, 'input'])[0];
    if (unsafe) fail(unsafe.path, unsafe.message);
  }
  return spec;
}

type Fail = (path: Path, msg: string) => never;

function parseTask(src: YamlSource, name: string, raw: unknown, fail: Fail): TaskSpec {
  const at = (...p: Path): Path => ['tasks', name, ...p];
  if (ENGINE_COMMANDS.has(name)) fail(at(), `'${name}' is a reserved word (an engine command under do) and cannot name a task`);
  if (!TASK_NAME.test(name)) fail(at(), `task name '${name}' must start with a letter or _ and hold only letters, digits, _, - and .`);
  if (raw === null || raw === undefined) raw = {};
  if (!isMap(raw)) return fail(at(), 'a task must be a mapping (action, input, next...)');
  for (const k of Object.keys(raw)) if (!TASK_KEYS.has(k)) fail(at(k), `unknown task field '${k}' (expected one of: ${[...TASK_KEYS].join(', ')})`);

  let action: string | null = null;
  let input: Record<string, unknown> = {};
  if (raw.action !== undefined) {
    if (typeof raw.action !== 'string' || raw.action.trim() === '') fail(at('action'), 'action must be a pack.action reference');
    const { ref, rest } = splitActionRef(raw.action as string);
    if (!ACTION_REF.test(ref)) fail(at('action'), `'${ref}' is not a pack.action reference`);
    action = ref;
    const inline = parseInlineArgs(rest);
    if (!inline.ok) return fail(at('action'), `bad inline input: ${inline.reason}`);
    input = Object.fromEntries(inline.pairs);
  }
  if (raw.input !== undefined && raw.input !== null) {
    if (!isMap(raw.input)) fail(at('input'), 'input must be a mapping of parameter: value');
    input = { ...input, ...(raw.input as Record<string, unknown>) };
  }

  const waitFor = raw.wait_for === undefined ? null : parseWaitFor(raw.wait_for, at('wait_for'), fail);
  if (waitFor && action) fail(at('wait_for'), 'a task has either action or wait_for, not both');
  const withItems = raw.with === undefined ? null : parseWith(raw.with, at('with'), fail);
  if (withItems && waitFor) fail(at('with'), 'with-items needs an action; wait_for cannot iterate');
  if (waitFor && raw.delay !== undefined) fail(at('delay'), 'delay does not apply to wait_for (the wait starts when the task is reached)');
  const retry = raw.retry === undefined ? null : parseRetry(raw.retry, at('retry'), fail);
  const delay = raw.delay === undefined ? null : duration(raw.delay, at('delay'), fail);
  const timeout = raw.timeout === undefined ? null : duration(raw.timeout, at('timeout'), fail);
  if (!action && !waitFor) {
    // Without an action the task only routes; anything that configures a run is a mistake.
    const needsAction = (['input', 'with', 'retry', 'delay', 'timeout'] as const).find((k) => raw[k] !== undefined);
    if (needsAction) fail(at(needsAction), `task '${name}' has ${needsAction} but no action (add action:, or wait_for:)`);
  }

  let join: TaskSpec['join'] = null;
  if (raw.join !== undefined) {
    if (raw.join === 'all') join = 'all';
    else if (Number.isInteger(raw.join) && (raw.join as number) >= 1) join = raw.join as number;
    else fail(at('join'), `join must be 'all' or a positive integer, not ${JSON.stringify(raw.join)}`);
  }

  const next: TransitionSpec[] = [];
  if (raw.next !== undefined && raw.next !== null) {
    if (!Array.isArray(raw.next)) fail(at('next'), 'next must be a list of transitions (- when: ..., publish: ..., do: ...)');
    (raw.next as unknown[]).forEach((t, i) => next.push(parseTransition(t, at('next', i), fail)));
  }

  return {
    name,
    line: src.lineOf(at()) ?? null,
    action,
    input: normaliseTemplates(input) as Record<string, unknown>,
    join,
    with: withItems,
    retry,
    delay,
    timeout,
    waitFor,
    next,
  };
}

function parseTransition(raw: unknown, path: Path, fail: Fail): TransitionSpec {
  if (!isMap(raw)) return fail(path, 'a transition must be a mapping with when, publish and/or do');
  for (const k of Object.keys(raw)) if (!NEXT_KEYS.has(k)) fail([...path, k], `unknown transition field '${k}' (expected when, publish, do)`);
  const when = raw.when === undefined || raw.when === null ? null : raw.when;
  if (when !== null && typeof when !== 'string' && typeof when !== 'boolean') fail([...path, 'when'], 'when must be an expression such as <% succeeded() %>');
  let publish: NamedValue[] = [];
  if (typeof raw.publish === 'string') {
    const inline = parseInlineArgs(raw.publish);
    if (!inline.ok) fail([...path, 'publish'], `bad publish shorthand: ${inline.reason}`);
    else publish = inline.pairs.map(([name, value]) => ({ name, value: normaliseTemplates(value) }));
  } else publish = namedList(raw.publish, [...path, 'publish'], false, fail);
  return { when: typeof when === 'string' ? normaliseExpression(when) : when, publish, do: doList(raw.do, [...path, 'do'], fail) };
}

function doList(raw: unknown, path: Path, fail: Fail): string[] {
  if (raw === undefined || raw === null) return [];
  const names =
    typeof raw === 'string'
      ? raw.split(',').map((s) => s.trim())
      : Array.isArray(raw)
        ? raw
        : fail(path, 'do must be a task name, a comma-separated list or a list');
  return names.map((n, i) => {
    if (typeof n !== 'string' || n.trim() === '') fail(Array.isArray(raw) ? [...path, i] : path, `do entry ${JSON.stringify(n)} is not a task name`);
    return (n as string).trim();
  });
}

function parseWith(raw: unknown, path: Path, fail: Fail): WithItemsSpec {
  let items: unknown;
  let concurrency: WithItemsSpec['concurrency'] = null;
  if (typeof raw === 'string' || Array.isArray(raw)) items = raw;
  else if (isMap(raw)) {
    for (const k of Object.keys(raw)) if (k !== 'items' && k !== 'concurrency') fail([...path, k], `unknown with field '${k}' (expected items, concurrency)`);
    if (raw.items === undefined) fail(path, "with-items needs 'items'");
    items = raw.items;
    const c = raw.concurrency;
    if (c !== undefined && c !== null) {
      if (typeof c === 'string' && isTemplate(c)) concurrency = normaliseExpression(c);
      else if (Number.isInteger(c) && (c as number) >= 1) concurrency = c as number;
      else fail([...path, 'concurrency'], `concurrency must be a positive integer or an expression, not ${JSON.stringify(c)}`);
    }
  } else return fail(path, 'with must be an expression, a list, or {items, concurrency}');
  const itemsPath = typeof raw === 'string' || Array.isArray(raw) ? path : [...path, 'items'];
  let names: string[] = [];
  if (typeof items === 'string') {
    const m = /^\s*([^<{]*?)\s+in\s+(\S[\s\S]*)$/.exec(items);
    if (m && !isTemplate(m[1]!)) {
      names = m[1]!.split(',').map((s) => s.trim());
      for (const n of names) if (!VAR_NAME.test(n)) fail(itemsPath, `item name '${n}' in ${JSON.stringify(items)} is not a valid name`);
      items = m[2]!.trim();
    }
    if (!isTemplate(items as string)) fail(itemsPath, `items ${JSON.stringify(items)} must be an expression that gives a list (e.g. <% ctx(devices) %>)`);
    items = normaliseExpression(items as string);
  } else if (!Array.isArray(items)) fail(itemsPath, 'items must be an expression or a list');
  else items = normaliseTemplates(items);
  return { names, items, concurrency };
}

function parseRetry(raw: unknown, path: Path, fail: Fail): RetrySpec {
  if (!isMap(raw)) return fail(path, 'retry must be a mapping with count (and optional when, delay)');
  for (const k of Object.keys(raw)) if (!['when', 'count', 'delay'].includes(k)) fail([...path, k], `unknown retry field '${k}' (expected when, count, delay)`);
  if (!Number.isInteger(raw.count) || (raw.count as number) < 0)
    fail([...path, 'count'], `retry count must be a whole number >= 0, not ${JSON.stringify(raw.count)}`);
  const when = raw.when === undefined || raw.when === null ? null : raw.when;
  if (when !== null && typeof when !== 'string' && typeof when !== 'boolean') fail([...path, 'when'], 'retry when must be an expression');
  return {
    when: typeof when === 'string' ? normaliseExpression(when) : when,
    count: raw.count as number,
    delay: raw.delay === undefined || raw.delay === null ? null : duration(raw.delay, [...path, 'delay'], fail),
  };
}

function parseWaitFor(raw: unknown, path: Path, fail: Fail): WaitForSpec {
  if (!isMap(raw)) return fail(path, 'wait_for must be a mapping with trigger, criteria and timeout');
  for (const k of Object.keys(raw))
    if (!['trigger', 'criteria', 'timeout'].includes(k)) fail([...path, k], `unknown wait_for field '${k}' (expected trigger, criteria, timeout)`);
  if (typeof raw.trigger !== 'string' || raw.trigger.trim() === '') fail([...path, 'trigger'], 'wait_for needs a trigger type reference');
  const criteria: WaitForSpec['criteria'] = {};
  if (raw.criteria !== undefined && raw.criteria !== null) {
    if (!isMap(raw.criteria)) fail([...path, 'criteria'], 'criteria must be a mapping of field: {type, pattern}');
    for (const [field, c] of Object.entries(raw.criteria as Record<string, unknown>)) {
      if (!isMap(c) || typeof c.type !== 'string') fail([...path, 'criteria', field], `criterion '${field}' needs a type (equals, regex, ...)`);
      const crit = c as Record<string, unknown>;
      criteria[field] = { type: crit.type as string, ...(crit.pattern !== undefined ? { pattern: normaliseTemplates(crit.pattern) } : {}) };
    }
  }
  return {
    trigger: (raw.trigger as string).trim(),
    criteria,
    timeout: raw.timeout === undefined || raw.timeout === null ? null : duration(raw.timeout, [...path, 'timeout'], fail),
  };
}

function duration(raw: unknown, path: Path, fail: Fail): DurationSpec {
  if (typeof raw === 'string' && isTemplate(raw)) return normaliseExpression(raw);
  try {
    return parseDuration(raw);
  } catch {
    return fail(path, `invalid duration ${JSON.stringify(raw)} (seconds, or e.g. 500ms, 15s, 10m, 1h, or an expression)`);
  }
}

/** input/vars/output/publish: a list of names or single-key maps, or one mapping. */
function namedList(raw: unknown, path: Path, namesAllowed: boolean, fail: Fail): NamedValue[] {
  if (raw === undefined || raw === null) return [];
  const out: NamedValue[] = [];
  const seen = new Set<string>();
  const add = (name: string, p: Path, value?: unknown, hasValue = true): void => {
    if (!CONTEXT_NAME.test(name)) fail(p, `'${name}' is not a valid variable name`);
    if (seen.has(name)) fail(p, `duplicate name '${name}'`);
    seen.add(name);
    out.push(hasValue ? { name, value: normaliseTemplates(value) } : { name });
  };
  if (isMap(raw)) for (const [k, v] of Object.entries(raw)) add(k, [...path, k], v);
  else if (Array.isArray(raw)) {
    raw.forEach((entry, i) => {
      if (typeof entry === 'string' && namesAllowed) add(entry, [...path, i], undefined, false);
      else if (isMap(entry) && Object.keys(entry).length === 1) {
        const [k, v] = Object.entries(entry)[0]!;
        add(k, [...path, i], v);
      } else fail([...path, i], namesAllowed ? 'each entry must be a name or a single name: default' : 'each entry must be a single name: value mapping');
    });
  } else fail(path, 'must be a list of name: value entries or a mapping');
  return out;
}

/** Edges of the task graph, each once, in file order: O(tasks + transitions), loops included. */
function linkTasks(tasks: Record<string, TaskSpec>, fail: Fail): { inbound: Record<string, string[]>; outbound: Record<string, string[]> } {
  const inbound = new Map<string, Set<string>>();
  const outbound = new Map<string, Set<string>>();
  for (const name of Object.keys(tasks)) {
    inbound.set(name, new Set());
    outbound.set(name, new Set());
  }
  for (const t of Object.values(tasks)) {
    t.next.forEach((tr, i) => {
      tr.do.forEach((target) => {
        if (ENGINE_COMMANDS.has(target)) return;
        if (!Object.prototype.hasOwnProperty.call(tasks, target)) fail(['tasks', t.name, 'next', i, 'do'], `do names unknown task '${target}'`);
        outbound.get(t.name)!.add(target);
        inbound.get(target)!.add(t.name);
      });
    });
  }
  const lists = (m: Map<string, Set<string>>): Record<string, string[]> => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));
  return { inbound: lists(inbound), outbound: lists(outbound) };
}

function checkJoin(t: TaskSpec, inbound: string[], fail: Fail): void {
  if (t.join === null) return;
  if (inbound.length === 0) fail(['tasks', t.name, 'join'], `task '${t.name}' has join but no task transitions to it`);
  if (typeof t.join === 'number' && t.join > inbound.length) {
    fail(['tasks', t.name, 'join'], `join ${t.join} can never be met: only ${inbound.length} task(s) transition to '${t.name}' (${inbound.join(', ')})`);
  }
}

/** Report template syntax errors at load time, where the line is known. */
function checkTemplates(doc: Record<string, unknown>, fail: Fail): void {
  const found: Array<{ path: Path; source: string }> = [];
  for (const key of ['input', 'vars', 'output', 'tasks']) templatesIn(doc[key], [key], found);
  // a big workflow repeats its expressions (<% succeeded() %>): check each text once
  const checked = new Map<string, string | null>();
  for (const { path, source } of found) {
    let problem = checked.get(source);
    if (problem === undefined) checked.set(source, (problem = compileProblem(normaliseExpression(source))));
    if (problem) fail(path, problem);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
