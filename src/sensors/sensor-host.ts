import type { Logger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import type { ConnectionLimits } from './common/connection-gate.js';
import type { SensorCounters } from './common/counters.js';
import { DeviceIndex } from './device-index.js';
import { SflowListener } from './sflow/listener.js';
import { TrapListener } from './snmptrap/listener.js';
import type { UsmUser } from './snmptrap/usm.js';
import { SyslogListener } from './syslog/listener.js';
import { SyslogSensor } from './syslog/sensor.js';

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
}

/** The defaults DESIGN.md gives: unprivileged ports, every interface the host option names. */
export const DEFAULT_SENSORS: SensorConfig = { host: '0.0.0.0', syslogUdpPort: 5514, syslogTcpPort: 5514, syslogTls: null, trapPort: 10162, sflowPort: 6343 };

export interface RunningSensors {
  /** Where each listener ended up (ports resolved). */
  addresses: Record<string, string>;
  counters(): Record<string, Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Start the network listeners and connect them to the appliance: every normalised event goes
 * to `publish` (Appliance.emit), and devices are recognised from the inventory.
 */
export async function startSensors(config: SensorConfig, deps: { publish: (e: EventEnvelope) => Promise<void>; inventory: InventoryService; log: Logger }): Promise<RunningSensors> {
  const devices = new DeviceIndex(deps.inventory);
  const counters: Record<string, SensorCounters> = {};
  /** Counters beyond the common six, per sensor (syslog: truncations, connections). */
  const extra: Record<string, () => Record<string, number>> = {};
  const stops: Array<() => Promise<void> | void> = [];
  const addresses: Record<string, string> = {};

  if (config.syslogUdpPort !== null || config.syslogTcpPort !== null || config.syslogTls) {
    const sensor = new SyslogSensor({
      publish: deps.publish,
      resolver: devices,
      logger: deps.log,
      ...(config.syslogMaxStoredTextBytes !== undefined ? { maxStoredTextBytes: config.syslogMaxStoredTextBytes } : {}),
    });
    counters.syslog = sensor.counters;
    const listener = new SyslogListener(sensor, {
      udp: config.syslogUdpPort !== null ? { host: config.host, port: config.syslogUdpPort } : false,
      tcp: config.syslogTcpPort !== null ? { host: config.host, port: config.syslogTcpPort } : false,
      tls: config.syslogTls ? { host: config.host, ...config.syslogTls } : false,
      ...(config.syslogConnections ? { connections: config.syslogConnections } : {}),
      logger: deps.log,
    });
    const streams = config.syslogTcpPort !== null || config.syslogTls !== null;
    extra.syslog = () => ({ truncated: sensor.truncated, ...(streams ? listener.connectionCounts() : {}) });
    const a = await listener.start();
    if (a.udp) addresses['syslog/udp'] = `${a.udp.host}:${a.udp.port}`;
    if (a.tcp) addresses['syslog/tcp'] = `${a.tcp.host}:${a.tcp.port}`;
    if (a.tls) addresses['syslog/tls'] = `${a.tls.host}:${a.tls.port}`;
    stops.push(() => listener.close());
  }

  // UDP sensors publish synchronously; a rejected emit is logged by the appliance's own path
  const publishSync = (e: EventEnvelope): void => void deps.publish(e).catch((err) => deps.log.warn({ err: String(err), type: e.type }, 'event not accepted'));
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
    const a = await traps.start();
    addresses['snmptrap/udp'] = `${a.address}:${a.port}`;
    counters.snmptrap = traps.counters;
    stops.push(() => traps.close());
  }

  if (config.sflowPort !== null) {
    const sflow = new SflowListener({ host: config.host, port: config.sflowPort, onEvent: publishSync, detector: { deviceOf }, log: deps.log });
    const a = await sflow.start();
    addresses['sflow/udp'] = `${a.address}:${a.port}`;
    counters.sflow = sflow.counters;
    stops.push(() => sflow.close());
  }

  return {
    addresses,
    counters: () => Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, { ...c.snapshot(), ...extra[k]?.() }])),
    stop: async () => {
      for (const s of stops) await s();
    },
  };
}
