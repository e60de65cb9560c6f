export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same work done by a reference run side by side in the same process and run. */
  peer?: { name: string; value: number };
  goal?: string;
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
