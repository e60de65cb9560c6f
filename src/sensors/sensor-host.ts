import type { Logger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import type { ConnectionLimits } from './common/connection-gate.js';
import type { SensorCounters } from './common/counters.js';
import { DeviceIndex } from './device-index.js';
import { UdpDropWatch } from './common/udp-drops.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import { SflowListener } from './sflow/listener.js';
import { TrapListener } from './snmptrap/listener.js';
import type { UsmUser } from './snmptrap/usm.js';
import { SyslogListener } from './syslog/listener.js';
import { SyslogSensor } from './syslog/sensor.js';
import { SensorSet, type Sensor } from './sensor.js';

/** Where the sensors listen; a port of 0 picks a free one (tests), null turns the listener off. */
export interface SensorConfig {
  host: string;
  syslogUdpPort: number | null;
  syslogTcpPort: number | null;
  syslogTls: { port: number; certFile: string; keyFile: string; caFile?: string } | null;
  trapPort: number | null;
  sflowPort: number | null;
  /** SNMPv3 users whose traps are accepted (secrets from the encrypted datastore). */
  trapUsers?: UsmUser[];
  /** v1/v2c communities accepted; absent: any. */
  trapCommunities?: string[];
  /** Syslog TCP/TLS connection limits (see ConnectionLimits for the defaults). */
  syslogConnections?: Partial<ConnectionLimits>;
  /** Longest text a syslog event keeps, in bytes (default 8 KiB). */
  syslogMaxStoredTextBytes?: number;
  /** Read syslog UDP on a worker thread (default true: the socket gets a core of its own in a storm). */
  syslogUdpWorker?: boolean;
}

/** The defaults: unprivileged ports (syslog 5514, traps 10162, sFlow 6343) on the address the host option names. */
export const DEFAULT_SENSORS: SensorConfig = { host: '0.0.0.0', syslogUdpPort: 5514, syslogTcpPort: 5514, syslogTls: null, trapPort: 10162, sflowPort: 6343 };

export interface RunningSensors {
  /** Where each listener ended up (ports resolved). */
  addresses: Record<string, string>;
  counters(): Record<string, Record<string, number>>;
  stop(): Promise<void>;
}

/** What the network sensors hand their events to and recognise devices by. */
export interface NetworkSensorDeps {
  publish: (e: EventEnvelope) => void | Promise<void>;
  inventory: InventoryService;
  log: Logger;
}

/** The syslog (UDP, TCP, TLS) sensor: one listener for all three. */
function syslogSensor(config: SensorConfig, deps: NetworkSensorDeps, devices: DeviceIndex): Sensor {
  const sensor = new SyslogSensor({
    publish: deps.publish,
    resolver: devices,
    logger: deps.log,
    ...(config.syslogMaxStoredTextBytes !== undefined ? { maxStoredTextBytes: config.syslogMaxStoredTextBytes } : {}),
  });
  const listener = new SyslogListener(sensor, {
    udp:
      config.syslogUdpPort !== null
        ? {
            host: config.host,
            port: config.syslogUdpPort,
            worker: config.syslogUdpWorker !== false,
          }
        : false,
    tcp: config.syslogTcpPort !== null ? { host: config.host, port: config.syslogTcpPort } : false,
    tls: config.syslogTls ? { host: config.host, ...config.syslogTls } : false,
    ...(config.syslogConnections ? { connections: config.syslogConnections } : {}),
    logger: deps.log,
  });
  const streams = config.syslogTcpPort !== null || config.syslogTls !== null;
  const addresses: Record<string, string> = {};
  return {
    name: 'syslog',
    async start() {
      const a = await listener.start();
      if (a.udp) addresses['syslog/udp'] = `${a.udp.host}:${a.udp.port}`;
      if (a.tcp) addresses['syslog/tcp'] = `${a.tcp.host}:${a.tcp.port}`;
      if (a.tls) addresses['syslog/tls'] = `${a.tls.host}:${a.tls.port}`;
    },
    stop: () => listener.close(),
    // beyond the common six: truncations, and connections when there are streams
    counters: () => ({
      syslog: {
        ...sensor.counters.snapshot(),
        truncated: sensor.truncated,
        kernel_dropped: listener.kernelDropped(),
        reader_dropped: listener.readerDropped(),
        datagrams_truncated: listener.datagramsTruncated(),
        // 1 when the native recvmmsg reader reads the UDP socket, 0 for Node's dgram (the fallback)
        ...(listener.udpReader() ? { reader_recvmmsg: listener.udpReader() === 'recvmmsg' ? 1 : 0 } : {}),
        ...(streams ? listener.connectionCounts() : {}),
      },
    }),
    addresses: () => addresses,
  };
}

/**
 * The network listeners configured (a null port leaves one out), not started yet: every
 * normalised event goes to `publish` (Appliance.emit), and devices are recognised from the inventory.
 */
export function networkSensors(config: SensorConfig, deps: NetworkSensorDeps): Sensor[] {
  const devices = new DeviceIndex(deps.inventory);
  const out: Sensor[] = [];
  if (config.syslogUdpPort !== null || config.syslogTcpPort !== null || config.syslogTls) out.push(syslogSensor(config, deps, devices));

  // UDP sensors publish synchronously; a rejected emit is logged by the appliance's own path
  const publishSync = (e: EventEnvelope): void => {
    const done = deps.publish(e);
    if (done) done.catch((err: unknown) => deps.log.warn({ err: String(err), type: e.type }, 'event not accepted'));
  };
  const deviceOf = (address: string): string | null => devices.byAddress(address)?.name ?? null;

  if (config.trapPort !== null) {
    const traps = new TrapListener({
      host: config.host,
      port: config.trapPort,
      onEvent: publishSync,
      deviceOf,
      log: deps.log,
      ...(config.trapUsers?.length ? { users: config.trapUsers } : {}),
      ...(config.trapCommunities?.length ? { communities: config.trapCommunities } : {}),
    });
    out.push(udpSensor('snmptrap', traps, deps.log));
  }
  if (config.sflowPort !== null) {
    out.push(
      udpSensor(
        'sflow',
        new SflowListener({ host: config.host, port: config.sflowPort, onEvent: publishSync, detector: { deviceOf }, log: deps.log }),
        deps.log,
      ),
    );
  }
  return out;
}

/** A UDP listener (traps, sFlow) as a sensor. */
function udpSensor(
  name: string,
  listener: { start(): Promise<{ address: string; port: number }>; close(): Promise<void> | void; counters: SensorCounters },
  log: Logger,
): Sensor {
  const addresses: Record<string, string> = {};
  const dropLog = new RateLimitedLog(log);
  let drops: UdpDropWatch | null = null;
  return {
    name,
    async start() {
      const a = await listener.start();
      addresses[`${name}/udp`] = `${a.address}:${a.port}`;
      // the loss no counter in the process sees: datagrams the kernel dropped with the buffer full
      drops = new UdpDropWatch(a.port, a.address.includes(':') ? 'udp6' : 'udp4', (total, added) =>
        dropLog.warn({ sensor: name, port: a.port, dropped: added, total }, `the kernel dropped ${name} datagrams: the receive buffer was full`),
      );
      drops.start();
    },
    stop: async () => {
      drops?.stop();
      await listener.close();
    },
    counters: () => ({ [name]: { ...listener.counters.snapshot(), kernel_dropped: drops?.poll() ?? 0 } }),
    addresses: () => addresses,
  };
}

/** Start the network listeners (see networkSensors); a listener that cannot start closes the ones started before it. */
export async function startSensors(config: SensorConfig, deps: NetworkSensorDeps): Promise<RunningSensors> {
  const sensors = new SensorSet(networkSensors(config, deps));
  await sensors.start();
  return { addresses: sensors.addresses(), counters: () => sensors.counters(), stop: () => sensors.stop() };
}
