// Small pieces every page uses.
import type { ReactNode } from 'react';

export function Status({ status }: { status: string }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {status}
    </span>
  );
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + (Date.now() - d.getTime() > 86_400_000 ? ` ${d.toLocaleDateString()}` : '');
}

export function duration(start: string | null, end: string | null): string {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Any JSON value: arrays of flat objects as tables (parsed show output), the rest as indented text. */
export function ResultView({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (Array.isArray(value) && value.length > 0 && value.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
    const cols = [...new Set(value.flatMap((r) => Object.keys(r as object)))].slice(0, 12);
    return (
      <table className="result-table">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {value.slice(0, 500).map((r, i) => (
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>{cell((r as Record<string, unknown>)[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (typeof value === 'string') return <pre>{value}</pre>;
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function ErrorNote({ error }: { error: string | null }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ? `${err.message} (${err.code})` : String(err.message ?? e);
}
