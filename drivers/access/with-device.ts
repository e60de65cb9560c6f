import type { Driver } from '../contract/cli.js';
import type { DriverFactory } from './open.js';
import type { CliResolver } from './targets.js';

/**
 * Resolve, connect, run `work`, always close (a pooled session goes back to its pool). Cancel
 * (the signal) closes the session for good, which ends the command in flight.
 */
export async function withDevice<T>(
  resolver: CliResolver,
  factory: DriverFactory,
  name: string,
  signal: AbortSignal | undefined,
  work: (driver: Driver) => Promise<T>,
): Promise<T> {
  const driver = factory(await resolver.resolve(name));
  const onAbort = (): void => void driver.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await driver.connect();
    return await work(driver);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await driver.close();
  }
}
