import type { Leadership } from '../store/store.js';
import type { RunningBot } from './start-bot.js';

export interface BotLeadershipDeps {
  /** Several API nodes share the store: the bot follows this leader; none: the bot runs here. */
  leadership?: Leadership;
  /** Connects the bot (null: not enabled); may throw (a chat server that is down). */
  start: () => Promise<RunningBot | null>;
  /** Says what became of the bot: started, not enabled, not started and why, stopped. */
  report: (what: { bot: RunningBot | null } | { error: unknown } | { stopped: true }) => void;
}

/**
 * One chat bot per cluster: IRC refuses a second connection with the same nick, and two bots
 * would post each announcement twice. The bot runs on the leader of the API nodes (a lock in the
 * shared store, as for timers) and moves to another API node when the leader stops or dies.
 */
export function runBotOnLeader(deps: BotLeadershipDeps): { started: Promise<void>; stop(): Promise<void> } {
  let bot: RunningBot | null = null;
  let stopped = false;
  // start and stop one after the other, never overlapping
  let turn: Promise<void> = Promise.resolve();
  const lead = (leader: boolean): Promise<void> =>
    (turn = turn.then(async () => {
      if (leader && !bot && !stopped) {
        try {
          bot = await deps.start();
          deps.report({ bot });
        } catch (error) {
          deps.report({ error });
        }
      } else if (!leader && bot) {
        const b = bot;
        bot = null;
        await b.stop().catch(() => {});
        deps.report({ stopped: true });
      }
    }));
  const started = deps.leadership ? Promise.resolve() : lead(true);
  deps.leadership?.watch((leader) => void lead(leader));
  return {
    started,
    async stop() {
      stopped = true;
      await lead(false);
      await deps.leadership?.close();
    },
  };
}
