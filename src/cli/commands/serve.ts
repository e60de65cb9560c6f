import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { buildAppliance } from '../../assembly.js';
import { isSharedStore, openStore } from '../../store/open-store.js';
import { parseRoles } from '../../core/roles.js';
import { parsePartitionCount } from '../../events/partitions.js';
import { createLogger, logFormatFor } from '../../core/log.js';
import { DEFAULT_SENSORS } from '../../sensors/sensor-host.js';
import { collect, configFrom, reportError, type DataOptions } from '../context.js';
import { narrate } from '../serve-narrator.js';
import { SENSOR_LIMIT_FLAGS, sensorLimitsFrom, type SensorLimitFlags } from '../sensor-limit-options.js';
import { noteNewDataDir } from '../data-dir-notice.js';
import { readApiTls } from '../../api/api-tls.js';

interface ServeOptions extends DataOptions, SensorLimitFlags {
  logFormat?: string;
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  api: boolean;
  inventory?: string;
  store?: string;
  bus?: string;
  role?: string;
  partitions?: string;
  nodeName?: string;
  workerCapacity?: string;
  sensors: boolean;
  sensorHost: string;
  syslogPort: string;
  syslogTlsPort?: string;
  syslogTlsCert?: string;
  syslogTlsKey?: string;
  trapPort: string;
  sflowPort: string;
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
    .option('--tls-cert <file>', 'PEM certificate: serve the API and web UI over https (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option(
      '--store <url>',
      'where state lives: sqlite (the data directory, default) or postgres://user@host:port/database (env NETREFLEX_STORE)',
      process.env.NETREFLEX_STORE,
    )
    .option('--bus <url>', 'event bus between nodes: nats://host:4222 (NATS JetStream; env NETREFLEX_BUS)', process.env.NETREFLEX_BUS)
    .option(
      '--node-name <name>',
      'this node in `netreflex cluster status` (default <hostname>-<pid>; env NETREFLEX_NODE_NAME)',
      process.env.NETREFLEX_NODE_NAME,
    )
    .option(
      '--partitions <n>',
      'event partitions of the cluster (default 16; the same on every node, recorded with the event stream; env NETREFLEX_PARTITIONS)',
      process.env.NETREFLEX_PARTITIONS,
    )
    .option('--role <roles>', 'what this node does: all (default) or a list of sensor, rules, worker, api (env NETREFLEX_ROLE)', process.env.NETREFLEX_ROLE)
    .option(
      '--worker-capacity <n>',
      'workflows and actions a worker node on a shared store runs at once (default 32; env NETREFLEX_WORKER_CAPACITY)',
      process.env.NETREFLEX_WORKER_CAPACITY,
    )
    .option('--inventory <dir>', 'load hosts.yaml/groups.yaml/defaults.yaml from this directory at start (GitOps: YAML wins)')
    .option('--no-api', 'do not start the REST API')
    .option('--no-sensors', 'do not start the network listeners (syslog, traps, sFlow)')
    .option('--log-format <auto|pretty|json>', 'logs on stderr: pretty lines or JSON (default auto: pretty on a terminal; env NETREFLEX_LOG_FORMAT)')
    .option('--sensor-host <addr>', 'address the sensors listen on', process.env.NETREFLEX_SENSOR_HOST ?? DEFAULT_SENSORS.host)
    .option(
      '--syslog-port <port|off>',
      'syslog over UDP and TCP (RFC 5424/3164; octet-counted or newline framing)',
      process.env.NETREFLEX_SYSLOG_PORT ?? String(DEFAULT_SENSORS.syslogUdpPort),
    )
    .option('--syslog-tls-port <port>', 'syslog over TLS (needs --syslog-tls-cert and --syslog-tls-key)')
    .option('--syslog-tls-cert <file>', 'PEM certificate for syslog over TLS')
    .option('--syslog-tls-key <file>', 'PEM private key for syslog over TLS')
    .option(
      '--trap-port <port|off>',
      'SNMP traps v1/v2c/v3 over UDP (v3 users: system keys snmptrap.usm.<user>, encrypted)',
      process.env.NETREFLEX_TRAP_PORT ?? String(DEFAULT_SENSORS.trapPort),
    )
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
        const log = createLogger('netreflex', undefined, logFormatFor(opts.logFormat));
        noteNewDataDir(config.dataDir, "for the appliance's database, secrets key, known hosts and installed packs");
        const limits = sensorLimitsFrom(opts); // before anything starts: a bad flag stops here
        const tls = opts.api ? readApiTls(opts.tlsCert, opts.tlsKey) : null;
        const syslogPort = port(opts.syslogPort, DEFAULT_SENSORS.syslogUdpPort);
        const roles = parseRoles(opts.role, { bus: Boolean(opts.bus), sharedStore: isSharedStore(opts.store) });
        // a worker hears of work waiting, an API node of executions changing; no node of what it does not act on
        const store = await openStore(opts.store, config.dataDir, { work: roles.has('worker'), executions: roles.has('api') });
        // loaded only with --bus: an embedded appliance never touches NATS
        const partitions = parsePartitionCount(opts.partitions);
        const bus = opts.bus ? await (await import('../../events/nats-event-bus.js')).NatsEventBus.connect(opts.bus, { partitions }) : undefined;
        if (store.kind === 'postgres') say(`netreflex: state in PostgreSQL ${store.location}`);
        const assembled = buildAppliance({
          config,
          log,
          say,
          store,
          roles,
          ...(bus ? { bus } : {}),
          ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
          ...(opts.workerCapacity !== undefined ? { workerCapacity: workerCapacity(opts.workerCapacity) } : {}),
          ...(Number(process.env.NETREFLEX_HEARTBEAT_MS) > 0 ? { heartbeatMs: Number(process.env.NETREFLEX_HEARTBEAT_MS) } : {}),
          api: opts.api ? { host: opts.host, port: Number(opts.port), tls } : null,
          sensors: opts.sensors
            ? {
                host: opts.sensorHost,
                syslogUdpPort: syslogPort,
                syslogTcpPort: syslogPort,
                syslogTls:
                  opts.syslogTlsPort && opts.syslogTlsCert && opts.syslogTlsKey
                    ? { port: Number(opts.syslogTlsPort), certFile: opts.syslogTlsCert, keyFile: opts.syslogTlsKey }
                    : null,
                trapPort: port(opts.trapPort, DEFAULT_SENSORS.trapPort),
                sflowPort: port(opts.sflowPort, DEFAULT_SENSORS.sflowPort),
                syslogConnections: limits.connections,
                syslogMaxStoredTextBytes: limits.maxStoredTextBytes,
              }
            : null,
          ...(opts.inventory ? { inventoryDir: opts.inventory } : {}),
        });
        await assembled.start();
        narrate(assembled.stream, log);
        say('netreflex: waiting for events (try: netreflex event emit core.event message=hello)');
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          say('netreflex: stopping');
          void (async () => {
            await assembled.stop();
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

function workerCapacity(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new NrxError('NRX_ERR_VALIDATION', `--worker-capacity ${text}: a whole number of executions from 1 to 100000`);
  return n;
}
