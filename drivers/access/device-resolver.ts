import { NrxError } from '../../src/core/errors.js';
import type { SnmpCredentials } from '../contract/snmp.js';
import { KnownHosts, keyTypeOf, type HostKeyPolicy } from '../transports/known-hosts.js';
import type { CredentialSource, DeviceDirectory, DeviceRecord } from './ports.js';
import type { SessionPool } from './session-pool.js';
import type { CliResolver, DeviceEndpoints, DeviceTarget, EndpointResolver, RemoteHostResolver, RemoteLogin } from './targets.js';

/** Who wants to see the keys trusted on first use (exec --trust-new-hosts prints them) subscribes here. */
export { onHostKeyRecorded, type RecordedHostKey } from '../transports/known-hosts.js';

export interface DeviceAccessOptions {
  /** OpenSSH known_hosts file every SSH and NETCONF connection is verified against. */
  knownHostsFile: string;
  /** strict: unknown hosts are refused; tofu: the first key seen is recorded (only when asked). */
  hostKeyPolicy: HostKeyPolicy;
  /** CLI sessions kept open between uses (the appliance's); without it every use opens its own. */
  sessions?: SessionPool;
}

type Options = Record<string, unknown>;

/**
 * How runners and pollers reach a device by its inventory name: address, port and platform from
 * the inventory, secrets from the encrypted credential store (the inventory only names them),
 * host keys from one known_hosts file, CLI sessions from the appliance's pool when it has one.
 *
 * Per connection type, Nornir's `connection_options` may override the host's fields:
 * `ssh: {hostname, port, username, credential}`, `netconf: {...same}`, and
 * `snmp: {port, credential, extras: {version: v2c|v3, priv_credential, auth_protocol, priv_protocol}}`
 * where the credential's password is the community (v2c) or the auth key, its username the v3
 * user, and `priv_credential`'s password the v3 privacy key.
 */
export class InventoryDevices {
  private readonly knownHosts: KnownHosts;

  constructor(
    private readonly inventory: DeviceDirectory,
    private readonly credentials: CredentialSource,
    private readonly opts: DeviceAccessOptions,
  ) {
    this.knownHosts = new KnownHosts(opts.knownHostsFile);
  }

  private async host(name: string): Promise<DeviceRecord> {
    const h = await this.inventory.getHost(name);
    if (!h) throw new NrxError('NRX_ERR_DEVICE_NOT_FOUND', `no device '${name}' in the inventory`);
    return h;
  }

  private async secret(
    device: string,
    credential: string | null | undefined,
    purpose: string,
  ): Promise<{ username: string; password?: string; privateKey?: string; passphrase?: string }> {
    if (!credential)
      throw new NrxError('NRX_ERR_AUTH', `device ${device}: no credential named for ${purpose} (set credential: NAME on the host, a group or the defaults)`);
    const c = await this.credentials.get(credential);
    if (!c)
      throw new NrxError(
        'NRX_ERR_AUTH',
        `device ${device}: credential '${credential}' is not in the secret store (netreflex credential set ${credential} ...)`,
      );
    return {
      username: c.username,
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.private_key !== undefined ? { privateKey: c.private_key } : {}),
      ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}),
    };
  }

  private options(h: DeviceRecord, kind: string): Options {
    return (h.connectionOptions[kind] ?? {}) as Options;
  }

  /** For the CLI runners and `netreflex exec`. */
  async target(name: string): Promise<DeviceTarget> {
    const h = await this.host(name);
    const o = this.options(h, 'ssh');
    if (!h.platform) throw new NrxError('NRX_ERR_INVENTORY_INVALID', `device ${name}: no platform in the inventory (set platform: frr, cisco_ios, ...)`);
    const c = await this.secret(name, (o.credential as string | undefined) ?? h.credential, 'SSH');
    return {
      name,
      hostname: String(o.hostname ?? h.hostname),
      port: Number(o.port ?? h.port ?? 22),
      platform: String(o.platform ?? h.platform),
      username: String(o.username ?? h.username ?? c.username),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.privateKey !== undefined ? { privateKey: c.privateKey } : {}),
      knownHostsFile: this.opts.knownHostsFile,
      hostKeyPolicy: this.opts.hostKeyPolicy,
      ...(this.opts.sessions ? { sessions: this.opts.sessions } : {}),
    };
  }

  /** For the NETCONF and SNMP runners. */
  async connection(name: string): Promise<DeviceEndpoints> {
    const h = await this.host(name);
    const nc = this.options(h, 'netconf');
    const host = String(nc.hostname ?? h.hostname);
    const port = Number(nc.port ?? 830);
    const conn: DeviceEndpoints = { name, host, netconf: { port } };
    const credName = (nc.credential as string | undefined) ?? h.credential;
    if (credName) {
      const c = await this.secret(name, credName, 'NETCONF');
      conn.username = String(nc.username ?? h.username ?? c.username);
      if (c.password !== undefined) conn.password = c.password;
      if (c.privateKey !== undefined) conn.privateKey = c.privateKey;
    }
    const known = this.knownHosts.lookup(host, port)[0];
    if (known) conn.hostKey = `${keyTypeOf(known)} ${known.toString('base64')}`;
    if (this.opts.hostKeyPolicy === 'tofu') {
      conn.trustOnFirstUse = true;
      conn.onHostKeyLearned = (key) => {
        const b64 = key.trim().split(/\s+/)[1];
        if (b64) this.knownHosts.add(host, port, Buffer.from(b64, 'base64'), name);
      };
    }
    const snmp = this.options(h, 'snmp');
    const extras = (snmp.extras ?? {}) as Options;
    if (snmp.credential) {
      const c = await this.secret(name, snmp.credential as string, 'SNMP');
      const version = String(extras.version ?? 'v2c');
      let credentials: SnmpCredentials;
      if (version === 'v3') {
        const priv = extras.priv_credential ? await this.secret(name, extras.priv_credential as string, 'SNMP privacy') : null;
        credentials = {
          version: 'v3',
          user: c.username,
          ...(c.password !== undefined ? { authKey: c.password } : {}),
          ...(priv?.password !== undefined ? { privKey: priv.password } : {}),
          ...(extras.auth_protocol ? { authProtocol: extras.auth_protocol as never } : {}),
          ...(extras.priv_protocol ? { privProtocol: extras.priv_protocol as never } : {}),
        } as SnmpCredentials;
      } else credentials = { version: 'v2c', community: c.password ?? c.username };
      conn.snmp = { port: Number(snmp.port ?? 161), credentials };
    }
    return conn;
  }

  /**
   * For the remote-shell runners: a host the inventory names, reached over SSH whatever its
   * platform (a Linux server has none); null when the inventory has no such name.
   */
  async shellLogin(name: string): Promise<RemoteLogin | null> {
    const h = await this.inventory.getHost(name);
    if (!h) return null;
    const o = this.options(h, 'ssh');
    const c = await this.secret(name, (o.credential as string | undefined) ?? h.credential, 'SSH');
    return {
      host: String(o.hostname ?? h.hostname),
      port: Number(o.port ?? h.port ?? 22),
      username: String(o.username ?? h.username ?? c.username),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.privateKey !== undefined ? { privateKey: c.privateKey } : {}),
      ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}),
    };
  }

  remoteHosts(): RemoteHostResolver {
    return {
      inventoryHost: (name) => this.shellLogin(name),
      credential: (credential) => this.secret('(outside the inventory)', credential, 'SSH'),
      knownHostsFile: this.opts.knownHostsFile,
      hostKeyPolicy: this.opts.hostKeyPolicy,
    };
  }

  cliResolver(): CliResolver {
    return { resolve: (name) => this.target(name) };
  }

  netconfResolver(): EndpointResolver {
    return { resolve: (name) => this.connection(name) };
  }

  /** Close the kept sessions (appliance stop). */
  async close(): Promise<void> {
    await this.opts.sessions?.close();
  }
}
