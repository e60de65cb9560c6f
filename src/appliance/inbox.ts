import { reportSwallowed } from '../core/swallowed-errors.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { NewPendingEvent } from '../store/pending-events.js';
import { TERMINAL_STATUSES, type ControlRequestRecord, type ExecutionRecord, type TriggerInstanceRecord } from '../store/records.js';
import type { WriteOp } from '../store/store.js';
import type { EventBus } from '../events/bus.js';

/** Rows the inbox looks at per poll. */
const INBOX_PAGE = 1000;
/**
 * While the rules engine holds this many events, the inbox takes no more from the store: a
 * recovered backlog enters the bus a page at a time instead of all at once into memory.
 */
const MAX_IN_FLIGHT = 5000;

/** Pending rows not handed out before (the store's feed of them, Store.pendingEvents). */
export interface PendingEvents {
  recover(): number | Promise<number>;
  next(maxRows?: number): NewPendingEvent[] | Promise<NewPendingEvent[]>;
}

/** What the inbox reads from the store and writes back. */
export interface InboxStore {
  getTriggerInstance(id: string): Promise<TriggerInstanceRecord | null>;
  listControlRequests(): Promise<ControlRequestRecord[]>;
  getExecution(id: string): Promise<ExecutionRecord | null>;
  commit(ops: WriteOp[]): Promise<unknown>;
}

/** The controls a CLI process may ask the running appliance for. */
export interface ExecutionControls {
  cancel(executionId: string): Promise<unknown>;
  pause(executionId: string): Promise<unknown>;
  resume(executionId: string): Promise<unknown>;
  /**
   * Several nodes share the store: whether this node runs the execution. A request for one
   * another node runs is left for that node. Absent: every request is this process's.
   */
  holds?(executionId: string): boolean;
}

export interface InboxDeps {
  store: InboxStore;
  pending: PendingEvents;
  bus: EventBus;
  controls: ExecutionControls;
  /** Ids of the events published and not yet processed (the appliance adds and removes them). */
  inFlight: Set<string>;
  log: Logger;
  /** Hand pending events to the rules (false on a node without the rules role: it reads control requests only). */
  events?: boolean;
}

/**
 * The appliance's inbox: events written straight into the store (by `netreflex event emit`, or
 * left pending by a crash) and control requests (cancel, pause, resume) from CLI processes,
 * read every `pollMs`, and at once when the store says a control request was added.
 */
export class InboxPoller {
  private busy = false;
  /** Poked while reading: read once more when done. */
  private again = false;
  private stopped = false;
  /** No pending row is handed out before recover() has placed the cursor. */
  private recovered = false;
  private interval: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InboxDeps) {}

  /** Everything still pending from before the start is handed out first; returns how many. */
  async recover(): Promise<number> {
    const n = await this.deps.pending.recover();
    this.recovered = true;
    return n;
  }

  start(pollMs: number): void {
    this.interval ??= setInterval(() => this.poke(), pollMs);
  }

  /** Read now (the store said a control request was added); again after the read in progress, if one is. */
  poke(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    // a store that does not answer (a database restarting) is tried again at the next poll
    void this.drain().catch((error: unknown) =>
      reportSwallowed({
        where: 'inbox_poll',
        error,
        log: this.deps.log,
        msg: 'reading pending events and control requests failed; tried again at the next poll',
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }

  /** Publish the new pending events and carry out the control requests; returns the events published. */
  async drain(): Promise<number> {
    if (this.busy || this.stopped) return 0;
    this.busy = true;
    const { store, bus, inFlight } = this.deps;
    let n = 0;
    try {
      // Only rows not seen before, ids first: sensor events are already in flight and their
      // payloads are not read again; see Store.pendingEvents.
      const fresh = this.deps.events !== false && this.recovered && inFlight.size < MAX_IN_FLIGHT ? await this.deps.pending.next(INBOX_PAGE) : [];
      for (const { id } of fresh) {
        if (inFlight.has(id)) continue;
        const ti = await store.getTriggerInstance(id);
        // in flight by now: emitted by a sensor while the row was read
        if (!ti || ti.status !== 'pending' || inFlight.has(ti.id)) continue;
        inFlight.add(ti.id);
        await bus.publish({ id: ti.id, type: ti.type, time: ti.time, source: ti.source, device: ti.device, payload: ti.payload, traceId: ti.traceId });
        n++;
      }
      const { controls } = this.deps;
      for (const req of await store.listControlRequests()) {
        if (controls.holds && !controls.holds(req.executionId)) {
          const rec = await store.getExecution(req.executionId);
          if (rec && !TERMINAL_STATUSES.has(rec.status)) continue;
        }
        try {
          if (req.op === 'cancel') await controls.cancel(req.executionId);
          else if (req.op === 'pause') await controls.pause(req.executionId);
          else await controls.resume(req.executionId);
        } catch (e) {
          this.deps.log.warn({ execution: req.executionId, op: req.op, err: describeError(e) }, 'control request refused');
        }
        await store.commit([{ op: 'deleteControlRequest', id: req.id }]);
      }
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    }
    return n;
  }
}
