import { NrxError } from '../../src/core/errors.js';
import type { SnmpCredentials } from '../contract/snmp.js';
import type { HostKeyPolicy } from '../transports/known-hosts.js';
import type { SessionPool } from './session-pool.js';

/**
 * Everything needed to reach one device, per way in, with secrets already decrypted: what the
 * resolver makes of an inventory name. Static resolvers over fixed lists serve tests and
 * small setups.
 */

/** A device's CLI over SSH. */
export interface DeviceTarget {
  name: string;
  hostname: string;
  port: number;
  platform: string;
  username: string;
  password?: string;
  privateKey?: string;
  enableSecret?: string;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Where the session comes from and goes back to; without a pool, a fresh session closed after use. */
  sessions?: SessionPool;
}

export interface CliResolver {
  /** Throws NrxError NRX_ERR_DEVICE_NOT_FOUND for a name the inventory does not have. */
  resolve(name: string): Promise<DeviceTarget>;
}

/** A device's NETCONF server and SNMP agent. */
export interface DeviceEndpoints {
  name: string;
  host: string;
  username?: string;
  password?: string;
  privateKey?: string;
  /** "ssh-ed25519 AAAA..."; without it the device is refused unless trustOnFirstUse. */
  hostKey?: string;
  trustOnFirstUse?: boolean;
  /** Called with a key learned on first use, to record it. */
  onHostKeyLearned?: (key: string) => void;
  netconf?: { port?: number };
  snmp?: { port?: number; credentials: SnmpCredentials };
}

export interface EndpointResolver {
  resolve(name: string): Promise<DeviceEndpoints> | DeviceEndpoints;
}

/** A server reached over SSH exec (remote-shell runners): inventory host or plain address. */
export interface RemoteLogin {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

/** Where the remote-shell runners get addresses, secrets and host keys. */
export interface RemoteHostResolver {
  /** An inventory host by name (any platform, or none), or null when the inventory has no such name. */
  inventoryHost(name: string): Promise<RemoteLogin | null>;
  /** A stored credential, for hosts outside the inventory. */
  credential(name: string): Promise<Omit<RemoteLogin, 'host' | 'port'>>;
  readonly knownHostsFile: string;
  readonly hostKeyPolicy: HostKeyPolicy;
}

/** A CLI resolver over a fixed table (tests, `exec` against a list). */
export function staticResolver(targets: Iterable<DeviceTarget>): CliResolver {
  const byName = new Map([...targets].map((t) => [t.name, t]));
  return {
    async resolve(name) {
      const t = byName.get(name);
      if (!t) throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no device '${name}' in the inventory`);
      return t;
    },
  };
}

/** A NETCONF/SNMP resolver over a fixed list. Unknown names are NRX_ERR_DEVICE_NOT_FOUND. */
export function staticEndpointResolver(devices: DeviceEndpoints[]): EndpointResolver {
  const byName = new Map(devices.map((d) => [d.name, d]));
  return {
    resolve(name) {
      const d = byName.get(name);
      if (!d) throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no inventory device '${name}'`, { location: { field: 'device' } });
      return d;
    },
  };
}
