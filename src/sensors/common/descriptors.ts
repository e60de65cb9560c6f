import { readFileSync } from 'node:fs';

/**
 * The process's soft limit on open files (RLIMIT_NOFILE), from /proc/self/limits; Node raises
 * the soft limit to the hard one at start, so this is what the process can really open.
 * undefined when unknown (not Linux) or unlimited.
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Descriptors kept back from the sensors for the API, the store, logs and device sessions. */
export function descriptorReserve(limit: number): number {
  return Math.max(256, Math.ceil(limit * 0.1));
}

/**
 * The most connections the sensors may hold together so the reserve stays free:
 * min(wanted, limit - reserve), at least 1 so a tiny limit still lets one device in.
 */
export function sensorConnectionBudget(wanted: number, limit = openFileLimit()): number {
  if (limit === undefined) return wanted;
  return Math.max(1, Math.min(wanted, limit - descriptorReserve(limit)));
}
