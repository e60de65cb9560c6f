export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same work done by a reference run side by side in the same process and run. */
  peer?: { name: string; value: number };
  goal?: string;
  /** The peer could not be measured (not installed, timed out, crashed): why. The row still shows our figure. */
  peerFailed?: string;
}

/** Where a bench hands a result the moment it is measured, so a later failure cannot take it with it. */
export type Emit = (r: BenchResult) => void;

/** The peer's figure, or why there is none: a failing peer never fails the bench. */
export async function tryPeer<T>(what: string, measure: () => Promise<T> | T): Promise<{ ok: T } | { failed: string }> {
  try {
    return { ok: await measure() };
  } catch (e) {
    return { failed: `${what}: ${e instanceof Error ? e.message : String(e)}`.split('\n')[0]!.slice(0, 300) };
  }
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** The peer fields of a row: the peer's figure, or why it has none. */
export function peerFields<T>(p: { ok: T } | { failed: string }, name: string, value: (t: T) => number): Pick<BenchResult, 'peer' | 'peerFailed'> {
  return 'ok' in p ? { peer: { name, value: value(p.ok) } } : { peerFailed: p.failed };
}
