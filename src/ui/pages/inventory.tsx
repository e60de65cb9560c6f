// Devices chosen with the inventory's filter syntax, and a run box that fans a show command or
// getter out over the same filter, with each device's progress live and its parsed output.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { can, get, post, q, TERMINAL, type Execution, type ExecutionDetail, type Host, type Me } from '../api';
import { ErrorNote, errorText, ResultView, Status } from '../components';

const RUNNABLE = ['network.show', 'network.get'];

export function InventoryPage({ me }: { me: Me }) {
  const [filter, setFilter] = useState('');
  const [hosts, setHosts] = useState<Host[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState(RUNNABLE[0]!);
  const [command, setCommand] = useState('show version');
  const [run, setRun] = useState<ExecutionDetail | null>(null);
  const [targets, setTargets] = useState<string[]>([]);

  const search = useCallback(async (f: string) => {
    setError(null);
    try {
      setHosts((await get<{ items: Host[] }>(`/api/v1/inventory/hosts${q({ filter: f })}`)).items);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void search(''), [search]);

  // The fan-out logs `<device>: <line>` as it goes (not announced on the stream): poll while it runs.
  useEffect(() => {
    if (!run || TERMINAL.has(run.status)) return;
    const t = setTimeout(() => void get<ExecutionDetail>(`/api/v1/executions/${run.id}`).then(setRun), 400);
    return () => clearTimeout(t);
  }, [run]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const parameters = action === 'network.show' ? { on: filter, commands: [command] } : { on: filter, getter: command };
    try {
      const x = await post<Execution>('/api/v1/executions', { action, parameters });
      setTargets(hosts.map((h) => h.name));
      setRun({ ...x, tasks: [], children: [] });
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div className="inventory">
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search(filter);
        }}
      >
        <input
          aria-label="inventory filter"
          placeholder="filter: role=leaf and site=dc1, name=r*, group=dc1"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button type="submit">Filter</button>
        <span className="muted">{hosts.length} devices</span>
      </form>
      <ErrorNote error={error} />
      {can(me, 'execute') ? (
        <form className="runbox" aria-label="run box" onSubmit={(e) => void submit(e)}>
          <select aria-label="action" value={action} onChange={(e) => setAction(e.target.value)}>
            {RUNNABLE.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
          <input
            aria-label="command"
            placeholder={action === 'network.get' ? 'facts, interfaces, bgp_neighbors, lldp_neighbors, lag_members' : 'show command'}
            value={command}
            onChange={(e) => setCommand(e.target.value)}
          />
          <button type="submit" disabled={!filter.trim()} title="runs on every device the filter selects">
            Run on {hosts.length} devices
          </button>
        </form>
      ) : null}
      {run ? (
        <section className="run" data-run={run.id}>
          <h2>
            <a href={`#/executions/${run.id}`}>{run.action}</a> <Status status={run.status} />
          </h2>
          {run.error ? <p className="error">{run.error.message}</p> : null}
          <ul className="devices">
            {devicesOf(run, targets).map((d) => (
              <li key={d.device} data-device={d.device} data-state={d.state}>
                <strong>{d.device}</strong> <Status status={d.state} />
                {d.lines.length ? <pre className="log">{d.lines.join('\n')}</pre> : null}
                {d.error ? <p className="error">{d.error}</p> : null}
                {d.result !== undefined ? <DeviceResult value={d.result} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>Device</th>
            <th>Address</th>
            <th>Platform</th>
            <th>Groups</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.name} data-host={h.name}>
              <td>{h.name}</td>
              <td>{h.hostname}</td>
              <td>{h.platform}</td>
              <td>{(h.groups ?? []).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface DeviceRun {
  device: string;
  state: string;
  lines: string[];
  result?: unknown;
  error?: string;
}

/** Each device's part of a fan-out: its log lines while running, then its result or error. */
export function devicesOf(run: ExecutionDetail, targets: string[]): DeviceRun[] {
  const final = (run.result as { devices?: Array<{ device: string; ok: boolean; result?: unknown; error?: { message?: string } }> } | null)?.devices;
  const names = final ? final.map((d) => d.device) : targets;
  return names.map((device) => {
    const lines = run.log.filter((l) => l.startsWith(`${device}: `)).map((l) => l.slice(device.length + 2));
    const done = final?.find((d) => d.device === device);
    if (!done) return { device, state: TERMINAL.has(run.status) ? run.status : 'running', lines };
    return { device, state: done.ok ? 'succeeded' : 'failed', lines, ...(done.ok ? { result: done.result } : { error: done.error?.message ?? 'failed' }) };
  });
}

/** A show command's output per command (its TextFSM table when parsed), or a getter's model as tables. */
function DeviceResult({ value }: { value: unknown }) {
  const v = (value ?? {}) as Record<string, unknown>;
  if (Array.isArray(v.results))
    return (
      <>
        {(v.results as Array<{ command: string; output?: string; parsed?: unknown[] }>).map((r, i) => (
          <div key={i} className="command-output">
            <div className="muted">{r.command}</div>
            {r.parsed?.length ? <ResultView value={r.parsed} /> : <pre>{r.output}</pre>}
          </div>
        ))}
      </>
    );
  const tables = Object.entries(v).filter(([, x]) => Array.isArray(x));
  if (tables.length)
    return (
      <>
        {tables.map(([k, x]) => (
          <div key={k} className="command-output">
            <div className="muted">{k}</div>
            <ResultView value={x} />
          </div>
        ))}
      </>
    );
  return <ResultView value={value} />;
}
