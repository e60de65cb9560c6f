import { NrxError } from '../../src/core/errors.js';
import type { Driver } from '../contract/cli.js';
import type { NetconfSession } from '../contract/netconf.js';
import type { SnmpSession } from '../contract/snmp.js';
import { cliDriver } from '../connect.js';
import { connectNetconf } from '../transports/netconf.js';
import { SnmpClient } from '../transports/snmp.js';
import { pooledCliDriver } from './pooled-cli.js';
import type { DeviceEndpoints, DeviceTarget } from './targets.js';

/**
 * Sessions from resolved targets, typed by the contracts only: runners and pollers never see a
 * transport class. The CLI goes through a factory so that the pool (or a test) can stand in.
 */

export type DriverFactory = (target: DeviceTarget) => Driver;

/** The SSH session from the target's pool, or a fresh one per driver, closed with it. */
export const sshDriverFactory: DriverFactory = (t) =>
  t.sessions
    ? pooledCliDriver(t.sessions, t)
    : cliDriver({
        device: t.name,
        host: t.hostname,
        port: t.port,
        platform: t.platform,
        username: t.username,
        knownHostsFile: t.knownHostsFile,
        hostKeyPolicy: t.hostKeyPolicy,
        ...(t.password !== undefined ? { password: t.password } : {}),
        ...(t.privateKey !== undefined ? { privateKey: t.privateKey } : {}),
        ...(t.enableSecret !== undefined ? { enableSecret: t.enableSecret } : {}),
        ...(t.connectTimeoutMs !== undefined ? { connectTimeoutMs: t.connectTimeoutMs } : {}),
        ...(t.commandTimeoutMs !== undefined ? { commandTimeoutMs: t.commandTimeoutMs } : {}),
      });

/** A NETCONF session to the device's server (port 830 unless the inventory says otherwise). */
export function openNetconf(conn: DeviceEndpoints, opts: { rpcTimeoutMs?: number } = {}): Promise<NetconfSession> {
  return connectNetconf({
    host: conn.host,
    port: conn.netconf?.port ?? 830,
    username: conn.username ?? '',
    device: conn.name,
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    ...(conn.privateKey !== undefined ? { privateKey: conn.privateKey } : {}),
    hostKey: { knownKey: conn.hostKey, trustOnFirstUse: conn.trustOnFirstUse, onLearned: conn.onHostKeyLearned },
    ...(opts.rpcTimeoutMs !== undefined ? { rpcTimeoutMs: opts.rpcTimeoutMs } : {}),
  });
}

/**
 * An SNMP session to the device's agent with its inventory credentials. `missing` words the
 * error for a device without SNMP settings (runners and pollers say it differently).
 */
export function openSnmp(conn: DeviceEndpoints, opts: { timeoutMs?: number; retries?: number; missing?: () => NrxError } = {}): SnmpSession {
  if (!conn.snmp)
    throw (
      opts.missing?.() ??
      new NrxError(
        'NRX_ERR_AUTH',
        `device ${conn.name}: no SNMP settings in the inventory (set connection_options.snmp.credential on the host, a group or the defaults)`,
      )
    );
  return new SnmpClient({
    host: conn.host,
    port: conn.snmp.port ?? 161,
    device: conn.name,
    credentials: conn.snmp.credentials,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
  });
}
