// Rules: what each watches for, in words; enable and disable; what it decided lately (executed,
// throttled, held...) for the recent events of its trigger type.
import { useCallback, useEffect, useState } from 'react';
import { can, get, post, q, type Enforcement, type Me, type NrxEvent, type Rule } from '../api';
import { ErrorNote, errorText, time } from '../components';

export function criteriaText(criteria: Rule['criteria']): string[] {
  return Object.entries(criteria ?? {}).map(
    ([field, c]) => `${field} ${c.type.replace(/_/g, ' ')}${c.pattern === undefined ? '' : ` ${JSON.stringify(c.pattern)}`}`,
  );
}

export function RulesPage({ me }: { me: Me }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [recent, setRecent] = useState<Array<{ event: NrxEvent; decision: Enforcement }>>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => setRules((await get<{ items: Rule[] }>('/api/v1/rules')).items), []);
  useEffect(() => void load().catch((e) => setError(errorText(e))), [load]);
  useEffect(() => {
    const rule = rules.find((r) => r.ref === open);
    if (!rule) return;
    setRecent([]);
    void (async () => {
      // the events of the rule's trigger type, each with what every rule decided for it
      const events = (await get<{ items: NrxEvent[] }>(`/api/v1/events${q({ type: rule.trigger.type, limit: 20 })}`)).items;
      const details = await Promise.all(events.map((e) => get<NrxEvent & { enforcements: Enforcement[] }>(`/api/v1/events/${e.id}`)));
      setRecent(details.flatMap((e) => e.enforcements.filter((x) => x.ruleRef === rule.ref).map((decision) => ({ event: e, decision }))));
    })().catch((e) => setError(errorText(e)));
  }, [open, rules]);

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
                    {recent.length === 0 ? <li className="muted">no recent matches</li> : null}
                    {recent.map(({ event, decision }) => (
                      <li key={decision.id} data-outcome={decision.outcome}>
                        {time(decision.time)} {event.device ?? ''}{' '}
                        <span className={`outcome outcome-${decision.outcome}`} title={decision.reason ?? ''}>
                          {decision.executionId ? <a href={`#/executions/${decision.executionId}`}>{decision.outcome}</a> : decision.outcome}
                        </span>
                        {decision.reason ? <span className="muted"> {decision.reason}</span> : null}
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
