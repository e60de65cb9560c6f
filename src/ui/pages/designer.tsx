// The Flow designer: open a workflow, see it laid out, add / remove / connect tasks, edit a
// task's action (with the action's parameters as a form), input, `when` and `publish`. Every
// change is checked by the engine's own loader (POST /api/v1/workflows/validate); the problem
// shows on the task it concerns. Saving an unchanged workflow writes back the very text opened.
import { useEffect, useMemo, useState } from 'react';
import { parse } from 'yaml';
import { ApiError, can, get, post, put, type ActionInfo, type Me, type WorkflowProblem, type WorkflowSource } from '../api';
import { ErrorNote, errorText } from '../components';
import { blankChain, ChainDraft } from '../chain-draft';
import { WorkflowGraph, type Outcome } from '../graph';
import { blankWorkflow, graphOf, OrquestaDraft, type Transition as Edge, type WorkflowKind } from '../workflow-model';
import { ChainNodeEditor } from './chain-editor';
import { ActionList, ParamFields } from './task-fields';

type Draft = OrquestaDraft | ChainDraft;

/** A transition drawn from a task's success or failure handle, in the workflow's own words. */
function connectOn(d: Draft, from: string, to: string, outcome: Outcome): void {
  if (d instanceof ChainDraft) d.connect(from, to, outcome === 'failure' ? 'on-failure' : 'on-success');
  else d.connect(from, to, outcome === 'failure' ? '<% failed() %>' : '<% succeeded() %>');
}
function disconnectEdge(d: Draft, e: Edge): void {
  if (d instanceof ChainDraft) d.disconnect(e.from, e.to, e.when === 'on-failure' ? 'on-failure' : 'on-success');
  else d.disconnect(e.from, e.to);
}

interface Opened {
  ref: string;
  kind: WorkflowKind;
  original: string;
}

export function DesignerPage({ me, initialRef }: { me: Me; initialRef: string | null }) {
  const [actions, setActions] = useState<ActionInfo[]>([]);
  const [opened, setOpened] = useState<Opened>({ ref: 'designer.new_workflow', kind: 'orquesta', original: blankWorkflow() });
  const [text, setText] = useState(opened.original);
  const [selected, setSelectedTask] = useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<{ id: string; edge: Edge } | null>(null);
  const setSelected = (task: string | null) => {
    setSelectedTask(task);
    if (task) setSelectedEdge(null);
  };
  const [problem, setProblem] = useState<WorkflowProblem | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saveAs, setSaveAs] = useState(opened.ref);

  useEffect(() => {
    get<{ items: ActionInfo[] }>('/api/v1/actions')
      .then((r) => setActions(r.items))
      .catch((e) => setError(errorText(e)));
  }, []);
  const open = async (ref: string) => {
    setError(null);
    setMessage(null);
    try {
      const w = await get<WorkflowSource>(`/api/v1/workflows/${encodeURIComponent(ref)}`);
      setOpened({ ref: w.ref, kind: w.kind, original: w.yaml });
      setText(w.yaml);
      setSaveAs(w.writable ? w.ref : `designer.${w.ref.split('.')[1]}`);
      setSelected(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    if (initialRef) void open(initialRef);
  }, [initialRef]);

  // Check the draft with the engine's loader a moment after the last change.
  useEffect(() => {
    const t = setTimeout(() => {
      post<{ valid: boolean; problem: WorkflowProblem | null }>('/api/v1/workflows/validate', { yaml: text, kind: opened.kind })
        .then((r) => setProblem(r.problem))
        .catch((e) => setError(errorText(e)));
    }, 250);
    return () => clearTimeout(t);
  }, [text, opened.kind]);

  const parsed = useMemo(() => {
    try {
      return parse(text) as unknown;
    } catch {
      return undefined;
    }
  }, [text]);
  const model = useMemo(() => graphOf(opened.kind, parsed), [opened.kind, parsed]);
  // a chain's problem names its node by position (`chain[2].ref`)
  const chainIndex = /^chain\[(\d+)\]/.exec(problem?.field ?? '');
  const problemTask = problem?.task ?? (chainIndex ? model.tasks[Number(chainIndex[1])]?.name : undefined);
  const problems = problem && problemTask ? { [problemTask]: problem.message } : {};
  const editable = parsed !== undefined;

  /** Apply one edit to the YAML document (comments and untouched layout kept). */
  const edit = (fn: (d: Draft) => void) => {
    setError(null);
    try {
      const d = opened.kind === 'action-chain' ? new ChainDraft(text) : new OrquestaDraft(text);
      fn(d);
      setText(d.text());
    } catch (e) {
      setError(errorText(e));
    }
  };

  const save = async () => {
    setError(null);
    setMessage(null);
    try {
      const r = await put<{ ref: string; file: string; created: boolean }>(`/api/v1/workflows/${encodeURIComponent(saveAs)}`, {
        yaml: text,
        kind: opened.kind,
      });
      setMessage(`saved ${r.ref} to ${r.file}`);
      setOpened({ ...opened, ref: r.ref, original: text });
    } catch (e) {
      setError(e instanceof ApiError && e.body.line ? `${errorText(e)}` : errorText(e));
    }
  };
  const runIt = async () => {
    try {
      const x = await post<{ id: string }>('/api/v1/executions', { action: opened.ref, parameters: {} });
      location.hash = `#/executions/${x.id}`;
    } catch (e) {
      setError(errorText(e));
    }
  };

  const workflows = actions.filter((a) => a.runnerType === 'orquesta' || a.runnerType === 'action-chain');
  const task = selected ? model.tasks.find((t) => t.name === selected) : undefined;

  return (
    <div className="designer">
      <div className="toolbar" role="toolbar" aria-label="designer">
        <select aria-label="open workflow" value="" onChange={(e) => e.target.value && void open(e.target.value)}>
          <option value="">Open…</option>
          {workflows.map((w) => (
            <option key={w.ref} value={w.ref}>
              {w.ref}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => {
            setOpened({ ref: 'designer.new_workflow', kind: 'orquesta', original: blankWorkflow() });
            setText(blankWorkflow());
            setSaveAs('designer.new_workflow');
          }}
        >
          New
        </button>
        <button
          type="button"
          onClick={() => {
            setOpened({ ref: 'designer.new_chain', kind: 'action-chain', original: blankChain() });
            setText(blankChain());
            setSaveAs('designer.new_chain');
            setSelected(null);
          }}
        >
          New chain
        </button>
        {editable ? <AddTask actions={actions} onAdd={(name, action) => edit((d) => d.addTask(name, action))} /> : null}
        {editable && selected ? (
          <button
            type="button"
            onClick={() => {
              edit((d) => d.removeTask(selected));
              setSelected(null);
            }}
          >
            Remove {selected}
          </button>
        ) : null}
        {editable && selectedEdge ? (
          <button
            type="button"
            onClick={() => {
              edit((d) => disconnectEdge(d, selectedEdge.edge));
              setSelectedEdge(null);
            }}
          >
            Remove {selectedEdge.edge.from} → {selectedEdge.edge.to}
          </button>
        ) : null}
        <span className={`validity ${problem ? 'invalid' : 'valid'}`} data-testid="validity">
          {problem ? `${problem.code}: ${problem.message}` : 'valid'}
        </span>
        {can(me, 'packs:write') ? (
          <>
            <input aria-label="save as" value={saveAs} onChange={(e) => setSaveAs(e.target.value)} />
            <button type="button" onClick={() => void save()} disabled={Boolean(problem)}>
              Save
            </button>
          </>
        ) : null}
        {can(me, 'execute') && text === opened.original && opened.ref === saveAs ? (
          <button type="button" onClick={() => void runIt()}>
            Run
          </button>
        ) : null}
      </div>
      <ErrorNote error={error} />
      {message ? <p className="ok">{message}</p> : null}
      <div className="designer-body">
        <WorkflowGraph
          model={model}
          problems={problems}
          selected={selected}
          onSelect={setSelected}
          onConnect={editable ? (from, to, outcome) => edit((d) => connectOn(d, from, to, outcome)) : undefined}
          selectedEdge={selectedEdge?.id ?? null}
          onSelectEdge={(edge, id) => {
            setSelectedEdge(edge && id ? { id, edge } : null);
            if (edge) setSelectedTask(null);
          }}
          onDelete={
            editable
              ? (tasks, edges) => {
                  // a task removed takes its transitions with it; otherwise cut the selected transitions
                  edit((d) => (tasks.length ? tasks.forEach((t) => d.removeTask(t)) : edges.forEach((e) => disconnectEdge(d, e))));
                  setSelected(null);
                  setSelectedEdge(null);
                }
              : undefined
          }
          height={520}
        />
        <aside>
          {task && editable && opened.kind === 'action-chain' ? (
            <ChainNodeEditor
              key={`${task.name}:${text.length}`}
              text={text}
              name={task.name}
              actions={actions}
              edit={(fn) => edit((d) => fn(d as ChainDraft))}
            />
          ) : task && editable ? (
            <TaskEditor key={`${task.name}:${text.length}`} text={text} name={task.name} actions={actions} edit={(fn) => edit((d) => fn(d as OrquestaDraft))} />
          ) : (
            <p className="muted">
              Select a task to edit it; drag from a task's lower edge (on success) or right edge (on failure) to another task to connect them; Delete or
              Backspace removes the selected task or transition.
            </p>
          )}
          <label className="yaml">
            YAML
            <textarea aria-label="workflow yaml" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={16} />
          </label>
        </aside>
      </div>
    </div>
  );
}

function AddTask({ actions, onAdd }: { actions: ActionInfo[]; onAdd: (name: string, action: string) => void }) {
  const [name, setName] = useState('');
  const [action, setAction] = useState('core.noop');
  return (
    <form
      className="add-task"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) onAdd(name.trim(), action.trim());
        setName('');
      }}
    >
      <input aria-label="new task name" placeholder="task name" value={name} onChange={(e) => setName(e.target.value)} />
      <input aria-label="new task action" list="action-refs" value={action} onChange={(e) => setAction(e.target.value)} />
      <ActionList actions={actions} />
      <button type="submit">Add task</button>
    </form>
  );
}

function TaskEditor({ text, name, actions, edit }: { text: string; name: string; actions: ActionInfo[]; edit: (fn: (d: OrquestaDraft) => void) => void }) {
  const draft = useMemo(() => new OrquestaDraft(text), [text]);
  const js = (draft.doc.toJS() as { tasks?: Record<string, { action?: string; input?: Record<string, unknown> }> }).tasks?.[name] ?? {};
  const [action, setAction] = useState(js.action ?? '');
  const info = actions.find((a) => a.ref === action);
  const transitions = draft.transitions(name);
  return (
    <div className="task-editor" aria-label={`task ${name}`}>
      <h2>{name}</h2>
      <label>
        Action
        <input
          aria-label="task action"
          list="action-refs"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          onBlur={() => edit((d) => d.setAction(name, action))}
        />
      </label>
      <ActionList actions={actions} />
      {info ? <p className="muted">{info.description}</p> : null}
      <fieldset>
        <legend>Input</legend>
        <ParamFields info={info} values={js.input ?? {}} onSet={(k, v) => edit((d) => d.setInput(name, k, v))} />
      </fieldset>
      <fieldset>
        <legend>Next</legend>
        {transitions.map((t, i) => (
          <Transition key={i} index={i} when={t.when} publish={t.publish} targets={t.do} onChange={(w, p) => edit((d) => d.setTransition(name, i, w, p))} />
        ))}
      </fieldset>
    </div>
  );
}

function Transition(p: { index: number; when: string; publish: string; targets: string[]; onChange: (when: string, publish: string) => void }) {
  const [when, setWhen] = useState(p.when);
  const [publish, setPublish] = useState(p.publish);
  return (
    <div className="transition">
      <div>→ {p.targets.join(', ') || '(nothing)'}</div>
      <label>
        when
        <input aria-label={`when ${p.index}`} value={when} onChange={(e) => setWhen(e.target.value)} onBlur={() => p.onChange(when, publish)} />
      </label>
      <label>
        publish
        <textarea
          aria-label={`publish ${p.index}`}
          rows={2}
          value={publish}
          onChange={(e) => setPublish(e.target.value)}
          onBlur={() => p.onChange(when, publish)}
        />
      </label>
    </div>
  );
}
