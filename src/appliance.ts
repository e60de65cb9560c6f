import { describeError, NrxError } from './core/errors.js';
import type { ApplianceConfig } from './core/config.js';
import { createLogger, type Logger } from './core/log.js';
import { reportSwallowed, useSwallowedErrorLog } from './core/swallowed-errors.js';
import type { Delivery, EventBus } from './events/bus.js';
import { registerAllTriggerTypes } from './sensors/trigger-types.js';
import type { EventEnvelope } from './events/envelope.js';
import { MemoryBus } from './events/memory-bus.js';
import { TriggerRegistry } from './events/trigger-registry.js';
import type { ConcurrencyRule } from './executions/admission.js';
import { ExecutionEngine } from './executions/engine.js';
import { createRunners, type RunnerRegistry } from './executions/runners/registry.js';
import { InventoryDevices } from '../drivers/access/device-resolver.js';
import { SessionPool } from '../drivers/access/session-pool.js';
import { describeUnrunnable, unrunnableActions, type UnrunnableAction } from './packs/runner-support.js';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryRule } from './executions/retry.js';
import { loadPacks, type LoadedContent } from './packs/pack-loader.js';
import { RuleEnforcer, type Decision } from './rules/enforcer.js';
import { parseMaintenanceFile, type MaintenanceWindow } from './rules/maintenance.js';
import { RuleIndex } from './rules/matcher.js';
import { parseRule, type Rule } from './rules/rule.js';
import type { ExecutionRecord, RuleEnforcementRecord } from './store/records.js';
import { CredentialStore } from './datastore/credentials.js';
import { SecretCipher } from './datastore/cipher.js';
import { KeyValueStore } from './datastore/keyvalue.js';
import { InventoryService } from './inventory/inventory-service.js';
import { TimerSensor } from './sensors/timer/timer-sensor.js';
import { TIMER_TRIGGERS } from './sensors/timer/schedule.js';
import { openApplianceStore } from './store/open-store.js';
import { InboxPoller } from './appliance/inbox.js';
import { EventIntake, type IntakeLimits, type IntakeSettle } from './appliance/event-intake.js';
import { DECISION_DELIVERIES, pauseBeforeRetry } from './appliance/store-retry.js';
import { LagIndex } from './inventory/lag-index.js';
import { HoldDownTimers } from './rules/hold-down-timers.js';
import { RuleStateFile, type RuleStateKeeper, type RuleStateStorage } from './rules/rule-state-file.js';
import { settleSharedThrottles } from './rules/shared-throttle.js';
import type { ThrottleCounterRepository } from './store/repositories/index.js';
import type { Leadership, Store, WriteOp } from './store/store.js';
import { newId } from './core/ids.js';
import type { ExecutionPlacement } from './executions/ownership.js';

export interface ApplianceOptions {
  config: ApplianceConfig;
  log?: Logger;
  /** Injected clock for tests. */
  now?: () => number;
  /** How often the inbox (events and control requests written by CLI processes) is read. */
  inboxPollMs?: number;
  onExecutionUpdate?: (rec: ExecutionRecord) => void;
  /** OpenSSH known_hosts file for device connections (default <dataDir>/known_hosts). */
  knownHostsFile?: string;
  /** Record the key of a device seen for the first time instead of refusing it (TOFU). */
  trustNewHostKeys?: boolean;
  /** Called for every rule decision recorded (API stream, metrics). */
  onEnforcement?: (rec: RuleEnforcementRecord) => void;
  /** Storm handling for the network sensors' events: queue limits, batch size, coalescing window. */
  intake?: Partial<IntakeLimits>;
  /** An opened store (PostgreSQL: `openStore`); default the SQLite database in the data directory. The appliance closes it on stop. */
  store?: Store;
  /** Several rules nodes share the store: timers fire only on the leader (default: this process alone, always). */
  timerLeadership?: Leadership;
  /** Where throttle and hold-down state is kept (default: one datastore key, RuleStateFile). */
  ruleState?: (storage: RuleStateStorage, enforcer: RuleEnforcer) => RuleStateKeeper;
  /** Called once an event's rule decisions are recorded (ok) or could not be (not ok). */
  onEventDecided?: (eventId: string, ok: boolean) => void;
  /** Hand out pending events found in the store (default true); false where the event bus hands them out. */
  inboxEvents?: boolean;
  /** Several nodes share the store: who runs which execution (see WorkClaims); start() then resumes nothing itself. */
  placement?: ExecutionPlacement;
  /** Rules run here: events are matched, timers and hold-downs armed (default true; false on a worker or API node). */
  rules?: boolean;
  /** Several nodes share the store: a pending event is taken up by the inbox only after it stayed pending this long (Store.pendingEvents). */
  pendingSettleMs?: number;
  /** Where `emit` sends an event once recorded as pending (default this process's bus, to its own rules; a cluster's event bus). */
  publishEmitted?: (event: EventEnvelope) => Promise<void>;
  /** Several rules nodes share the store: throttles are counted there, across them (default: in this process's memory). */
  throttleCounters?: ThrottleCounterRepository;
}

/** Events of a rules node whose executions are being recorded at once; past this, the next waits. */
const HAND_OFF_IN_FLIGHT = 64;

/** An inbox that finds no events (a rules node of a cluster: its events come from its partitions). */
const NO_PENDING_EVENTS = { recover: () => 0, next: () => [] };
/** How often the inbox reads pending events and control requests (ms). */
const INBOX_POLL_MS = 200;
/** How often where the store notifies control requests and the node reads no pending events: only a fallback. */
const NOTIFIED_INBOX_POLL_MS = 2_000;

/** Everything loaded from packs, and what could not be loaded. */
export interface Content {
  loaded: LoadedContent;
  rules: Rule[];
  maintenance: MaintenanceWindow[];
  errors: NrxError[];
}

/** Load packs, rules, policies and maintenance windows from the pack base paths. */
export function loadContent(packsPaths: string[]): Content {
  const loaded = loadPacks(packsPaths);
  const errors = [...loaded.errors];
  const rules: Rule[] = [];
  for (const { pack, source } of loaded.ruleSources) {
    try {
      rules.push(parseRule(source, { pack }));
    } catch (e) {
      errors.push(e instanceof NrxError ? e : new NrxError('NRX_ERR_RULE_INVALID', (e as Error).message, { location: { file: source.file } }));
    }
  }
  const maintenance: MaintenanceWindow[] = [];
  for (const { source } of loaded.maintenanceSources) {
    try {
      maintenance.push(...parseMaintenanceFile(source));
    } catch (e) {
      errors.push(e instanceof NrxError ? e : new NrxError('NRX_ERR_SPEC_INVALID', (e as Error).message, { location: { file: source.file } }));
    }
  }
  return { loaded, rules, maintenance, errors };
}

function policyRules(content: Content): { concurrency: ConcurrencyRule[]; retries: RetryRule[] } {
  const concurrency: ConcurrencyRule[] = [];
  const retries: RetryRule[] = [];
  for (const p of content.loaded.policies) {
    if (!p.enabled) continue;
    if (p.policy.kind === 'concurrency')
      concurrency.push({ actionRef: p.resourceRef, threshold: p.policy.threshold, onLimit: p.policy.onLimit, attributes: p.policy.attributes });
    else
      retries.push({
        actionRef: p.resourceRef,
        retryOn: p.policy.retryOn,
        maxRetryCount: p.policy.maxRetryCount,
        delayMs: p.policy.delayMs,
        backoff: p.policy.backoff,
        maxDelayMs: p.policy.maxDelayMs,
      });
  }
  return { concurrency, retries };
}

/**
 * The whole appliance in one process: store, bus, trigger types, rules, execution engine.
 * Events enter through `emit` (sensors, API) or the store's inbox (CLI processes); each is
 * recorded as a pending trigger instance before it is published, so a crash between the
 * two re-delivers it on the next start (at-least-once).
 */
export class Appliance {
  readonly store: Store;
  /** Key-value datastore with encrypted secrets (`st2kv` in templates). */
  readonly kv: KeyValueStore;
  readonly credentials: CredentialStore;
  /** The device inventory (hosts, groups, defaults) kept in the store. */
  readonly inventory: InventoryService;
  /** Inventory + credentials + known hosts: how device runners reach a device by name. */
  readonly devices: InventoryDevices;
  readonly bus: EventBus;
  readonly triggers = new TriggerRegistry();
  content: Content;
  readonly rules = new RuleIndex();
  readonly enforcer: RuleEnforcer;
  readonly engine: ExecutionEngine;
  /** Every runner this appliance has, by runner_type or alias: action, workflow and inquiry runners. */
  readonly runners: RunnerRegistry;
  readonly log: Logger;
  private readonly now: () => number;
  private readonly inFlight = new Set<string>();
  private pruneInterval: NodeJS.Timeout | null = null;
  private readonly holdDowns: HoldDownTimers;
  private readonly ruleState: RuleStateKeeper;
  private readonly inbox: InboxPoller;
  /** The network sensors' way in: coalescing, batched writes, bounded queue (see EventIntake). */
  readonly intake: EventIntake;
  /** 'processed' marks and decisions of events handled without an execution, written together. */
  private decided: { ops: WriteOp[]; ids: string[] } = { ops: [], ids: [] };
  private decidedFlush: NodeJS.Immediate | null = null;
  /** Events whose executions are being recorded for the workers, while the next events are decided (a rules node of a cluster). */
  private readonly handingOff = new Set<Promise<void>>();
  readonly timerSensor: TimerSensor;
  /** Timers are armed here (always, unless several nodes share the store and another leads). */
  private timersActive = false;
  private started = false;
  /** Set by stop(): a failed decision write is no longer tried again after a pause. */
  private stopping = false;
  /** Cuts short the pauses of decision writes being tried again, once stopping. */
  private readonly stopPauses = new AbortController();
  /** Batches of decisions being written again after a failure: stop() waits for them. */
  private readonly rewriting = new Set<Promise<void>>();

  constructor(
    private readonly opts: ApplianceOptions,
    content?: Content,
  ) {
    this.log = opts.log ?? createLogger();
    // errors carried on past where no logger is at hand (UDP sockets, rule enforcer) go to this one
    useSwallowedErrorLog(this.log);
    this.now = opts.now ?? Date.now;
    this.store = opts.store ?? openApplianceStore(opts.config.dataDir);
    this.kv = new KeyValueStore(this.store, SecretCipher.loadOrCreate(opts.config.dataDir));
    this.credentials = new CredentialStore(this.kv);
    this.inventory = new InventoryService(this.store);
    this.devices = new InventoryDevices(this.inventory, this.credentials, {
      knownHostsFile: opts.knownHostsFile ?? path.join(opts.config.dataDir, 'known_hosts'),
      hostKeyPolicy: opts.trustNewHostKeys ? 'tofu' : 'strict',
      sessions: new SessionPool(opts.config.sessions),
    });
    this.bus = new MemoryBus();
    registerAllTriggerTypes(this.triggers);
    this.content = content ?? loadContent(opts.config.packsPaths);
    for (const e of this.content.errors) this.log.warn({ code: e.code, ...e.location }, e.message);
    for (const r of this.content.rules) this.rules.add(r);
    // The datastore reaches templates only as `st2kv` in the contexts given here (no global).
    this.enforcer = new RuleEnforcer({
      index: this.rules,
      maintenance: () => this.content.maintenance,
      groupsOf: (device) => this.inventory.groupsOf(device),
      names: this.kv.templateNames(),
      sharedThrottles: opts.throttleCounters !== undefined,
    });
    this.timerSensor = new TimerSensor(
      (e) => this.emit(e),
      this.log,
      this.now,
      () => this.rules.all(),
    );
    const { concurrency, retries } = policyRules(this.content);
    this.runners = createRunners({
      dataDir: opts.config.dataDir,
      kv: this.kv,
      emit: (e) => this.emit(e),
      remoteHosts: this.devices.remoteHosts(),
      cliDevices: this.devices.cliResolver(),
      netconfDevices: this.devices.netconfResolver(),
      selectDevices: async (filter) => (await this.inventory.listHosts(filter)).map((h) => h.name),
      listEvents: (filter) => this.store.listTriggerInstances(filter),
    });
    this.warnUnrunnable();
    this.engine = new ExecutionEngine({
      store: this.store,
      actions: this.content.loaded.actions,
      runners: this.runners,
      concurrency,
      retries,
      log: this.log,
      now: this.now,
      templateNames: (o) => this.kv.templateNames(o),
      ...(opts.onExecutionUpdate ? { onUpdate: opts.onExecutionUpdate } : {}),
      ...(opts.placement ? { placement: opts.placement } : {}),
    });
    this.ruleState = opts.ruleState?.(this.store, this.enforcer) ?? new RuleStateFile(this.store, this.enforcer, this.log, this.now);
    this.holdDowns = new HoldDownTimers(
      this.enforcer,
      (decisions) => this.withThrottles(decisions, (settled) => this.commitDecisions(this.carryOut(settled), this.ruleState.takeWrites())),
      this.log,
      this.now,
    );
    const lags = new LagIndex(() => this.inventory.resolvedHosts());
    this.intake = new EventIntake(
      {
        commit: (ops) => this.store.commit(ops),
        bus: this.bus,
        inFlight: this.inFlight,
        deliverToWaits: (e) => this.engine.deliverEvent(e),
        validate: (e) => {
          const invalid = this.triggers.has(e.type) ? this.triggers.validate(e.type, e.payload) : null;
          if (invalid) throw invalid;
        },
        lagOf: (device, port) => lags.lagOf(device, port),
        log: this.log,
        now: this.now,
      },
      { ...opts.config.events, ...opts.intake },
    );
    this.inbox = new InboxPoller({
      store: this.store,
      pending: opts.inboxEvents === false ? NO_PENDING_EVENTS : this.store.pendingEvents({ settleMs: opts.pendingSettleMs ?? 0 }),
      bus: this.bus,
      controls: opts.placement ? { ...bindControls(this.engine), holds: (id) => this.engine.holds(id) } : this.engine,
      inFlight: this.inFlight,
      log: this.log,
      events: opts.rules !== false,
    });
  }

  /** Per pack, the loaded actions that no runner here can run (mistral-v2, winrm-cmd...), and why. */
  unrunnable(): Map<string, UnrunnableAction[]> {
    return unrunnableActions(this.content.loaded.actions.values(), (t) => this.runners.has(t));
  }

  /** Say at load time, per pack, what cannot run instead of failing only when it is run. */
  private warnUnrunnable(): void {
    for (const [pack, list] of this.unrunnable()) {
      const total = [...this.content.loaded.actions.values()].filter((a) => a.pack === pack).length;
      this.log.warn({ pack, actions: list.map((u) => u.action) }, `pack ${pack}: ${describeUnrunnable(list, total)}`);
    }
  }

  /** The data directory: the secret key, known hosts, packs installed through the API. */
  get dataDir(): string {
    return this.opts.config.dataDir;
  }

  /** The pack base paths, searched in order (pack install checks a new ref against them). */
  get packsPaths(): readonly string[] {
    return this.opts.config.packsPaths;
  }

  /** Resume unfinished work and start listening for events. */
  async start(): Promise<{ resumed: number; rerun: number; abandoned: number; pendingEvents: number }> {
    if (this.started) throw new NrxError('NRX_ERR_INVALID_STATE', 'appliance already started');
    this.started = true;
    const rules = this.opts.rules !== false;
    if (rules) {
      await this.ruleState.restore();
      await this.bus.subscribe('rules', (d) => this.onDelivery(d), { maxAttempts: DECISION_DELIVERIES });
    }
    // on a shared store each worker resumes its own work and that of dead nodes (WorkClaims)
    const recovered = this.opts.placement ? { resumed: 0, rerun: 0, abandoned: 0 } : await this.engine.recover();
    const pending = await this.inbox.recover();
    await this.inbox.drain();
    await this.store.prune(this.opts.config.retention);
    // A store that tells of new control requests (PostgreSQL) is read at once for them, and only
    // looked at now and then in case a notification was missed; one that cannot (SQLite, shared
    // with CLI processes) is read often. Pending events are not notified: a node reading them polls often.
    const told = this.store.workQueue.watchControlRequests(() => this.inbox.poke());
    const readsPending = rules && this.opts.inboxEvents !== false;
    this.inbox.start(this.opts.inboxPollMs ?? (told && !readsPending ? NOTIFIED_INBOX_POLL_MS : INBOX_POLL_MS));
    if (!rules) return { ...recovered, pendingEvents: pending };
    this.ruleState.start();
    this.pruneInterval = setInterval(
      () =>
        void this.store
          .prune(this.opts.config.retention)
          .catch((error) =>
            reportSwallowed({ where: 'store_prune', error, log: this.log, msg: 'hourly prune of old executions and events failed; it runs again in an hour' }),
          ),
      3_600_000,
    );
    this.holdDowns.arm();
    const leadership = this.opts.timerLeadership;
    if (!leadership) {
      this.timersActive = true;
      await this.timerSensor.start();
    } else
      // timers follow the leadership: one node of several fires each timer
      leadership.watch((leader) => {
        this.timersActive = leader;
        if (leader) void this.timerSensor.start().then(() => this.decideLeftTicks());
        else void this.timerSensor.stop();
        this.log.info({ leader }, leader ? 'timers: this node is the leader, timers armed' : 'timers: another node leads, timers disarmed here');
      });
    return { ...recovered, pendingEvents: pending };
  }

  /**
   * A network sensor's event: coalesced, queued and written a batch at a time (EventIntake).
   * Never throws; what is refused or shed is counted in intake.counts.
   */
  accept(event: EventEnvelope, settle?: IntakeSettle): void {
    this.intake.offer(event, settle);
  }

  /** An event recorded already (pending) that no rules engine decided yet: decide it now. */
  decideRecorded(event: EventEnvelope): void {
    this.inFlight.add(event.id);
    void this.bus.publish(event);
  }

  /**
   * A new timer leader decides the ticks a previous leader recorded and died before deciding
   * (they come through no event bus): each fires once, late. Its commit is conditional (the
   * event still pending), so a tick decided meanwhile elsewhere is not decided twice.
   */
  private async decideLeftTicks(): Promise<void> {
    try {
      for (const type of TIMER_TRIGGERS)
        for (const ti of await this.store.listTriggerInstances({ type, status: ['pending'], limit: 1_000 }))
          if (!this.inFlight.has(ti.id))
            this.decideRecorded({ id: ti.id, type: ti.type, time: ti.time, source: ti.source, device: ti.device, payload: ti.payload, traceId: ti.traceId });
    } catch (error) {
      reportSwallowed({ where: 'timer_ticks_left', error, log: this.log, msg: 'ticks left undecided by a previous timer leader not read; they stay pending' });
    }
  }

  /** Holds were added from outside (a partition's saved state): set the release timer again. */
  rearmHoldDowns(): void {
    this.holdDowns.arm();
  }

  /** Accept an event: record it, then publish it to the rules engine. */
  async emit(event: EventEnvelope): Promise<void> {
    const invalid = this.triggers.has(event.type) ? this.triggers.validate(event.type, event.payload) : null;
    if (invalid) throw invalid;
    const elsewhere = this.opts.publishEmitted;
    // decided here: in flight until then (a node without rules leaves it to the store's pending feed)
    if (!elsewhere && this.opts.rules !== false) this.inFlight.add(event.id);
    await this.store.commit([
      {
        op: 'putTriggerInstance',
        value: {
          id: event.id,
          type: event.type,
          time: event.time,
          source: event.source,
          device: event.device,
          payload: event.payload,
          traceId: event.traceId,
          status: 'pending',
        },
      },
    ]);
    // a cluster's bus: the rules node owning the event's partition decides it
    if (elsewhere) await elsewhere(event);
    else await this.bus.publish(event);
  }

  /**
   * Rules and workflow waits see the event. Most events start nothing (no rule matched, or the
   * match was throttled, held or in maintenance): they are handled here without waiting, and
   * their decisions and 'processed' marks are written together a turn later. Only an event that
   * starts an execution waits for the engine.
   */
  private onDelivery(d: Delivery): void | Promise<void> {
    const event = d.event;
    let decisions: Decision[];
    try {
      this.engine.deliverEvent(event);
      decisions = this.enforcer.onEvent(event, this.now());
    } catch (e) {
      this.settled(event.id, false);
      throw e;
    }
    if (decisions.some(startsExecution)) {
      const done = this.processEvent(event, decisions);
      if (!this.handsOffToWorkers() || this.handingOff.size >= HAND_OFF_IN_FLIGHT)
        return done.then(
          () => d.ack(),
          (e: unknown) => this.decideAgainLater(d, e),
        );
      // A rules node of a cluster records the execution for the workers and starts nothing here:
      // the next events are decided meanwhile (decisions are made above, in order), and the
      // records of several events share one store transaction. The bus message is acked once
      // this event's decisions are recorded (onEventDecided); a failure sends it back.
      const tracked = done.catch(() => {}).finally(() => this.handingOff.delete(tracked));
      this.handingOff.add(tracked);
      d.ack();
      return;
    }
    const ops = decisions.map((dec) => this.enforcementOp(dec, null, outcomeOf(dec), dec.reason));
    ops.push({ op: 'setTriggerInstanceStatus', id: event.id, status: 'processed' });
    this.decided.ops.push(...ops);
    this.decided.ids.push(event.id);
    this.decidedFlush ??= setImmediate(() => this.writeDecided());
    if (decisions.length) this.holdDowns.arm();
    d.ack();
  }

  /** Partitioned rules on a node that runs no executions: executions are only recorded here. */
  private handsOffToWorkers(): boolean {
    return this.opts.onEventDecided !== undefined && this.opts.placement !== undefined && !this.opts.placement.runsExecutions;
  }

  /**
   * An event whose decisions could not be written: delivered again after a pause while the
   * store's error may pass (a locked database, a lost connection), so that a short outage
   * loses no decision; otherwise (or after the last pause) handed to the bus's dead letters, and
   * the event, still pending in the store, is decided again at the next start.
   */
  private decideAgainLater(d: Delivery, error: unknown): void {
    const pause = pauseBeforeRetry(error, d.attempt, this.stopping);
    if (pause === null) throw error;
    if (d.attempt === 1)
      this.log.warn({ event: d.event.id, err: describeError(error) }, `rule decisions of event ${d.event.id} not recorded; trying again in ${pause} ms`);
    d.nack(pause);
  }

  private writeDecided(): void {
    this.decidedFlush = null;
    const { ops, ids } = this.decided;
    this.decided = { ops: [], ids: [] };
    const rewrite = this.commitDecided([...ops, ...this.ruleState.takeWrites()], (ok) => {
      // the stream announces decisions once they are recorded, never one a failed write lost
      if (ok) this.announce(ops);
      for (const id of ids) this.settled(id, ok);
    }).finally(() => this.rewriting.delete(rewrite));
    this.rewriting.add(rewrite);
  }

  /** Decisions of handled events, written; tried again after a pause while the error may pass. */
  private async commitDecided(ops: WriteOp[], done: (ok: boolean) => void): Promise<void> {
    for (let failures = 1; ; failures++) {
      try {
        await this.store.commit(ops);
        if (failures > 1) this.log.info({ events: ops.length }, 'rule decisions of handled events recorded now');
        return done(true);
      } catch (error) {
        const pause = pauseBeforeRetry(error, failures, this.stopping);
        if (pause === null) {
          done(false);
          // Not written: the events stay pending and are handed out again at the next start.
          return reportSwallowed({
            where: 'event_status',
            error,
            log: this.log,
            msg: 'rule decisions of handled events not recorded; they are handled again at the next start',
          });
        }
        if (failures === 1) this.log.warn({ err: describeError(error) }, `rule decisions of handled events not recorded; trying again in ${pause} ms`);
        await sleep(pause, undefined, { signal: this.stopPauses.signal }).catch(() => {});
      }
    }
  }

  /** An event whose decisions start an execution: its executions, decisions and 'processed' mark in one commit, then the executions start. */
  private async processEvent(event: EventEnvelope, decisions: Decision[]): Promise<void> {
    let ok = false;
    try {
      // no await where nothing is counted elsewhere: the embedded appliance decides as before
      const carried = this.withThrottles(decisions, (settled) => this.carryOut(settled));
      const prepared = carried instanceof Promise ? await carried : carried;
      try {
        // only while no other node decided it (its partition moved while this node still held the event)
        await this.commitDecisions(prepared, [
          { op: 'setTriggerInstanceStatus', id: event.id, status: 'processed', from: 'pending' },
          ...this.ruleState.takeWrites(),
        ]);
      } catch (e) {
        if ((await this.store.getTriggerInstance(event.id).catch(() => null))?.status !== 'processed') throw e;
        this.log.info({ event: event.id }, 'event decided by another node meanwhile: the decisions made here are dropped');
      }
      ok = true;
    } finally {
      this.settled(event.id, ok);
    }
    this.holdDowns.arm();
  }

  /**
   * `then` with the decisions once the shared throttle counters (a cluster's) have counted those of
   * throttled rules: at once, with the same decisions, where throttles are counted in memory or
   * none of them is throttled.
   */
  private withThrottles<T>(decisions: Decision[], then: (settled: Decision[]) => T): T | Promise<Awaited<T>> {
    const counters = this.opts.throttleCounters;
    if (!counters || !decisions.some((d) => d.throttle)) return then(decisions);
    return settleSharedThrottles(decisions, counters).then(then) as Promise<Awaited<T>>;
  }

  /** The event's decisions are recorded (or could not be): it is no longer in flight. */
  private settled(eventId: string, ok: boolean): void {
    this.inFlight.delete(eventId);
    this.opts.onEventDecided?.(eventId, ok);
  }

  /**
   * The writes recording decisions, with the executions they ask for: the caller commits them
   * in one transaction with the event's 'processed' mark, then calls start() (or discard() when
   * the commit failed). A node that dies in between leaves either the event decided with its
   * executions or nothing, and an event decided again (by the next owner of its partition, or at
   * the next start) starts its actions once.
   */
  private carryOut(decisions: Decision[]): PreparedDecisions {
    const ops: WriteOp[] = [];
    const prepared: Array<{ start: () => void; discard: () => void }> = [];
    for (const d of decisions) {
      let executionId: string | null = null;
      let outcome = outcomeOf(d);
      let reason = d.reason;
      if ((d.outcome === 'execute' || d.outcome === 'escalate') && d.actionRef) {
        try {
          const prep = this.engine.prepareRequest(d.actionRef, d.parameters ?? {}, {
            ruleRef: d.rule.ref,
            triggerInstanceId: d.event.id,
            traceId: d.event.traceId,
          });
          ops.push(...prep.ops);
          prepared.push(prep);
          executionId = prep.rec.id;
        } catch (e) {
          outcome = 'failed';
          reason = `${d.actionRef}: ${describeError(e).message}`;
          this.log.warn({ rule: d.rule.ref, event: d.event.id, reason }, 'rule could not start its action');
        }
      }
      ops.push(this.enforcementOp(d, executionId, outcome, reason));
    }
    return {
      ops,
      // called once the commit succeeded: the decisions are announced then, with their executions
      start: () => {
        this.announce(ops);
        prepared.forEach((p) => p.start());
      },
      discard: () => prepared.forEach((p) => p.discard()),
    };
  }

  /** Rule decisions recorded: the API's stream shows them. */
  private announce(ops: readonly WriteOp[]): void {
    if (this.opts.onEnforcement) for (const op of ops) if (op.op === 'putEnforcement') this.opts.onEnforcement(op.value);
  }

  /** Decisions' writes committed together, then their executions started (or discarded). */
  private async commitDecisions(prepared: PreparedDecisions, more: WriteOp[]): Promise<void> {
    try {
      await this.store.commit([...prepared.ops, ...more]);
    } catch (e) {
      prepared.discard();
      throw e;
    }
    prepared.start();
  }

  private enforcementOp(d: Decision, executionId: string | null, outcome: RuleEnforcementRecord['outcome'], reason: string | null): WriteOp {
    // a throttle counted in the shared store changes no state kept here
    if (d.rule.holdDown || (d.rule.throttle && !this.opts.throttleCounters)) this.ruleState.changed(d.event);
    return {
      op: 'putEnforcement',
      value: {
        id: newId(),
        ruleRef: d.rule.ref,
        triggerInstanceId: d.event.id,
        traceId: d.event.traceId,
        outcome,
        executionId,
        actionRef: d.actionRef,
        reason,
        time: new Date(this.now()).toISOString(),
      },
    };
  }

  /**
   * Load the packs again (after a pack install or removal). Actions, rules, policies and
   * maintenance windows are replaced; running executions keep the action they started with.
   * `extraRules` re-adds rules that live outside packs (API-created rules).
   */
  reloadContent(extraRules: (index: RuleIndex) => void = () => {}): Content {
    const next = loadContent(this.opts.config.packsPaths);
    for (const e of next.errors) this.log.warn({ code: e.code, ...e.location }, e.message);
    const actions = this.content.loaded.actions;
    actions.clear();
    for (const [ref, a] of next.loaded.actions) actions.set(ref, a);
    next.loaded.actions = actions; // the engine holds this map
    for (const r of this.rules.all()) this.rules.remove(r.ref);
    for (const r of next.rules) this.rules.add(r);
    extraRules(this.rules);
    this.content = next;
    this.warnUnrunnable();
    if (this.timersActive) this.timerSensor.sync(this.rules.all());
    return next;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopPauses.abort();
    await this.opts.timerLeadership?.close();
    await this.timerSensor.stop();
    await this.intake.close();
    this.inbox.stop();
    this.ruleState.stop();
    if (this.pruneInterval) clearInterval(this.pruneInterval);
    this.holdDowns.stop();
    await this.bus.drain();
    await Promise.all([...this.handingOff]);
    if (this.decidedFlush) {
      clearImmediate(this.decidedFlush);
      this.writeDecided();
    }
    await Promise.all([...this.rewriting]);
    await this.ruleState.flush().catch(() => {});
    await this.engine.close();
    // Device sessions kept for reuse close once no execution can need them.
    await this.devices.close();
    await this.bus.close();
    await this.store.close();
  }
}

function bindControls(engine: ExecutionEngine): {
  cancel(id: string): Promise<unknown>;
  pause(id: string): Promise<unknown>;
  resume(id: string): Promise<unknown>;
} {
  return { cancel: (id) => engine.cancel(id), pause: (id) => engine.pause(id), resume: (id) => engine.resume(id) };
}

/** Decisions' writes, and their executions to start once written (or to forget if the write failed). */
interface PreparedDecisions {
  ops: WriteOp[];
  start(): void;
  discard(): void;
}

function startsExecution(d: Decision): boolean {
  return (d.outcome === 'execute' || d.outcome === 'escalate') && d.actionRef !== null;
}

function outcomeOf(d: Decision): RuleEnforcementRecord['outcome'] {
  return d.outcome === 'execute' ? 'executed' : d.outcome === 'escalate' ? 'escalated' : d.outcome;
}
