import { reportSwallowed } from '../core/swallowed-errors.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { KeyValueRecord } from '../store/records.js';
import type { WriteOp } from '../store/store.js';
import type { EventEnvelope } from '../events/envelope.js';

/** Where throttle counters and held events survive a restart (a system key in the datastore). */
export const RULE_STATE_KEY = '_netreflex.rule_state';

/** What the rule state is read from and written to. */
export interface RuleStateStorage {
  kvGet(scope: string, key: string): Promise<KeyValueRecord | null>;
  commit(ops: WriteOp[]): Promise<unknown>;
}

/** The enforcer's state as it is saved and restored. */
export interface RuleStateHolder {
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** Where the appliance keeps throttle and hold-down state: one key (RuleStateFile) or one per event partition. */
export interface RuleStateKeeper {
  restore(): Promise<void>;
  /** A throttled or held rule decided about this event. */
  changed(event: EventEnvelope): void;
  /** State writes to commit with the decisions that changed it ([] when it is saved on its own schedule). */
  takeWrites(): WriteOp[];
  start(everyMs?: number): void;
  stop(): void;
  flush(): Promise<void>;
}

/**
 * Throttle and hold-down state, saved at most once a second and only when a throttled or held
 * rule decided something since the last save (the state changes on every such decision).
 */
export class RuleStateFile implements RuleStateKeeper {
  private dirty = false;
  private interval: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: RuleStateStorage,
    private readonly holder: RuleStateHolder,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Load the saved state; a state that cannot be read is logged and the rules start fresh. */
  async restore(): Promise<void> {
    const saved = await this.storage.kvGet('system', RULE_STATE_KEY);
    if (!saved) return;
    try {
      this.holder.restore(JSON.parse(saved.value));
    } catch (e) {
      this.log.warn({ err: describeError(e) }, 'could not restore throttle and hold-down state; starting fresh');
    }
  }

  /** A throttled or held rule decided: save on the next flush. */
  changed(): void {
    this.dirty = true;
  }

  takeWrites(): WriteOp[] {
    return [];
  }

  /** Save every `everyMs` from now on (until stop). */
  start(everyMs = 1000): void {
    // not saved (the store not answering): still dirty, saved at a later tick
    this.interval ??= setInterval(
      () =>
        void this.flush().catch((error: unknown) => {
          this.dirty = true;
          reportSwallowed({ where: 'rule_state_save', error, log: this.log, msg: 'throttle and hold-down state not saved; tried again in a second' });
        }),
      everyMs,
    );
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const updatedAt = new Date(this.now()).toISOString();
    await this.storage.commit([
      {
        op: 'kvPut',
        value: { scope: 'system', key: RULE_STATE_KEY, value: JSON.stringify(this.holder.snapshot()), secret: false, expiresAt: null, updatedAt },
      },
    ]);
  }
}
