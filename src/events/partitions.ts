import { NrxError } from '../core/errors.js';

/**
 * Event partitions of a cluster: every event belongs to one of P partitions, chosen by a stable
 * hash of its device, and each partition is decided by one rules node at a time. All events of
 * one device fall in one partition, so they are decided in the order the sensors published them,
 * and the rule state they build (hold-downs, throttle counters) follows the partition when it
 * moves to another rules node. Events without a device share the partition of the empty name.
 *
 * P is fixed for a cluster: it is recorded with the event stream, and a node started with
 * another P is refused (the same device would hash to another partition on it).
 */

export const DEFAULT_PARTITIONS = 16;
export const MAX_PARTITIONS = 1024;

/** FNV-1a (32 bit) over the UTF-8 bytes: the same answer on every node and every version. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The partition of a device's events (null: events that name no device). */
export function partitionOf(device: string | null | undefined, partitions: number): number {
  return fnv1a(device ?? '') % partitions;
}

/** A partition count from a flag or the environment: an integer 1..1024. */
export function parsePartitionCount(text: string | number | undefined, what = '--partitions'): number {
  if (text === undefined || text === '') return DEFAULT_PARTITIONS;
  const n = typeof text === 'number' ? text : /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS)
    throw new NrxError('NRX_ERR_CONFIG', `${what}: expected a whole number of event partitions from 1 to ${MAX_PARTITIONS}, got '${String(text)}'`);
  return n;
}

/**
 * How many partitions each live rules node should own: P split as evenly as the count allows
 * (sizes differ by at most one); the first members in the given order take the larger shares.
 * Every node computes this from the same member list, so they agree without talking.
 */
export function fairShares(members: readonly string[], partitions: number): Map<string, number> {
  const sorted = [...new Set(members)].sort();
  const out = new Map<string, number>();
  if (sorted.length === 0) return out;
  const base = Math.floor(partitions / sorted.length);
  const extra = partitions % sorted.length;
  sorted.forEach((m, i) => out.set(m, base + (i < extra ? 1 : 0)));
  return out;
}

/**
 * The partitions a node should try first when it takes free ones: starting at an offset of its
 * own, so two nodes taking at once mostly ask for different locks.
 */
export function takeOrder(free: readonly number[], self: string): number[] {
  if (free.length === 0) return [];
  const sorted = [...free].sort((a, b) => a - b);
  const start = fnv1a(self) % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)];
}

/** Which of its partitions a node gives back when it holds more than its share: the highest numbers. */
export function extrasToRelease(owned: readonly number[], share: number): number[] {
  if (owned.length <= share) return [];
  return [...owned].sort((a, b) => a - b).slice(share);
}
