// Rules: what each watches for, in words; enable and disable; its recent executions.
import { useCallback, useEffect, useState } from 'react';
import { can, get, post, q, type Execution, type Me, type Rule } from '../api';
import { ErrorNote, errorText, Status, time } from '../components';

export function criteriaText(criteria: Rule['criteria']): string[] {
  return Object.entries(criteria ?? {}).map(
    ([field, c]) => `${field} ${c.type.replace(/_/g, ' ')}${c.pattern === undefined ? '' : ` ${JSON.stringify(c.pattern)}`}`,
  );
}

export function RulesPage({ me }: { me: Me }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [recent, setRecent] = useState<Execution[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => setRules((await get<{ items: Rule[] }>('/api/v1/rules')).items), []);
  useEffect(() => void load().catch((e) => setError(errorText(e))), [load]);
  useEffect(() => {
    if (!open) return;
    get<{ items: Execution[] }>(`/api/v1/executions${q({ rule: open, limit: 10 })}`)
      .then((r) => setRecent(r.items))
      .catch((e) => setError(errorText(e)));
  }, [open]);

  const toggle = async (r: Rule) => {
    try {
      await post(`/api/v1/rules/${encodeURIComponent(r.ref)}/${r.enabled ? 'disable' : 'enable'}`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="rules">
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th>Rule</th>
            <th>When</th>
            <th>Then</th>
            <th>Enabled</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.ref} data-rule={r.ref}>
              <td>
                <button type="button" className="link" onClick={() => setOpen(open === r.ref ? null : r.ref)} aria-expanded={open === r.ref}>
                  {r.ref}
                </button>
                <div className="muted">{r.description}</div>
                {open === r.ref ? (
                  <ul className="recent">
                    {recent.length === 0 ? <li className="muted">no executions yet</li> : null}
                    {recent.map((x) => (
                      <li key={x.id}>
                        {time(x.createdAt)} <a href={`#/executions/${x.id}`}>{x.action}</a> <Status status={x.status} />
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
              <td>
                <div>{r.trigger.type}</div>
                {criteriaText(r.criteria).map((c) => (
                  <div key={c} className="criterion">
                    {c}
                  </div>
                ))}
              </td>
              <td>{r.action.ref}</td>
              <td>
                {r.enabled ? 'yes' : 'no'}
                {can(me, 'rules:write') ? (
                  <button type="button" onClick={() => void toggle(r)}>
                    {r.enabled ? 'Disable' : 'Enable'}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
