import path from 'node:path';
import type { Command } from 'commander';
import { ApiRuleStore } from '../../api/rule-store.js';
import { startApi } from '../../api/server.js';
import { ApiStream } from '../../api/stream.js';
import { Appliance } from '../../appliance.js';
import { AuthService } from '../../auth/auth-service.js';
import { createLogger } from '../../core/log.js';
import { describeUnrunnable } from '../../packs/runner-support.js';
import { DEFAULT_SENSORS, type RunningSensors } from '../../sensors/sensor-host.js';
import type { UsmUser } from '../../sensors/snmptrap/usm.js';
import { startPollers, type RunningPollers } from '../../sensors/poller/start.js';
import { collect, configFrom, reportError, type DataOptions } from '../context.js';
import { SENSOR_LIMIT_FLAGS, sensorLimitsFrom, type SensorLimitFlags } from '../sensor-limit-options.js';
import { bindSensors, StartGate } from '../serve-sensors.js';

interface ServeOptions extends DataOptions, SensorLimitFlags {
  host: string;
  port: string;
  api: boolean;
  inventory?: string;
  sensors: boolean;
  sensorHost: string;
  syslogPort: string;
  syslogTlsPort?: string;
  syslogTlsCert?: string;
  syslogTlsKey?: string;
  trapPort: string;
  sflowPort: string;
}

/**
 * SNMPv3 users for the trap receiver, from the encrypted datastore: system keys
 * `snmptrap.usm.<user>` holding JSON {auth_protocol, auth_key, priv_protocol, priv_key}, and
 * accepted v1/v2c communities in `snmptrap.communities` (comma-separated).
 */
async function trapSecrets(appliance: Appliance): Promise<{ users: UsmUser[]; communities: string[] }> {
  const users: UsmUser[] = [];
  for (const k of await appliance.kv.list('system', 'snmptrap.usm.', { decrypt: true })) {
    const v = JSON.parse(k.value) as { auth_protocol?: string; auth_key?: string; priv_protocol?: string; priv_key?: string; engine_ids?: string[] };
    users.push({
      user: k.key.slice('snmptrap.usm.'.length),
      ...(v.auth_protocol ? { authProtocol: v.auth_protocol as UsmUser['authProtocol'] } : {}),
      ...(v.auth_key ? { authKey: v.auth_key } : {}),
      ...(v.priv_protocol ? { privProtocol: v.priv_protocol as UsmUser['privProtocol'] } : {}),
      ...(v.priv_key ? { privKey: v.priv_key } : {}),
      ...(v.engine_ids ? { engineIds: v.engine_ids } : {}),
    });
  }
  const c = await appliance.kv.get('system', 'snmptrap.communities', { decrypt: true });
  return { users, communities: c ? c.value.split(',').map((x) => x.trim()).filter(Boolean) : [] };
}

function port(v: string | undefined, fallback: number | null): number | null {
  if (v === undefined) return fallback;
  if (v === 'off') return null;
  return Number(v);
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the appliance: store, packs, rules, workflow engine and the REST API in one process, waiting for events')
    .option('--data-dir <dir>', 'data directory (default: $NETREFLEX_DATA_DIR or ~/.netreflex)')
    .option('--packs-path <dir>', 'extra pack base path, searched before $NETREFLEX_PACKS_PATH (repeatable)', collect)
    .option('--host <host>', 'address the API listens on', process.env.NETREFLEX_HOST ?? '127.0.0.1')
    .option('--port <port>', 'port the API listens on', process.env.NETREFLEX_PORT ?? '8080')
    .option('--inventory <dir>', 'load hosts.yaml/groups.yaml/defaults.yaml from this directory at start (GitOps: YAML wins)')
    .option('--no-api', 'do not start the REST API')
    .option('--no-sensors', 'do not start the network listeners (syslog, traps, sFlow)')
    .option('--sensor-host <addr>', 'address the sensors listen on', process.env.NETREFLEX_SENSOR_HOST ?? DEFAULT_SENSORS.host)
    .option('--syslog-port <port|off>', 'syslog over UDP and TCP (RFC 5424/3164; octet-counted or newline framing)', process.env.NETREFLEX_SYSLOG_PORT ?? String(DEFAULT_SENSORS.syslogUdpPort))
    .option('--syslog-tls-port <port>', 'syslog over TLS (needs --syslog-tls-cert and --syslog-tls-key)')
    .option('--syslog-tls-cert <file>', 'PEM certificate for syslog over TLS')
    .option('--syslog-tls-key <file>', 'PEM private key for syslog over TLS')
    .option('--trap-port <port|off>', 'SNMP traps v1/v2c/v3 over UDP (v3 users: system keys snmptrap.usm.<user>, encrypted)', process.env.NETREFLEX_TRAP_PORT ?? String(DEFAULT_SENSORS.trapPort))
    .option('--sflow-port <port|off>', 'sFlow v5 over UDP', process.env.NETREFLEX_SFLOW_PORT ?? String(DEFAULT_SENSORS.sflowPort));
  for (const f of Object.values(SENSOR_LIMIT_FLAGS)) serve.option(f.flag, `${f.help} (env ${f.env})`, process.env[f.env] ?? f.default);
  serve
    .addHelpText(
      'after',
      '\nOn first start an admin user is created; its password is printed once (or taken from\n$NETREFLEX_ADMIN_PASSWORD). Then: netreflex login --url http://127.0.0.1:8080 --user admin\n\nExamples:\n  netreflex serve --data-dir /var/lib/netreflex\n  netreflex serve --host 0.0.0.0 --port 8443 --inventory ./inventory\n',
    )
    .action(async (opts: ServeOptions) => {
      const say = (s: string): void => void process.stderr.write(`${s}\n`);
      try {
        const config = configFrom(opts);
        const limits = sensorLimitsFrom(opts); // before anything starts: a bad flag stops here
        const log = createLogger();
        const stream = new ApiStream();
        const appliance = new Appliance({
          config,
          log,
          onExecutionUpdate: (r) => stream.executionUpdated(r),
          onEnforcement: (r) => stream.enforcementRecorded(r),
        });
        const apiRules = new ApiRuleStore(appliance.store.database);
        apiRules.applyTo(appliance.rules);
        if (opts.inventory) {
          const inv = await appliance.inventory.loadYaml(path.resolve(opts.inventory));
          if (inv.errors.length) {
            say(`netreflex: inventory ${opts.inventory} not loaded; the stored inventory is unchanged:`);
            for (const e of inv.errors) say(`netreflex:   ${e.code}: ${e.message}`);
          } else say(`netreflex: inventory ${opts.inventory}: ${inv.hosts} hosts, ${inv.groups} groups`);
        }
        const c = appliance.content;
        const gate = new StartGate(log);
        say(`netreflex: data directory ${config.dataDir}`);
        say(`netreflex: ${c.loaded.packs.length} packs, ${c.loaded.actions.size} actions, ${c.rules.length} rules, ${c.loaded.policies.length} policies loaded from ${config.packsPaths.join(':')}`);
        for (const e of c.errors) say(`netreflex: not loaded: ${e.code}: ${e.message}`);
        let sensors: RunningSensors | null = null;
        if (opts.sensors) {
          const syslogPort = port(opts.syslogPort, DEFAULT_SENSORS.syslogUdpPort);
        for (const [pack, list] of appliance.unrunnable()) {
          const total = [...c.loaded.actions.values()].filter((a) => a.pack === pack).length;
          say(`netreflex: pack ${pack}: ${describeUnrunnable(list, total)}`);
        }
          const traps = await trapSecrets(appliance);
          sensors = await bindSensors(
            {
              trapPort: port(opts.trapPort, DEFAULT_SENSORS.trapPort),
              sflowPort: port(opts.sflowPort, DEFAULT_SENSORS.sflowPort),
              trapUsers: traps.users,
              trapCommunities: traps.communities,
              host: opts.sensorHost,
              syslogUdpPort: syslogPort,
              syslogTcpPort: syslogPort,
              syslogTls: opts.syslogTlsPort && opts.syslogTlsCert && opts.syslogTlsKey ? { port: Number(opts.syslogTlsPort), certFile: opts.syslogTlsCert, keyFile: opts.syslogTlsKey } : null,
              syslogConnections: limits.connections,
              syslogMaxStoredTextBytes: limits.maxStoredTextBytes,
            },
            { publish: gate.publish, inventory: appliance.inventory, log },
          );
          for (const [what, addr] of Object.entries(sensors.addresses)) say(`netreflex: sensor ${what} on ${addr}`);
        }
        // Only now, with every sensor port bound, is unfinished work resumed and the inbox read.
        const r = await appliance.start();
        await gate.open((e) => appliance.emit(e));
        say(`netreflex: resumed ${r.resumed} executions (${r.rerun} re-run, ${r.abandoned} abandoned), ${r.pendingEvents} pending events`);
        let pollers: RunningPollers | null = null;
        if (opts.sensors) {
          pollers = startPollers(appliance, log);
          for (const e of pollers.errors) say(`netreflex: poller not loaded: ${e.code}: ${e.message}`);
          if (pollers.pollers.length) say(`netreflex: ${pollers.pollers.length} poller(s) running`);
        }
        let stopApi: (() => Promise<void>) | null = null;
        if (opts.api) {
          const auth = new AuthService(appliance.store);
          const admin = await auth.ensureAdmin();
          if (admin.created && admin.password && !admin.fromEnvironment) say(`netreflex: created user 'admin' with password ${admin.password} (shown once; change it with the API)`);
          else if (admin.created) say(`netreflex: created user 'admin' with the password from NETREFLEX_ADMIN_PASSWORD`);
          const { app, url } = await startApi(
            {
              appliance,
              inventory: appliance.inventory,
              kv: appliance.kv,
              credentials: appliance.credentials,
              auth,
              log,
              stream,
              packsDir: path.join(config.dataDir, 'packs'),
              sensorCounters: () => ({ ...(sensors?.counters() ?? {}), ...(pollers?.counters() ?? {}) }),
              reloadContent: async () => {
                appliance.reloadContent((index) => apiRules.applyTo(index));
                await pollers?.reload();
              },
              ...(opts.inventory ? { inventoryDir: path.resolve(opts.inventory) } : {}),
            },
            { host: opts.host, port: Number(opts.port) },
          );
          stopApi = () => app.close();
          say(`netreflex: API on ${url} (OpenAPI: ${url}/openapi.json, docs: ${url}/docs)`);
        }
        say('netreflex: waiting for events (try: netreflex event emit core.event message=hello)');
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          say('netreflex: stopping');
          void (async () => {
            await pollers?.stop().catch(() => {});
            await sensors?.stop().catch(() => {});
            await stopApi?.().catch(() => {});
            await appliance.stop();
            process.exit(0);
          })();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        await new Promise(() => {});
      } catch (e) {
        // Exit now: a listener or timer left open would keep the process alive after the error.
        // The store is crash-safe (WAL), and nothing has been resumed when a sensor port fails.
        process.exit(reportError(e));
      }
    });
}
