import { describeError } from '../../src/core/errors.js';

/**
 * One operation over many devices with a concurrency limit. Every device gets an outcome:
 * 197 ok and 3 failed with their reasons, never one exception for the whole run (Nornir's
 * results-as-data). Outcomes come back in the order the devices were given.
 */

export type DeviceOutcome<T> =
  | { device: string; ok: true; value: T; elapsedMs: number }
  | { device: string; ok: false; error: { code: string; message: string; retryable: boolean }; elapsedMs: number };

export interface FanOutOptions<T> {
  /** Devices worked on at once (default 20). */
  concurrency?: number;
  /** Stop starting new devices; those not started fail with NRX_ERR_CANCELED. */
  signal?: AbortSignal;
  /** Called as each device finishes (progress bars). */
  onOutcome?(outcome: DeviceOutcome<T>, done: number, total: number): void;
}

export async function fanOut<T>(
  devices: readonly string[],
  operation: (device: string) => Promise<T>,
  opts: FanOutOptions<T> = {},
): Promise<DeviceOutcome<T>[]> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 20));
  const outcomes: DeviceOutcome<T>[] = new Array(devices.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= devices.length) return;
      const device = devices[i]!;
      const started = performance.now();
      let outcome: DeviceOutcome<T>;
      if (opts.signal?.aborted) {
        outcome = {
          device,
          ok: false,
          error: { code: 'NRX_ERR_CANCELED', message: `device ${device}: not started, the run was canceled`, retryable: false },
          elapsedMs: 0,
        };
      } else {
        try {
          outcome = { device, ok: true, value: await operation(device), elapsedMs: performance.now() - started };
        } catch (e) {
          outcome = { device, ok: false, error: describeError(e), elapsedMs: performance.now() - started };
        }
      }
      outcomes[i] = outcome;
      done++;
      try {
        opts.onOutcome?.(outcome, done, devices.length);
      } catch {
        // A broken progress callback must not lose the results.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, worker));
  return outcomes;
}

/** Counts for a summary line: `197 ok, 3 failed`. */
export function summarise<T>(outcomes: readonly DeviceOutcome<T>[]): { ok: number; failed: number } {
  const ok = outcomes.filter((o) => o.ok).length;
  return { ok, failed: outcomes.length - ok };
}
