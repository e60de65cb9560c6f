// A workflow's YAML as a graph, and the designer's edits applied to the YAML document itself
// (the `yaml` library keeps comments and layout of everything an edit does not touch).
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

export type WorkflowKind = 'orquesta' | 'action-chain';

export interface TaskNode {
  name: string;
  action: string | null;
  input: Record<string, unknown>;
}

export interface Transition {
  from: string;
  to: string;
  /** The condition as written (`<% succeeded() %>`), or a chain's on-success / on-failure. */
  when: string | null;
  /** Index of the transition in the task's `next` list (orquesta), for edits. */
  index: number;
}

export interface WorkflowGraphModel {
  kind: WorkflowKind;
  tasks: TaskNode[];
  transitions: Transition[];
}

const asList = (v: unknown): string[] =>
  v === undefined || v === null
    ? []
    : Array.isArray(v)
      ? v.map(String)
      : String(v)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

const ENGINE_COMMANDS = new Set(['fail', 'noop', 'continue', 'retry']);

/** Tasks and transitions of a parsed workflow (whatever the loader later says about them). */
export function graphOf(kind: WorkflowKind, doc: unknown): WorkflowGraphModel {
  const tasks: TaskNode[] = [];
  const transitions: Transition[] = [];
  const root = (doc ?? {}) as Record<string, unknown>;
  if (kind === 'orquesta') {
    const raw = (root.tasks ?? {}) as Record<string, Record<string, unknown> | null>;
    for (const [name, t] of Object.entries(raw)) {
      tasks.push({ name, action: typeof t?.action === 'string' ? t.action : null, input: (t?.input as Record<string, unknown>) ?? {} });
      const next = Array.isArray(t?.next) ? (t!.next as Array<Record<string, unknown>>) : [];
      next.forEach((n, index) => {
        for (const to of asList(n?.do))
          if (!ENGINE_COMMANDS.has(to)) transitions.push({ from: name, to, when: n?.when === undefined ? null : String(n.when), index });
      });
    }
  } else {
    const chain = Array.isArray(root.chain) ? (root.chain as Array<Record<string, unknown>>) : [];
    for (const link of chain) {
      const name = String(link?.name ?? '');
      tasks.push({
        name,
        action: typeof link?.ref === 'string' ? link.ref : null,
        input: ((link?.parameters ?? link?.params) as Record<string, unknown>) ?? {},
      });
      for (const [key, when] of [
        ['on-success', 'on-success'],
        ['on-failure', 'on-failure'],
      ] as const)
        if (typeof link?.[key] === 'string') transitions.push({ from: name, to: link[key] as string, when, index: 0 });
    }
  }
  return { kind, tasks, transitions };
}

/** An editable Orquesta document. Every method changes the document in place. */
export class OrquestaDraft {
  readonly doc: Document;

  constructor(text: string) {
    this.doc = parseDocument(text, { keepSourceTokens: false });
  }

  get errors(): string[] {
    return this.doc.errors.map((e) => e.message);
  }

  graph(): WorkflowGraphModel {
    return graphOf('orquesta', this.doc.toJS());
  }

  text(): string {
    return this.doc.toString({ lineWidth: 0 });
  }

  private tasksMap(): YAMLMap {
    let tasks = this.doc.get('tasks');
    if (!isMap(tasks)) {
      tasks = this.doc.createNode({});
      this.doc.set('tasks', tasks);
    }
    return tasks as YAMLMap;
  }

  private task(name: string): YAMLMap {
    const t = this.tasksMap().get(name);
    if (!isMap(t)) throw new Error(`no task '${name}'`);
    return t;
  }

  addTask(name: string, action: string): void {
    if (this.tasksMap().has(name)) throw new Error(`a task '${name}' exists already`);
    this.tasksMap().set(name, this.doc.createNode({ action }));
  }

  removeTask(name: string): void {
    this.tasksMap().delete(name);
    for (const pair of this.tasksMap().items) {
      const next = isMap(pair.value) ? pair.value.get('next') : null;
      if (!isSeq(next)) continue;
      for (const tr of next.items) {
        if (!isMap(tr)) continue;
        const left = asList(tr.toJSON().do).filter((d) => d !== name);
        if (left.length) tr.set('do', this.doc.createNode(left));
        else tr.delete('do');
      }
    }
  }

  connect(from: string, to: string, when = '<% succeeded() %>'): void {
    const t = this.task(from);
    let next = t.get('next');
    if (!isSeq(next)) {
      next = this.doc.createNode([]);
      t.set('next', next);
    }
    const same = (next as YAMLSeq).items.find((tr) => isMap(tr) && String(tr.get('when') ?? '') === when);
    if (isMap(same)) {
      const targets = asList(same.toJSON().do);
      if (!targets.includes(to)) same.set('do', this.doc.createNode([...targets, to]));
      return;
    }
    (next as YAMLSeq).add(this.doc.createNode({ when, do: [to] }));
  }

  disconnect(from: string, to: string): void {
    const next = this.task(from).get('next');
    if (!isSeq(next)) return;
    for (const tr of next.items) {
      if (!isMap(tr)) continue;
      const targets = asList(tr.toJSON().do);
      if (!targets.includes(to)) continue;
      const left = targets.filter((d) => d !== to);
      if (left.length) tr.set('do', this.doc.createNode(left));
      else tr.delete('do');
    }
  }

  setAction(name: string, action: string): void {
    this.task(name).set('action', action);
  }

  /** Set one input; an empty string removes it. */
  setInput(name: string, key: string, value: unknown): void {
    const t = this.task(name);
    if (value === '' || value === undefined) {
      const input = t.get('input');
      if (isMap(input)) {
        input.delete(key);
        if (input.items.length === 0) t.delete('input');
      }
      return;
    }
    let input = t.get('input');
    if (!isMap(input)) {
      input = this.doc.createNode({});
      t.set('input', input);
    }
    (input as YAMLMap).set(key, value);
  }

  transitions(name: string): Array<{ when: string; publish: string; do: string[] }> {
    const next = this.task(name).get('next');
    if (!isSeq(next)) return [];
    return next.items.filter(isMap).map((tr) => {
      const js = tr.toJSON() as { when?: unknown; publish?: unknown; do?: unknown };
      const publish = Array.isArray(js.publish)
        ? js.publish.map((p) => (p && typeof p === 'object' ? Object.entries(p).map(([k, v]) => `${k}: ${String(v)}`)[0] : String(p))).join('\n')
        : '';
      return { when: js.when === undefined ? '' : String(js.when), publish, do: asList(js.do) };
    });
  }

  /** Change the `when` and `publish` (one `name: value` a line) of the task's index-th transition. */
  setTransition(name: string, index: number, when: string, publish: string): void {
    const next = this.task(name).get('next');
    if (!isSeq(next)) return;
    const tr = next.items[index];
    if (!isMap(tr)) return;
    if (when.trim()) tr.set('when', when.trim());
    else tr.delete('when');
    const entries = publish
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const at = l.indexOf(':');
        return at < 0 ? { [l]: null } : { [l.slice(0, at).trim()]: l.slice(at + 1).trim() };
      });
    if (entries.length) tr.set('publish', this.doc.createNode(entries));
    else tr.delete('publish');
  }
}

/** A new workflow with one task. */
export function blankWorkflow(): string {
  return ['version: 1.0', 'description: Drawn in the Flow designer.', 'input: []', 'tasks:', '  start:', '    action: core.noop', ''].join('\n');
}
