import { describeError, NrxError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import { fanOut, type DeviceOutcome } from '../../../drivers/access/fan-out.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { detectChanges } from './change-detector.js';
import type { PollerDefinition } from './definition.js';
import { eventsForChanges } from './events.js';
import { toItems, type Items, type ItemsResult, type RawReading } from './items.js';
import type { DeviceReader } from './reader.js';

export interface PolledDevice {
  name: string;
  platform: string | null;
}

export interface PollerDeps {
  /** Devices the inventory filter selects now (the inventory may change between rounds). */
  listDevices(filter: string): Promise<PolledDevice[]>;
  read: DeviceReader;
  emit(event: EventEnvelope): Promise<void>;
  log: Pick<Logger, 'warn'>;
  now?: () => number;
  /**
   * Whether this node polls the device now (a cluster's rules nodes share the devices by event
   * partition); default every device. Asked at each round's start and again for each reading.
   */
  polledHere?: (device: string) => boolean;
}

export const POLLER_COUNTER_NAMES = ['rounds', 'polled', 'failed', 'changes', 'emitted', 'dropped', 'overruns', 'devices'] as const;
export type PollerCounterSnapshot = Record<(typeof POLLER_COUNTER_NAMES)[number], number>;

export class PollerCounters {
  /** Polling rounds finished. */
  rounds = 0;
  /** Device readings that succeeded. */
  polled = 0;
  /** Device readings that failed (the device's previous values are kept). */
  failed = 0;
  /** Changes detected (each becomes one event). */
  changes = 0;
  /** Events the appliance accepted. */
  emitted = 0;
  /** Events the appliance refused (store or bus failure, payload invalid). */
  dropped = 0;
  /** Rounds that took longer than `every`, so the next one started late. */
  overruns = 0;
  /** Devices the filter selected in the last round (a gauge). */
  devices = 0;

  snapshot(): PollerCounterSnapshot {
    return {
      rounds: this.rounds,
      polled: this.polled,
      failed: this.failed,
      changes: this.changes,
      emitted: this.emitted,
      dropped: this.dropped,
      overruns: this.overruns,
      devices: this.devices,
    };
  }
}

export interface RoundSummary {
  devices: number;
  polled: number;
  failed: number;
  events: number;
}

/**
 * One poller: every `every`, read each selected device (at most `concurrency` at once), compare
 * with the last reading of that device and emit one event per change. The first reading of a
 * device is its baseline. A device that fails keeps its last reading, so a failure is never a
 * change and the values are compared again when it answers. Rounds never overlap.
 */
export class Poller {
  readonly counters = new PollerCounters();
  private readonly last = new Map<string, Items>();
  /** Consecutive failures per device, for the log line. */
  private readonly failing = new Map<string, number>();
  private readonly warn: RateLimitedLog;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<RoundSummary> | null = null;
  private abort: AbortController | null = null;
  private stopped = false;

  constructor(
    readonly definition: PollerDefinition,
    private readonly deps: PollerDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.warn = new RateLimitedLog(deps.log, { burst: 5, intervalMs: 60_000, now: this.now });
  }

  /** Poll now, then every `every` after each round's start. */
  start(): void {
    if (this.stopped || this.timer || this.round) return;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const startedAt = this.now();
      void this.pollOnce()
        .catch((e) => this.warn.warn({ poller: this.definition.ref, err: describeError(e) }, 'poll round failed'))
        .finally(() => {
          if (this.stopped) return;
          const elapsed = this.now() - startedAt;
          if (elapsed > this.definition.everyMs) this.counters.overruns++;
          this.schedule(Math.max(0, this.definition.everyMs - elapsed));
        });
    }, delayMs);
  }

  /** One round over the selected devices. A round already running is joined, not doubled. */
  pollOnce(): Promise<RoundSummary> {
    if (this.round) return this.round;
    this.round = this.runRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async runRound(): Promise<RoundSummary> {
    const def = this.definition;
    const here = this.deps.polledHere;
    const listed = await this.deps.listDevices(def.on);
    // a device another node polls is left to it; one that comes back here starts from a new baseline
    const devices = here ? listed.filter((d) => here(d.name)) : listed;
    this.counters.devices = devices.length;
    const selected = new Set(devices.map((d) => d.name));
    // A device that left the filter starts from a new baseline if it comes back.
    for (const name of this.last.keys()) if (!selected.has(name)) this.last.delete(name);
    for (const name of this.failing.keys()) if (!selected.has(name)) this.failing.delete(name);
    const platformOf = new Map(devices.map((d) => [d.name, d.platform]));
    const summary: RoundSummary = { devices: devices.length, polled: 0, failed: 0, events: 0 };
    const abort = (this.abort = new AbortController());
    // Each device's changes are emitted as it answers, in order, not after the slowest device.
    let absorbing: Promise<void> = Promise.resolve();
    await fanOut(
      devices.map((d) => d.name),
      (device) => this.readWithTimeout(device, abort.signal),
      {
        concurrency: def.concurrency,
        signal: abort.signal,
        onOutcome: (o) => {
          absorbing = absorbing.then(() => this.absorb(o, platformOf.get(o.device) ?? null, summary));
        },
      },
    );
    await absorbing;
    this.abort = null;
    if (!this.stopped) this.counters.rounds++;
    return summary;
  }

  private async absorb(o: DeviceOutcome<RawReading>, platform: string | null, summary: RoundSummary): Promise<void> {
    if (this.stopped) return;
    const def = this.definition;
    if (this.deps.polledHere && !this.deps.polledHere(o.device)) {
      // the device moved to another node during the round: its reading and baseline are that node's now
      this.last.delete(o.device);
      this.failing.delete(o.device);
      return;
    }
    if (!o.ok) {
      summary.failed++;
      this.counters.failed++;
      const n = (this.failing.get(o.device) ?? 0) + 1;
      this.failing.set(o.device, n);
      this.warn.warn(
        { poller: def.ref, device: o.device, code: o.error.code, consecutive: n, err: o.error.message },
        'device poll failed; its previous values are kept',
      );
      return;
    }
    let reading: ItemsResult;
    try {
      reading = toItems(def.source, o.value, def.key);
    } catch (e) {
      summary.failed++;
      this.counters.failed++;
      this.warn.warn({ poller: def.ref, device: o.device, err: describeError(e) }, 'device reading not understood; its previous values are kept');
      return;
    }
    summary.polled++;
    this.counters.polled++;
    this.failing.delete(o.device);
    if (reading.duplicates.length) {
      this.warn.warn(
        { poller: def.ref, device: o.device, key: def.key.join(','), duplicates: reading.duplicates.slice(0, 5) },
        'key is not unique on this device; the first item of each key is compared (widen key)',
      );
    }
    const previous = this.last.get(o.device);
    this.last.set(o.device, reading.items);
    if (!previous && !def.emitInitial) return;
    const changes = detectChanges(previous ?? new Map(), reading.items, def.watch);
    this.counters.changes += changes.length;
    for (const e of eventsForChanges(def, o.device, platform, changes)) {
      if (this.stopped) return;
      summary.events++;
      try {
        await this.deps.emit(makeEvent(e.type, e.payload, { source: `poller:${def.ref}`, device: o.device, time: new Date(this.now()).toISOString() }));
        this.counters.emitted++;
      } catch (err) {
        this.counters.dropped++;
        this.warn.warn({ poller: def.ref, device: o.device, type: e.type, err: describeError(err) }, 'poller event not accepted');
      }
    }
  }

  /** A device that hangs must not hold the round: its poll fails after `timeout`. */
  private readWithTimeout(device: string, roundSignal: AbortSignal): Promise<RawReading> {
    const ctl = new AbortController();
    const onRoundAbort = (): void => ctl.abort(roundSignal.reason);
    roundSignal.addEventListener('abort', onRoundAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new NrxError(
          'NRX_ERR_DEVICE_TIMEOUT',
          `device ${device}: poller ${this.definition.ref} got no reading within ${this.definition.timeoutMs} ms`,
        );
        ctl.abort(err);
        reject(err);
      }, this.definition.timeoutMs);
      ctl.signal.addEventListener(
        'abort',
        () => reject(ctl.signal.reason instanceof Error ? ctl.signal.reason : new NrxError('NRX_ERR_CANCELED', `device ${device}: poll canceled`)),
        { once: true },
      );
    });
    return Promise.race([this.deps.read(device, this.definition.source, ctl.signal), timeout]).finally(() => {
      clearTimeout(timer);
      roundSignal.removeEventListener('abort', onRoundAbort);
    });
  }

  /**
   * Poll again now, after the round in flight if there is one (this node took devices over: they
   * are read at once, not at the next scheduled round).
   */
  pollAgain(): void {
    const after = this.round
      ? this.round.then(
          () => undefined,
          () => undefined,
        )
      : Promise.resolve();
    void after
      .then(() => (this.stopped ? undefined : this.pollOnce()))
      .catch((e) => this.warn.warn({ poller: this.definition.ref, err: describeError(e) }, 'poll round failed'));
  }

  /** The last reading of a device (what the next one is compared with). */
  lastReading(device: string): Items | undefined {
    return this.last.get(device);
  }

  /** Stop polling; a round in flight is cancelled and emits nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort(new NrxError('NRX_ERR_CANCELED', `poller ${this.definition.ref} stopped`));
    await this.round?.catch(() => undefined);
  }
}
