import type { EventEnvelope } from '../events/envelope.js';
import { partitionOf } from '../events/partitions.js';
import type { WriteOp } from '../store/store.js';
import { RULE_STATE_KEY, type RuleStateKeeper, type RuleStateStorage } from './rule-state-file.js';

/** What is saved and restored per partition: the enforcer's holds and counters of some devices. */
export interface PartitionedState {
  snapshot(only: (device: string | null) => boolean): unknown;
  absorb(snapshot: unknown): void;
  forget(only: (device: string | null) => boolean): void;
}

/** The datastore key of one partition's throttle and hold-down state. */
export function partitionStateKey(partition: number): string {
  return `${RULE_STATE_KEY}.p${partition}`;
}

/**
 * Throttle counters and hold-downs of a rules node that shares the events with others: kept per
 * event partition (the partition of the device of the event that made them), written in the same
 * transaction as the decisions that changed them, restored by a node when it takes a partition
 * over and saved and dropped when it gives one away. A held event therefore fires on exactly one
 * node, once, whichever node holds its partition when the hold runs out. (On a shared store the
 * throttles are counted in the store itself, across the nodes: shared-throttle.ts; the enforcer's own
 * counters then stay empty.)
 */
export class PartitionRuleState implements RuleStateKeeper {
  private readonly owned = new Set<number>();
  private readonly dirty = new Set<number>();
  private interval: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: RuleStateStorage,
    private readonly state: PartitionedState,
    private readonly partitions: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Nothing at start: each partition's state is restored when this node takes the partition. */
  async restore(): Promise<void> {}

  changed(event: EventEnvelope): void {
    const p = partitionOf(event.device, this.partitions);
    // state of events decided here for a partition another node owns (a timer, an API event) stays in memory
    if (this.owned.has(p)) this.dirty.add(p);
  }

  takeWrites(): WriteOp[] {
    const ops = [...this.dirty].map((p) => this.write(p));
    this.dirty.clear();
    return ops;
  }

  start(everyMs = 1000): void {
    // decisions carry their state; this catches what changes without one (counters aging out)
    this.interval ??= setInterval(() => void this.flush().catch(() => {}), everyMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }

  async flush(): Promise<void> {
    const ops = this.takeWrites();
    if (ops.length) await this.storage.commit(ops);
  }

  /** This node took the partition: its saved state joins the enforcer's (before any of its events is read). */
  async take(partition: number): Promise<void> {
    const saved = await this.storage.kvGet('system', partitionStateKey(partition));
    if (saved) this.state.absorb(JSON.parse(saved.value));
    this.owned.add(partition);
  }

  /** This node gives the partition away: its state is saved, then dropped here. */
  async give(partition: number): Promise<void> {
    this.dirty.delete(partition);
    await this.storage.commit([this.write(partition)]);
    this.drop(partition);
  }

  /** The partition was lost (the store connection went): drop its state without saving it. */
  drop(partition: number): void {
    this.owned.delete(partition);
    this.dirty.delete(partition);
    this.state.forget((d) => partitionOf(d, this.partitions) === partition);
  }

  private write(partition: number): WriteOp {
    const value = JSON.stringify(this.state.snapshot((d) => partitionOf(d, this.partitions) === partition));
    const updatedAt = new Date(this.now()).toISOString();
    return { op: 'kvPut', value: { scope: 'system', key: partitionStateKey(partition), value, secret: false, expiresAt: null, updatedAt } };
  }
}
