// The designer's editor for one ActionChain node: its action (ref), its parameters as a form
// from the action's schema, and which node runs next on success and on failure.
import { useMemo, useState } from 'react';
import type { ActionInfo } from '../api';
import { CHAIN_OUTCOMES, ChainDraft } from '../chain-draft';
import { ActionList, ParamFields } from './task-fields';

export function ChainNodeEditor(p: { text: string; name: string; actions: ActionInfo[]; edit: (fn: (d: ChainDraft) => void) => void }) {
  const draft = useMemo(() => new ChainDraft(p.text), [p.text]);
  const node = draft.nodeOf(p.name);
  const others = draft
    .graph()
    .tasks.map((t) => t.name)
    .filter((n) => n !== p.name);
  const [action, setAction] = useState(node.ref);
  const info = p.actions.find((a) => a.ref === action);
  return (
    <div className="task-editor" aria-label={`task ${p.name}`}>
      <h2>{p.name}</h2>
      <label>
        Action
        <input
          aria-label="task action"
          list="action-refs"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          onBlur={() => p.edit((d) => d.setAction(p.name, action))}
        />
      </label>
      <ActionList actions={p.actions} />
      {info ? <p className="muted">{info.description}</p> : null}
      <fieldset>
        <legend>Parameters</legend>
        <ParamFields info={info} values={node.parameters} onSet={(k, v) => p.edit((d) => d.setInput(p.name, k, v))} />
      </fieldset>
      <fieldset>
        <legend>Next</legend>
        {CHAIN_OUTCOMES.map((o) => (
          <label key={o}>
            {o}
            <select aria-label={o} value={node.next[o]} onChange={(e) => p.edit((d) => d.setNext(p.name, o, e.target.value))}>
              <option value="">(end)</option>
              {others.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
