import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import { extrasToRelease, fairShares, takeOrder } from '../events/partitions.js';
import type { PartitionLocks } from '../store/store.js';

/** What a rules node does when it gains or loses a partition. */
export interface PartitionDuties {
  /** Restore the partition's rule state, then start reading its events. */
  take(partition: number): Promise<void>;
  /** Stop reading, finish the events in flight, save the rule state. */
  give(partition: number): Promise<void>;
  /** The lock is gone already (store connection lost): stop reading at once, drop the state. */
  drop(partition: number): void;
  /** Once per look that took partitions, after their take(): what else follows them (pollers). */
  tookOver?(partitions: number[]): void;
}

export interface PartitionOwnership {
  /** This node's partitions, in order. */
  owned(): number[];
  /** Whether this node owns the partition now. */
  owns(partition: number): boolean;
}

/**
 * Event partitions shared fairly among the live rules nodes: every `intervalMs` a node reads who
 * is a member and who owns what (PartitionLocks), takes free partitions up to its share
 * (fairShares: P/N each, N the live members) and gives back what it holds beyond it, so a node
 * that joins gets its share within a couple of intervals and the partitions of a node that dies
 * (its locks go with its connection) are taken by the others at their next look.
 */
export class PartitionOwner implements PartitionOwnership {
  private readonly mine = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly warnings: RateLimitedLog;

  constructor(
    private readonly locks: PartitionLocks,
    private readonly partitions: number,
    private readonly duties: PartitionDuties,
    private readonly log: Logger,
    private readonly intervalMs = 1_000,
  ) {
    this.warnings = new RateLimitedLog(log);
    locks.onLost(() => {
      if (this.mine.size) this.log.warn({ partitions: [...this.mine] }, 'event partitions lost with the store connection; taking a share again');
      for (const p of this.mine) this.duties.drop(p);
      this.mine.clear();
    });
  }

  owned(): number[] {
    return [...this.mine].sort((a, b) => a - b);
  }

  /** Whether this node owns the partition now. */
  owns(partition: number): boolean {
    return this.mine.has(partition);
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.rebalance().finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
      });
    };
    loop();
  }

  /** One look at the members and owners: take up to this node's share, give back the rest. */
  async rebalance(): Promise<void> {
    try {
      const view = await this.locks.view();
      const share = fairShares(view.members, this.partitions).get(view.self) ?? 0;
      for (const p of extrasToRelease(this.owned(), share)) {
        if (this.stopped) return;
        await this.give(p);
      }
      if (this.mine.size >= share) return;
      const free = Array.from({ length: this.partitions }, (_, p) => p).filter((p) => !view.owners.has(p) && !this.mine.has(p));
      const took: number[] = [];
      try {
        for (const p of takeOrder(free, view.self)) {
          if (this.mine.size >= share || this.stopped) break;
          if (!(await this.locks.tryTake(p))) continue;
          this.mine.add(p);
          try {
            await this.duties.take(p);
            took.push(p);
          } catch (e) {
            this.mine.delete(p);
            this.duties.drop(p);
            await this.locks.release(p).catch(() => {});
            throw e;
          }
        }
      } finally {
        if (took.length) this.duties.tookOver?.(took);
      }
    } catch (e) {
      this.warnings.warn({ err: describeError(e) }, `event partitions: ${describeError(e).message}`);
    }
  }

  private async give(p: number): Promise<void> {
    await this.duties.give(p);
    this.mine.delete(p);
    await this.locks.release(p);
  }

  /** Give every partition back (finishing what is in flight) and leave. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    for (const p of this.owned())
      await this.give(p).catch((e: unknown) => this.log.warn({ partition: p, err: describeError(e) }, 'partition not given back cleanly'));
    await this.locks.close();
  }
}
