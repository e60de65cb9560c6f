// Events and executions as they happen. Messages from the stream are buffered and applied at
// most four times a second, and each list is capped, so a burst neither stalls the page nor
// grows its memory; rows have a fixed height, so nothing jumps while the feed streams.
import { useEffect, useMemo, useRef, useState } from 'react';
import { get, openStream, q, type Enforcement, type Execution, type NrxEvent, type StreamMessage } from '../api';
import { Status, time } from '../components';

const KEEP = 500;
const SHOWN = 200;
/** Events whose rule outcomes are fetched at first paint (the rest show them when they stream in). */
const RECENT_DETAIL = 30;

interface FeedEvent extends NrxEvent {
  enforcements: Enforcement[];
}

export function FeedPage() {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [executions, setExecutions] = useState<Execution[]>([]);
  const [filter, setFilter] = useState({ device: '', type: '', rule: '', status: '' });
  const buffer = useRef<StreamMessage[]>([]);

  useEffect(() => {
    let alive = true;
    void (async () => {
      const [ev, ex] = await Promise.all([
        get<{ items: FeedEvent[] }>(`/api/v1/events${q({ limit: 100 })}`),
        get<{ items: Execution[] }>(`/api/v1/executions${q({ limit: 100 })}`),
      ]);
      if (!alive) return;
      setEvents((cur) =>
        merge(
          cur,
          ev.items.map((e) => ({ ...e, enforcements: e.enforcements ?? [] })),
        ),
      );
      setExecutions((cur) =>
        mergeExecutions(
          cur,
          ex.items.filter((x) => !x.parentId),
        ),
      );
      // the list has no rule outcomes: fetch them for the events in view, a few at a time
      const inView = ev.items.slice(0, RECENT_DETAIL).map((e) => e.id);
      for (let k = 0; k < inView.length && alive; k += 6) {
        const details = await Promise.all(inView.slice(k, k + 6).map((id) => get<FeedEvent>(`/api/v1/events/${id}`).catch(() => null)));
        const byId = new Map(details.filter((d): d is FeedEvent => d !== null).map((d) => [d.id, d.enforcements ?? []]));
        setEvents((cur) => cur.map((e) => (byId.has(e.id) && e.enforcements.length === 0 ? { ...e, enforcements: byId.get(e.id)! } : e)));
      }
    })();
    const close = openStream({}, (m) => buffer.current.push(m));
    const timer = setInterval(() => {
      const batch = buffer.current.splice(0);
      if (batch.length === 0) return;
      const evs = batch.filter((m) => m.kind === 'event').map((m) => ({ ...(m.data as NrxEvent), enforcements: [] }));
      const enfs = batch.filter((m) => m.kind === 'enforcement').map((m) => m.data as Enforcement);
      const exs = batch.filter((m) => m.kind === 'execution').map((m) => m.data as Execution);
      if (evs.length || enfs.length)
        setEvents((cur) => {
          const next = merge(cur, evs.reverse());
          if (!enfs.length) return next;
          return next.map((e) => {
            const mine = enfs.filter((x) => x.triggerInstanceId === e.id);
            return mine.length ? { ...e, enforcements: [...e.enforcements.filter((x) => !mine.some((m) => m.id === x.id)), ...mine] } : e;
          });
        });
      if (exs.length) setExecutions((cur) => mergeExecutions(cur, exs.filter((x) => !x.parentId).reverse()));
    }, 250);
    return () => {
      alive = false;
      close();
      clearInterval(timer);
    };
  }, []);

  const shownEvents = useMemo(
    () =>
      events
        .filter(
          (e) =>
            (!filter.device || (e.device ?? '').includes(filter.device)) &&
            (!filter.type || e.type.includes(filter.type)) &&
            (!filter.rule || e.enforcements.some((x) => x.ruleRef.includes(filter.rule))),
        )
        .slice(0, SHOWN),
    [events, filter],
  );
  const shownExecutions = useMemo(
    () =>
      executions
        .filter(
          (x) =>
            (!filter.status || x.status === filter.status) &&
            (!filter.rule || (x.context.ruleRef ?? '').includes(filter.rule)) &&
            (!filter.device || JSON.stringify(x.parameters).includes(filter.device)),
        )
        .slice(0, SHOWN),
    [executions, filter],
  );
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value });

  return (
    <div className="feed">
      <div className="filters" role="search">
        <input placeholder="device" aria-label="device filter" value={filter.device} onChange={set('device')} />
        <input placeholder="trigger type" aria-label="trigger type filter" value={filter.type} onChange={set('type')} />
        <input placeholder="rule" aria-label="rule filter" value={filter.rule} onChange={set('rule')} />
        <select aria-label="status filter" value={filter.status} onChange={set('status')}>
          <option value="">any status</option>
          {['running', 'pending', 'paused', 'succeeded', 'failed', 'timeout', 'canceled'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div className="columns">
        <section aria-label="events">
          <h2>Events</h2>
          <ul className="rows" data-testid="events">
            {shownEvents.map((e) => (
              <li key={e.id} className="row event-row" data-type={e.type}>
                <span className="t">{time(e.time)}</span>
                <span className="type">{e.type}</span>
                <span className="device">{e.device ?? ''}</span>
                <span className="outcomes">
                  {e.enforcements.map((x) => (
                    <span key={x.id} className={`outcome outcome-${x.outcome}`} title={x.reason ?? ''}>
                      {x.ruleRef}: {x.executionId ? <a href={`#/executions/${x.executionId}`}>{x.outcome}</a> : x.outcome}
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label="executions">
          <h2>Executions</h2>
          <ul className="rows" data-testid="executions">
            {shownExecutions.map((x) => (
              <li key={x.id} className="row exec-row" data-action={x.action}>
                <span className="t">{time(x.createdAt)}</span>
                <a href={`#/executions/${x.id}`}>{x.action}</a>
                <Status status={x.status} />
                <span className="muted">{x.context.ruleRef ?? x.context.user ?? ''}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}

function merge(cur: FeedEvent[], incoming: FeedEvent[]): FeedEvent[] {
  const seen = new Set(cur.map((e) => e.id));
  return [...incoming.filter((e) => !seen.has(e.id)), ...cur].slice(0, KEEP);
}

function mergeExecutions(cur: Execution[], newestFirst: Execution[]): Execution[] {
  // one execution reports several status changes in a batch: the newest of them wins
  const latest = new Map<string, Execution>();
  for (const x of newestFirst) if (!latest.has(x.id)) latest.set(x.id, x);
  const known = new Set(cur.map((x) => x.id));
  const fresh = [...latest.values()].filter((x) => !known.has(x.id));
  return [...fresh, ...cur.map((x) => latest.get(x.id) ?? x)].slice(0, KEEP);
}
