// One execution: its parameters, status, result, the audit chain, its workflow as a graph
// coloured by task status (live), each task's commands and output, and the controls.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { parse } from 'yaml';
import { can, get, openStream, post, TERMINAL, type Execution, type ExecutionDetail, type Me, type WorkflowSource } from '../api';
import { duration, ErrorNote, errorText, ResultView, Status, time } from '../components';
import { WorkflowGraph, type TaskState } from '../graph';
import { graphOf, type WorkflowGraphModel } from '../workflow-model';

const WORKFLOW_RUNNERS = new Set(['orquesta', 'action-chain']);

export function ExecutionPage({ id, me }: { id: string; me: Me }) {
  const [rec, setRec] = useState<ExecutionDetail | null>(null);
  const [model, setModel] = useState<WorkflowGraphModel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setRec(await get<ExecutionDetail>(`/api/v1/executions/${encodeURIComponent(id)}`));
    } catch (e) {
      setError(errorText(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
    let pending: ReturnType<typeof setTimeout> | null = null;
    const soon = (): void => {
      pending ??= setTimeout(() => {
        pending = null;
        void load();
      }, 150);
    };
    // updates before the stream was open are read once it is
    const close = openStream({ kinds: 'execution', execution: id }, soon, soon);
    return () => {
      close();
      if (pending) clearTimeout(pending);
    };
  }, [id, load]);

  useEffect(() => {
    if (!rec || model || !WORKFLOW_RUNNERS.has(rec.runner)) return;
    get<WorkflowSource>(`/api/v1/workflows/${encodeURIComponent(rec.action)}`)
      .then((w) => setModel(graphOf(w.kind, parse(w.yaml))))
      .catch((e) => setError(`workflow graph: ${errorText(e)}`));
  }, [rec, model]);

  useEffect(() => {
    if (!rec || TERMINAL.has(rec.status)) return;
    const t = setTimeout(() => void load(), 3000);
    return () => clearTimeout(t);
  }, [rec, load]);

  const states = useMemo(() => taskStates(rec), [rec]);
  if (!rec) return <ErrorNote error={error} />;

  const act = async (op: 'pause' | 'resume' | 'cancel' | 'rerun') => {
    setError(null);
    try {
      const r = await post<Execution>(`/api/v1/executions/${encodeURIComponent(rec.id)}/${op}`);
      if (op === 'rerun') location.hash = `#/executions/${r.id}`;
      else await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const terminal = TERMINAL.has(rec.status);
  const inquiries = rec.children.filter((c) => c.runner === 'inquiry' && c.status === 'pending');
  const shownChildren = selected ? rec.children.filter((c) => c.taskName === selected) : rec.children;

  return (
    <div className="execution" data-execution={rec.id}>
      <h1>
        {rec.action} <Status status={rec.status} />
      </h1>
      <div className="meta">
        <span>id {rec.id}</span>
        <span>created {time(rec.createdAt)}</span>
        <span>took {duration(rec.startedAt, rec.endedAt)}</span>
        <span className="chain" aria-label="audit chain">
          {rec.context.triggerInstanceId ? `event ${rec.context.triggerInstanceId} → ` : ''}
          {rec.context.ruleRef ? `rule ${rec.context.ruleRef} → ` : rec.context.user ? `by ${rec.context.user} → ` : ''}
          this execution
          {rec.context.rerunOf ? (
            <>
              {' '}
              (re-run of <a href={`#/executions/${rec.context.rerunOf}`}>{rec.context.rerunOf}</a>)
            </>
          ) : null}
          {rec.parentId ? (
            <>
              {' '}
              in <a href={`#/executions/${rec.parentId}`}>its workflow</a>
            </>
          ) : null}
        </span>
      </div>
      {can(me, 'execute') ? (
        <div className="controls" role="toolbar" aria-label="execution controls">
          <button type="button" disabled={rec.status !== 'running'} onClick={() => void act('pause')}>
            Pause
          </button>
          <button type="button" disabled={rec.status !== 'paused'} onClick={() => void act('resume')}>
            Resume
          </button>
          <button type="button" disabled={terminal} onClick={() => void act('cancel')}>
            Cancel
          </button>
          <button type="button" disabled={!terminal} onClick={() => void act('rerun')}>
            Re-run
          </button>
        </div>
      ) : null}
      <ErrorNote error={error} />
      {inquiries.map((i) => (
        <Inquiry key={i.id} inquiry={i} me={me} onDone={load} />
      ))}
      {model ? <WorkflowGraph model={model} states={states} selected={selected} onSelect={setSelected} /> : null}
      <div className="columns">
        <section>
          <h2>Parameters</h2>
          <ResultView value={rec.parameters} />
          <h2>Result</h2>
          {rec.error ? <p className="error">{`${rec.error.code}: ${rec.error.message}`}</p> : null}
          <ResultView value={rec.result} />
        </section>
        <section>
          <h2>{selected ? `Task ${selected}` : 'Tasks'}</h2>
          <ul className="children">
            {shownChildren.map((c) => (
              <li key={c.id}>
                <a href={`#/executions/${c.id}`}>{c.taskName ?? c.action}</a> {c.action} <Status status={c.status} />
                {c.log.length ? <pre className="log">{c.log.slice(-200).join('\n')}</pre> : null}
                {selected ? <ResultView value={c.result} /> : null}
              </li>
            ))}
          </ul>
          {!model && rec.log.length ? <pre className="log">{rec.log.slice(-500).join('\n')}</pre> : null}
        </section>
      </div>
    </div>
  );
}

/** Each task's state: its latest run, or for with-items how many items have finished. */
export function taskStates(rec: ExecutionDetail | null): Record<string, TaskState> {
  const out: Record<string, TaskState> = {};
  if (!rec) return out;
  const byTask = new Map<string, ExecutionDetail['tasks']>();
  for (const t of rec.tasks) byTask.set(t.taskName, [...(byTask.get(t.taskName) ?? []), t]);
  for (const [name, runs] of byTask) {
    const items = runs.filter((r) => r.itemIndex !== null);
    if (items.length) {
      const done = items.filter((r) => TERMINAL.has(r.status)).length;
      const failed = items.some((r) => r.status === 'failed' || r.status === 'timeout');
      out[name] = { status: done < items.length ? 'running' : failed ? 'failed' : 'succeeded', done, total: items.length };
    } else out[name] = { status: runs.reduce((a, b) => (b.seq > a.seq ? b : a)).status };
  }
  return out;
}

function Inquiry({ inquiry, me, onDone }: { inquiry: Execution; me: Me; onDone: () => Promise<void> }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const schema = (inquiry.parameters.schema ?? {}) as { properties?: Record<string, { type?: string; description?: string }> };
  const props = Object.entries(schema.properties ?? {});
  const respond = async (approve: boolean) => {
    const response: Record<string, unknown> = {};
    for (const [k, p] of props) {
      if (p.type === 'boolean') response[k] = approve;
      else if (p.type === 'string' && comment) response[k] = comment;
    }
    try {
      await post(`/api/v1/inquiries/${encodeURIComponent(inquiry.id)}/respond`, { response });
      await onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const question = props.map(([, p]) => p.description).find(Boolean) ?? 'Approve?';
  return (
    <div className="inquiry" role="group" aria-label="inquiry">
      <strong>Waiting for a human:</strong> {question}
      {can(me, 'respond') ? (
        <>
          {props.some(([, p]) => p.type === 'string') ? (
            <input aria-label="comment" placeholder="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
          ) : null}
          <button type="button" onClick={() => void respond(true)}>
            Approve
          </button>
          <button type="button" onClick={() => void respond(false)}>
            Reject
          </button>
        </>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
