import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiRuleStore, applySavedRules } from './api/rule-store.js';
import { startApi, type ListenOptions } from './api/server.js';
import { ApiStream } from './api/stream.js';
import { Appliance } from './appliance.js';
import { AuthService } from './auth/auth-service.js';
import { isChatAnnouncement, startChatBot } from './chat/start-bot.js';
import { runBotOnLeader } from './chat/bot-leadership.js';
import { loadLdapConfig } from './auth/ldap-config.js';
import { directoryFor } from './auth/ldap.js';
import type { ApplianceConfig } from './core/config.js';
import { describeError } from './core/errors.js';
import { createLogger, type Logger } from './core/log.js';
import { RateLimitedLog } from './core/rate-limited-log.js';
import { ClusterMembership, defaultNodeName, heartbeatKeyOf, type ClusterView } from './appliance/cluster-membership.js';
import { PartitionedRules } from './appliance/partitioned-rules.js';
import { DEFAULT_WORKER_CAPACITY, WorkClaims } from './appliance/work-claims.js';
import { followExecutionsElsewhere } from './appliance/executions-elsewhere.js';
import { WaitedEvents } from './appliance/waited-events.js';
import { SecretCipher } from './datastore/cipher.js';
import { placementOnSharedStore } from './executions/ownership.js';
import { nodeMetrics } from './appliance/node-metrics.js';
import { aliasesOf } from './packs/alias-index.js';
import { describeUnrunnable } from './packs/runner-support.js';
import { bindSensors } from './sensors/bind-sensors.js';
import { StartGate } from './sensors/start-gate.js';
import { PollerSensor } from './sensors/poller/poller-sensor.js';
import { pollOnLeader } from './appliance/pollers-on-leader.js';
import { WebhookSensor } from './sensors/webhook/webhook-sensor.js';
import type { SensorConfig, RunningSensors } from './sensors/sensor-host.js';
import type { Store } from './store/store.js';
import type { NatsEventBus } from './events/nats-event-bus.js';
import type { EventEnvelope } from './events/envelope.js';
import { ALL_ROLES, type Role } from './core/roles.js';
import { trapSecrets } from './sensors/snmptrap/trap-secrets.js';

/** How long an event recorded by another node stays pending before this node takes it up (that node died before deciding it). */
const PENDING_SETTLE_MS = 60_000;

/** Everything `serve` decides from its flags; buildAppliance does the rest. */
export interface AssemblyConfig {
  config: ApplianceConfig;
  /** Where the REST API listens; null: no API. */
  api: ListenOptions | null;
  /** Where the network sensors listen (trap users and communities are read from the datastore); null: no sensors, and no pollers but on a rules node with a bus. */
  sensors: Omit<SensorConfig, 'trapUsers' | 'trapCommunities'> | null;
  /** hosts.yaml/groups.yaml/defaults.yaml loaded at start (GitOps: YAML wins). */
  inventoryDir?: string;
  log?: Logger;
  /** An opened store (`--store postgres://...`); default SQLite in the data directory. */
  store?: Store;
  /** What this process does (`--role`); default all four. */
  roles?: ReadonlySet<Role>;
  /** The event bus between nodes (`--bus nats://...`): sensors publish to it, rules nodes consume it. Closed on stop. */
  bus?: NatsEventBus;
  /** This node's name in `cluster status` and the owner of the executions it runs (default <hostname>-<pid>). */
  nodeName?: string;
  /** Root executions a worker node on a shared store runs at once (default 32). */
  workerCapacity?: number;
  /** How often this node writes its heartbeat and counters (default 5 s; env NETREFLEX_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** One line of the start-up report (serve prints them on stderr). */
  say?: (line: string) => void;
}

/** The appliance with everything that runs around it. */
export interface AssembledAppliance {
  readonly appliance: Appliance;
  /** Events, rule decisions and execution updates as they happen (the API's SSE routes and serve's log read it). */
  readonly stream: ApiStream;
  /** Sensor ports first, then resumed work, pollers and the API; throws with nothing resumed when a port is taken. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The network sensors' counters (sensor -> counter -> value), as /metrics exports them; {} before start. */
  sensorCounters(): Record<string, Record<string, number>>;
  /** Where each sensor listens (`syslog/udp` -> `127.0.0.1:5514`), after start. */
  sensorAddresses(): Record<string, string>;
}

/**
 * The one place the appliance is put together: store, datastore, inventory, engine and rules
 * (Appliance), the rules created through the API, the sensors, the pollers, auth and the API.
 */
export function buildAppliance(cfg: AssemblyConfig): AssembledAppliance {
  const { config } = cfg;
  const log = cfg.log ?? createLogger();
  const say = cfg.say ?? (() => {});
  const stream = new ApiStream();
  const roles = cfg.roles ?? new Set(ALL_ROLES);
  // several rules nodes on one shared store: the timers follow a leader
  const timerLeadership = roles.has('rules') ? cfg.store?.leadership?.('timers') : undefined;
  const nodeName = cfg.nodeName ?? defaultNodeName();
  // several rules nodes on one bus: each decides the events of its share of the partitions
  const partitioned = cfg.bus && roles.has('rules') ? new PartitionedRules(cfg.bus, cfg.store, nodeName, log) : null;
  // several nodes on one store: each execution is run by one worker node, its owner
  const placement =
    cfg.store?.kind === 'postgres'
      ? placementOnSharedStore({
          node: nodeName,
          runsExecutions: roles.has('worker'),
          sealer: SecretCipher.loadOrCreate(config.dataDir),
          workQueue: cfg.store.workQueue,
        })
      : undefined;
  // nodes on a bus announce the executions they write there: the store's notifications woke every node for each write
  if (placement && cfg.bus) {
    const bus = cfg.bus;
    cfg.store!.workQueue.announceExecutionsBy({ changed: (ids) => bus.announceExecutions(ids), waiting: (ids) => bus.announceWork(ids) });
  }
  let workClaims: WorkClaims | null = null;
  const appliance = new Appliance({
    config,
    log,
    rules: roles.has('rules'),
    ...(cfg.store ? { store: cfg.store } : {}),
    ...(timerLeadership ? { timerLeadership } : {}),
    // who runs each execution: a worker node runs what it asks for and claims the rest, other nodes only record
    ...(placement ? { placement } : {}),
    ...(partitioned ? partitioned.applianceOptions() : {}),
    // several rules nodes on one store: a throttle counts every node's firings (kept in PostgreSQL)
    ...(roles.has('rules') && cfg.store?.throttleCounters ? { throttleCounters: cfg.store.throttleCounters } : {}),
    // with a bus, other nodes record events in the same store: a pending one may be theirs, in hand
    ...(cfg.bus ? { pendingSettleMs: PENDING_SETTLE_MS } : {}),
    // with a bus the events made here (API, webhooks, announcements) go through it to the rules node owning their partition
    // an announcement for the chat bot is queued for it first (kept until posted), then goes to the rules like any event
    ...(cfg.bus
      ? {
          publishEmitted: async (e: EventEnvelope) => {
            if (isChatAnnouncement(e)) await cfg.bus!.queueForChat(e);
            await cfg.bus!.publishEmitted(e);
          },
        }
      : {}),
    onExecutionUpdate: (r) => {
      stream.executionUpdated(r);
      // a workflow or action ended here: room for the next one waiting
      if (r.parentId === null && r.endedAt) workClaims?.roomFreed();
    },
    onEnforcement: (r) => stream.enforcementRecorded(r),
  });
  const apiRules = new ApiRuleStore(appliance.store.ruleOverrides);
  // several rules nodes on one bus: each polls the devices of its partitions
  const pollers = new PollerSensor(appliance, log, partitioned ? { polledHere: (device) => partitioned.ownsDevice(device) } : {});
  // the devices of partitions taken over are read at once, not at the next round
  partitioned?.onTookOver(() => pollers.pollAgain());
  // the API's webhook routes receive; the counters are this sensor's
  const webhooks = new WebhookSensor();
  let sensors: RunningSensors | null = null;
  let api: FastifyInstance | null = null;
  let apiUrl: string | null = null;
  let chat: ReturnType<typeof runBotOnLeader> | null = null;
  // a workflow here waiting for an event (wait_for) hears it from the bus, whichever rules node decides it;
  // set up before anything is resumed: a resumed workflow that waits subscribes as it is rebuilt
  const waits =
    cfg.bus && roles.has('worker')
      ? new WaitedEvents({
          watchEvents: (type, handle) => cfg.bus!.watchEvents(type, handle),
          engine: appliance.engine,
          onError: (err, trigger) =>
            log.warn({ trigger, err: describeError(err) }, `event bus: ${trigger} events not heard for the workflows waiting for them`),
        })
      : null;
  let pollersStarted = false;
  const isTimerLeader = (): boolean => (roles.has('rules') ? (timerLeadership?.isLeader ?? true) : false);
  const membership = new ClusterMembership(appliance.store.kv, { name: nodeName, roles: [...roles] }, isTimerLeader, cfg.heartbeatMs, () =>
    nodeMetrics({
      ...(cfg.bus ? { bus: () => cfg.bus!.counts } : {}),
      sensors: () => sensors?.counters() ?? {},
      ...(roles.has('rules') ? { pollers: () => pollers.counters() } : {}),
      ...(roles.has('rules') ? { intake: () => ({ ...appliance.intake.counts }) } : {}),
      ...(roles.has('worker') ? { executionsRunning: () => appliance.engine.activeCount } : {}),
      timerLeader: isTimerLeader,
    }),
  );
  // a new leader shows at once, not at the next heartbeat
  timerLeadership?.watch(() => void membership.beatNow());
  const clusterView = async (): Promise<ClusterView> => {
    let bus: ClusterView['bus'] = null;
    if (cfg.bus)
      bus = await cfg.bus.lag().then(
        (l) => ({ url: cfg.bus!.url, ...l }),
        (e: unknown) => ({ url: cfg.bus!.url, error: describeError(e).message }),
      );
    return { store: { kind: appliance.store.kind, location: appliance.store.location }, bus, nodes: await membership.nodes() };
  };
  const busWarnings = new RateLimitedLog(log);
  const busLog = { error: (err: unknown) => void busWarnings.warn({ code: describeError(err).code }, `event bus: ${describeError(err).message}`) };

  async function loadInventory(dir: string): Promise<void> {
    const inv = await appliance.inventory.loadYaml(path.resolve(dir));
    if (inv.errors.length) {
      say(`netreflex: inventory ${dir} not loaded; the stored inventory is unchanged:`);
      for (const e of inv.errors) say(`netreflex:   ${e.code}: ${e.message}`);
    } else say(`netreflex: inventory ${dir}: ${inv.hosts} hosts, ${inv.groups} groups`);
  }

  function reportContent(): void {
    const c = appliance.content;
    say(`netreflex: data directory ${config.dataDir}`);
    say(
      `netreflex: ${c.loaded.packs.length} packs, ${c.loaded.actions.size} actions, ${c.rules.length} rules, ${c.loaded.policies.length} policies loaded from ${config.packsPaths.join(':')}`,
    );
    for (const e of c.errors) say(`netreflex: not loaded: ${e.code}: ${e.message}`);
    for (const e of aliasesOf(c.loaded.packs).errors) say(`netreflex: alias not loaded: ${e.code}: ${e.message}`);
    for (const [pack, list] of appliance.unrunnable()) {
      const total = [...c.loaded.actions.values()].filter((a) => a.pack === pack).length;
      say(`netreflex: pack ${pack}: ${describeUnrunnable(list, total)}`);
    }
  }

  async function startApiServer(where: ListenOptions): Promise<void> {
    const ldap = loadLdapConfig(config.dataDir);
    const auth = new AuthService(appliance.store, { directory: directoryFor(ldap) });
    if (ldap) say(`netreflex: directory logins through ${ldap.url}${ldap.startTls ? ' (StartTLS)' : ''}, group map in ${ldap.file}`);
    const admin = await auth.ensureAdmin();
    if (admin.created && admin.password && !admin.fromEnvironment)
      say(`netreflex: created user 'admin' with password ${admin.password} (shown once; change it with the API)`);
    else if (admin.created) say(`netreflex: created user 'admin' with the password from NETREFLEX_ADMIN_PASSWORD`);
    const started = await startApi(
      {
        appliance,
        inventory: appliance.inventory,
        kv: appliance.kv,
        credentials: appliance.credentials,
        auth,
        log,
        stream,
        rules: apiRules,
        webhookCounters: webhooks.counts,
        packsDir: path.join(config.dataDir, 'packs'),
        sensorCounters: () => ({ ...(sensors?.counters() ?? {}), ...pollers.counters() }),
        cluster: clusterView,
        intakeCounts: () => ({ ...appliance.intake.counts }),
        reloadContent: async () => {
          // read first: the reload itself swaps the rules with no pause for an event to slip in
          const saved = await apiRules.read();
          appliance.reloadContent((index) => applySavedRules(index, saved));
          await pollers.reload();
        },
        ...(cfg.inventoryDir ? { inventoryDir: path.resolve(cfg.inventoryDir) } : {}),
      },
      where,
    );
    api = started.app;
    apiUrl = started.url;
    say(`netreflex: API on ${started.url} (OpenAPI: ${started.url}/openapi.json, docs: ${started.url}/docs)`);
  }

  return {
    appliance,
    stream,
    sensorCounters: () => sensors?.counters() ?? {},
    sensorAddresses: () => ({ ...(sensors?.addresses ?? {}) }),
    async start() {
      // the rules created through the API join the pack rules before anything can fire
      await apiRules.applyTo(appliance.rules);
      if (cfg.inventoryDir) await loadInventory(cfg.inventoryDir);
      const gate = new StartGate(log);
      reportContent();
      membership.start();
      if (cfg.sensors && roles.has('sensor')) {
        const traps = await trapSecrets(appliance.kv);
        const bus = cfg.bus;
        // with a bus every event goes through it, even to this node's own rules: one path, one de-duplication
        // the bus's outbox keeps and resends what the bus does not take at once (nats-server restarting)
        bus?.onOutboxError((err) => busLog.error(err));
        const publish = bus ? (e: Parameters<typeof gate.publish>[0]) => bus.offer(e) : gate.publish;
        sensors = await bindSensors(
          { ...cfg.sensors, trapUsers: traps.users, trapCommunities: traps.communities },
          { publish, inventory: appliance.inventory, log },
        );
        for (const [what, addr] of Object.entries(sensors.addresses)) say(`netreflex: sensor ${what} on ${addr}`);
        if (bus) say(`netreflex: events to the bus ${bus.url}`);
      }
      if (!roles.has('rules') && !roles.has('worker') && !roles.has('api')) {
        say(`netreflex: roles ${[...roles].join(', ')}: no rules, executions or API on this node`);
        return;
      }
      // Only now, with every sensor port bound, is unfinished work resumed and the inbox read.
      const r = await appliance.start();
      if (roles.has('rules')) await gate.open((e) => appliance.accept(e));
      if (placement && roles.has('worker')) {
        // the heartbeat is in the store before any work is: no other node takes this one for dead
        await membership.beatNow();
        workClaims = new WorkClaims({
          workQueue: appliance.store.workQueue,
          engine: appliance.engine,
          node: nodeName,
          heartbeatOf: heartbeatKeyOf,
          beatingFor: () => membership.beatingFor(),
          liveWorkers: async () => (await membership.nodes()).filter((n) => n.roles.includes('worker')).map((n) => n.name),
          capacity: cfg.workerCapacity ?? DEFAULT_WORKER_CAPACITY,
          log,
          ...(cfg.bus ? { announced: cfg.bus } : {}),
        });
        const w = await workClaims.start();
        say(
          `netreflex: worker ${nodeName}: resumed ${w.resumed} executions (${w.rerun} re-run, ${w.abandoned} abandoned, ${w.takenOver} taken over from dead nodes); claiming up to ${cfg.workerCapacity ?? DEFAULT_WORKER_CAPACITY} at once`,
        );
      } else if (placement) say(`netreflex: roles ${[...roles].join(', ')}: executions are recorded for the worker nodes to run`);
      if (roles.has('rules'))
        say(`netreflex: resumed ${r.resumed} executions (${r.rerun} re-run, ${r.abandoned} abandoned), ${r.pendingEvents} pending events`);
      if (cfg.bus && partitioned) {
        partitioned.start(appliance);
        say(`netreflex: events from the bus ${cfg.bus.url}, a share of its ${cfg.bus.partitions} partitions`);
      }
      // with a bus every rules node polls the devices of its partitions, listeners or not: none is left unpolled
      if ((cfg.sensors || partitioned) && roles.has('rules')) {
        pollersStarted = true;
        // several rules nodes on a store alone: the devices are polled by one of them, the timer leader
        if (timerLeadership && !partitioned) pollOnLeader(timerLeadership, pollers, log, say);
        else {
          await pollers.start();
          for (const e of pollers.errors) say(`netreflex: poller not loaded: ${e.code}: ${e.message}`);
          if (pollers.size) say(`netreflex: ${pollers.size} poller(s) running${partitioned ? ", each on the devices of this node's event partitions" : ''}`);
        }
      }
      if (cfg.api && roles.has('api')) {
        // the stream shows what the other nodes run as well
        if (placement)
          await followExecutionsElsewhere({
            store: appliance.store,
            ...(cfg.bus ? { announced: cfg.bus } : {}),
            runsHere: (id) => appliance.engine.holds(id),
            onUpdate: (rec) => stream.executionElsewhere(rec),
          });
        await startApiServer(cfg.api);
      }
      // the chatops pack's bot (bot.enabled) on the API node that leads; a chat server that is down does not stop the appliance
      if (roles.has('api')) {
        const bus = cfg.bus;
        chat = runBotOnLeader({
          ...(cfg.store?.leadership ? { leadership: cfg.store.leadership('chat-bot') } : {}),
          start: () =>
            startChatBot({
              appliance,
              auth: new AuthService(appliance.store),
              log,
              apiUrl,
              // a cluster's announcements, made on any node, wait in its chat queue for the bot that runs
              ...(bus ? { chatQueue: (handle) => bus.readChatQueue(handle, (e) => busLog.error(e)) } : {}),
            }),
          report: (r) => {
            if ('error' in r) say(`netreflex: chat bot not started: ${describeError(r.error).code}: ${describeError(r.error).message}`);
            else if ('stopped' in r) say('netreflex: chat bot stopped here (another API node leads)');
            else if (r.bot) say(`netreflex: chat bot on ${r.bot.bot.adapterName}`);
          },
        });
        await chat.started;
      }
    },
    async stop() {
      workClaims?.stop();
      // what runs here ends (or stays recorded as running) before the heartbeat goes: only then may another worker take it over
      if (workClaims) await appliance.engine.close();
      await membership.stop();
      if (pollersStarted) await pollers.stop().catch(() => {});
      await sensors?.stop().catch(() => {});
      await chat?.stop().catch(() => {});
      await api?.close().catch(() => {});
      await waits?.stop().catch(() => {});
      await partitioned?.stop().catch(() => {});
      await cfg.bus?.close().catch(() => {});
      await appliance.stop();
    },
  };
}
