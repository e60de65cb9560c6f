import { describeError, NrxError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { NatsEventBus } from '../events/nats-event-bus.js';
import type { PartitionFeed } from '../events/nats-partition-feed.js';
import { PartitionRuleState, type PartitionedState } from '../rules/partition-rule-state.js';
import type { RuleStateStorage } from '../rules/rule-state-file.js';
import type { Store } from '../store/store.js';
import { BusEvents, type BusEventSink } from './bus-events.js';
import type { IntakeSettle } from './event-intake.js';
import { PartitionOwner } from './partition-owner.js';
import { partitionOf } from '../events/partitions.js';

/** The appliance as a partition owner uses it. */
export interface PartitionedAppliance extends Omit<BusEventSink, 'flushIntake' | 'getTriggerInstance'> {
  accept(event: EventEnvelope, settle: IntakeSettle): void;
  rearmHoldDowns(): void;
  readonly intake: { flush(): Promise<void> };
  readonly store: Pick<Store, 'getTriggerInstance'>;
}

/**
 * The devices a rules node polls: those whose events go to a partition it owns (the partition the
 * bus publishes the device's events to), so each device is polled by the one node that owns it.
 */
export function polledBy(owner: { owns(partition: number): boolean }, partitions: number): (device: string) => boolean {
  return (device) => owner.owns(partitionOf(device, partitions));
}

/**
 * A rules node of a cluster: it owns a fair share of the event partitions (PartitionOwner), reads
 * their events from the bus into its appliance's intake (BusEvents) and keeps their hold-down
 * state per partition (PartitionRuleState); throttles count in the store, over every node. Built before the appliance (which takes the
 * options it gives), started after it.
 */
export class PartitionedRules {
  private ruleState: PartitionRuleState | null = null;
  private events: BusEvents | null = null;
  private owner: PartitionOwner | null = null;
  private readonly feeds = new Map<number, PartitionFeed>();
  private readonly busWarnings: RateLimitedLog;
  private tookOver: (partitions: number[]) => void = () => {};

  constructor(
    private readonly bus: NatsEventBus,
    private readonly store: Store | undefined,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {
    if (!store?.partitionLocks)
      throw new NrxError(
        'NRX_ERR_CONFIG',
        `a rules node with --bus shares the events with the other rules nodes through PostgreSQL: give --store postgres://...`,
      );
    this.busWarnings = new RateLimitedLog(log);
  }

  /**
   * What the appliance is built with: state per partition, a word when an event is decided, no
   * inbox events, and an intake that writes at the end of each event-loop turn: the bus hands
   * events over as they come (a burst arrives together and is written together), so waiting for
   * more only adds latency.
   */
  applianceOptions(): {
    intake: { flushMs: number };
    ruleState: (storage: RuleStateStorage, enforcer: PartitionedState) => PartitionRuleState;
    onEventDecided: (id: string, ok: boolean) => void;
    inboxEvents: false;
  } {
    return {
      intake: { flushMs: 0 },
      ruleState: (storage, enforcer) => (this.ruleState = new PartitionRuleState(storage, enforcer, this.bus.partitions)),
      onEventDecided: (id, ok) => this.events?.decided(id, ok),
      inboxEvents: false,
    };
  }

  /** Take a share of the partitions and read their events (after appliance.start()). */
  start(appliance: PartitionedAppliance): void {
    const state = this.ruleState;
    if (!state) throw new NrxError('NRX_ERR_INTERNAL', 'partitioned rules: the appliance was not built with applianceOptions()');
    const events = (this.events = new BusEvents({
      accept: (e, settle) => appliance.accept(e, settle),
      decideRecorded: (e) => appliance.decideRecorded(e),
      getTriggerInstance: (id) => appliance.store.getTriggerInstance(id),
      flushIntake: () => appliance.intake.flush(),
    }));
    const onError = (err: unknown): void => void this.busWarnings.warn({ code: describeError(err).code }, `event bus: ${describeError(err).message}`);
    this.owner = new PartitionOwner(
      this.store!.partitionLocks!(this.nodeName),
      this.bus.partitions,
      {
        take: async (p) => {
          await state.take(p);
          appliance.rearmHoldDowns();
          this.feeds.set(p, await this.bus.openPartition(p, (m) => events.handle(m), onError));
          this.log.info({ partition: p }, 'event partition taken');
        },
        give: async (p) => {
          await this.feeds.get(p)?.stop();
          this.feeds.delete(p);
          if (!(await events.settled(p))) this.log.warn({ partition: p }, 'event partition given back with events still being decided');
          await state.give(p);
          this.log.info({ partition: p }, 'event partition given back');
        },
        tookOver: (ps) => this.tookOver(ps),
        drop: (p) => {
          void this.feeds.get(p)?.stop();
          this.feeds.delete(p);
          state.drop(p);
        },
      },
      this.log,
    );
    this.owner.start();
  }

  /** Called once this node has taken partitions (a look at the owners may take several). */
  onTookOver(fn: (partitions: number[]) => void): void {
    this.tookOver = fn;
  }

  /** This node's partitions now. */
  owned(): number[] {
    return this.owner?.owned() ?? [];
  }

  /**
   * Whether this node owns the device's partition now (the partition its events go to): its
   * pollers poll the devices of its partitions, so each device is polled by one rules node and
   * its poll events are decided on the node that read them.
   */
  ownsDevice(device: string): boolean {
    return this.owner ? polledBy(this.owner, this.bus.partitions)(device) : false;
  }

  /** Give the partitions back (the others take them at once) and stop reading. */
  async stop(): Promise<void> {
    await this.owner?.stop();
  }
}
