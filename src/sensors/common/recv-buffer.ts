/**
 * What the kernel let a UDP socket have of the receive buffer it asked for. Linux caps a
 * request at net.core.rmem_max and then reports twice what it granted (half is bookkeeping), so
 * comparing the reported size with the request misses a cap: the cap itself is read instead.
 */
import { readFileSync } from 'node:fs';

/** net.core.rmem_max in bytes, or null where there is no /proc (not Linux). */
export function rmemMax(): number | null {
  try {
    const n = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Why the buffer is smaller than asked, worded for the operator with the fix; null when it is not. */
export function recvBufferShortfall(requested: number, granted: number, cap: number | null = rmemMax()): string | null {
  if (cap === null ? granted >= requested : cap >= requested) return null;
  const got = cap ?? granted;
  return (
    `UDP receive buffer capped by the kernel: asked ${requested} bytes, net.core.rmem_max allows ${got}; ` +
    `a burst larger than that is dropped by the kernel. Raise it: sysctl -w net.core.rmem_max=${requested}`
  );
}
