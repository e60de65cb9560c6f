import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Leadership } from '../store/store.js';

/** What is started and stopped with the leadership (the PollerSensor). */
export interface LeaderDuty {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly size: number;
  /** Definitions that could not be loaded (each names file, line and field). */
  readonly errors: ReadonlyArray<{ code: string; message: string }>;
}

/**
 * Several rules nodes on one store poll the devices once, not once each: the pollers run on the
 * timer leader only, started when this node becomes the leader and stopped when it stops being
 * it. Start and stop follow each other in the order the leadership changed. A poller's last
 * readings live in memory, so the new leader's first round is its baseline: a change during the
 * handover is seen as the state after it, never reported twice.
 */
export function pollOnLeader(leadership: Leadership, pollers: LeaderDuty, log: Logger, say: (s: string) => void): { settled(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  leadership.watch((leader) => {
    chain = chain
      .then(async () => {
        if (leader) {
          await pollers.start();
          for (const e of pollers.errors) say(`netreflex: poller not loaded: ${e.code}: ${e.message}`);
          if (pollers.size) say(`netreflex: timer leader: ${pollers.size} poller(s) running on this node`);
        } else await pollers.stop();
      })
      .catch((e: unknown) => log.warn({ err: describeError(e) }, `pollers: ${leader ? 'start' : 'stop'} on a leadership change failed`));
  });
  return { settled: () => chain };
}
