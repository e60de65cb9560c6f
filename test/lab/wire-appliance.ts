/**
 * The lab wired to an appliance in one step (`npm run lab:up -- --appliance`): the lab's routers
 * go into the appliance's inventory, their credentials into its encrypted secret store and their
 * host keys into its known_hosts, so the appliance can log in to them; the lab's syslog, traps
 * and sFlow are sent to the appliance's sensor ports (lab.ts/cli.ts pick the ports).
 *
 * Where it writes follows the CLI's rule: through the appliance's API when a URL is configured
 * (flag, NETREFLEX_URL or `netreflex login`), else into the data directory. The host keys always
 * go into the data directory: the lab's SSH servers listen on 127.0.0.1, so the appliance that
 * reaches them runs on this machine, and no API route takes host keys. `--with lagsw` adds the LAG
 * switch the same way (wireLabDevice).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { ApiClient, resolveClientConfig } from '../../src/cli/api-client.js';
import { urlConfigured } from '../../src/cli/remote.js';
import { resolveDataDir } from '../../src/core/config.js';
import { SecretCipher } from '../../src/datastore/cipher.js';
import { CredentialStore, type Credential } from '../../src/datastore/credentials.js';
import { KeyValueStore } from '../../src/datastore/keyvalue.js';
import { InventoryService } from '../../src/inventory/inventory-service.js';
import { loadInventoryDir } from '../../src/inventory/loader.js';
import type { Host } from '../../src/inventory/model.js';
import { openApplianceStore } from '../../src/store/open-store.js';
import type { LabState } from './lab.js';

/** Trailing comment on the known_hosts lines the lab writes, so the next `lab up` replaces them. */
export const KNOWN_HOSTS_MARK = 'netreflex-lab';

export interface WireTarget {
  /** --data-dir; else $NETREFLEX_DATA_DIR, else ~/.netreflex. */
  dataDir?: string;
  /** --url; else NETREFLEX_URL or the client config file (then the API is used). */
  url?: string;
}

export interface WireReport {
  via: 'api' | 'data-dir';
  dataDir: string;
  /** The data directory did not exist and was made for the appliance. */
  createdDataDir: boolean;
  url?: string;
  hosts: string[];
  credentials: string[];
  knownHostsFile: string;
}

/** The lab's hosts as the appliance stores them: self-contained (no group to create first). */
function labHosts(state: LabState): Host[] {
  const inv = loadInventoryDir(state.inventoryDir);
  if (inv.errors.length) throw inv.errors[0]!;
  return inv.hosts.map((h) => {
    const { groups: _groups, ...rest } = h;
    return { ...rest, platform: h.platform ?? 'frr' };
  });
}

function labCredentials(state: LabState): Record<string, Credential> {
  const doc = JSON.parse(readFileSync(state.credentialsPath, 'utf8')) as Record<string, { username: string; password?: string; private_key_path?: string }>;
  const out: Record<string, Credential> = {};
  for (const [name, c] of Object.entries(doc)) {
    const cred: Credential = { username: c.username, ...(c.password ? { password: c.password } : {}) };
    if (c.private_key_path) cred.private_key = readFileSync(path.resolve(path.dirname(state.credentialsPath), c.private_key_path), 'utf8');
    out[name] = cred;
  }
  return out;
}

/** Replaces the lines an earlier lab wrote (their ports change every time) and keeps everything else. */
export function mergeKnownHosts(file: string, state: LabState): void {
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.trimEnd().endsWith(` ${KNOWN_HOSTS_MARK}`))
    : [];
  const lab = readFileSync(state.knownHostsPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `${l.split(/\s+/).slice(0, 3).join(' ')} ${KNOWN_HOSTS_MARK}`);
  writeFileSync(file, `${[...kept, ...lab].join('\n')}\n`, { mode: 0o600 });
}

/** Where a wiring wrote: through the API or into the data directory. */
type Written = Pick<WireReport, 'via' | 'dataDir' | 'createdDataDir' | 'url'>;

/** Hosts and credentials into the appliance, by the CLI's rule (the API when a URL is configured, else the data directory). */
async function putInAppliance(hosts: Host[], credentials: Record<string, Credential>, target: WireTarget, env: NodeJS.ProcessEnv): Promise<Written> {
  const dataDir = resolveDataDir(target.dataDir, env);
  const createdDataDir = !existsSync(dataDir);
  if (urlConfigured({ ...(target.url ? { url: target.url } : {}) }, env)) {
    const client = new ApiClient(resolveClientConfig(target.url ? { url: target.url } : {}, env));
    for (const h of hosts) {
      const { name, ...fields } = h;
      await client.putHost(name, fields as Record<string, unknown>);
    }
    for (const [name, c] of Object.entries(credentials)) await client.setKey('system', `credential.${name}`, JSON.stringify(c), { encrypt: true });
    return { via: 'api', url: client.config.url, dataDir, createdDataDir };
  }
  const store = openApplianceStore(dataDir);
  try {
    const inventory = new InventoryService(store);
    for (const h of hosts) await inventory.putHost(h);
    const creds = new CredentialStore(new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir)));
    for (const [name, c] of Object.entries(credentials)) await creds.set(name, c);
  } finally {
    await store.close();
  }
  return { via: 'data-dir', dataDir, createdDataDir };
}

export async function wireAppliance(state: LabState, target: WireTarget = {}, env: NodeJS.ProcessEnv = process.env): Promise<WireReport> {
  const hosts = labHosts(state);
  const credentials = labCredentials(state);
  const written = await putInAppliance(hosts, credentials, target, env);
  // made as the appliance makes it (0700) when the API route had to be taken without it
  mkdirSync(written.dataDir, { recursive: true, mode: 0o700 });
  const knownHostsFile = path.join(written.dataDir, 'known_hosts');
  mergeKnownHosts(knownHostsFile, state);
  return { ...written, hosts: hosts.map((h) => h.name), credentials: Object.keys(credentials), knownHostsFile };
}

/** One more lab device (the LAG switch of `--with lagsw`): its inventory entry, credential and host key. */
export interface LabDevice {
  /** Names its credential in `credential`. */
  host: Host;
  credential: Credential;
  /** `[address]:port keytype key`. */
  knownHostsLine: string;
}

/**
 * Wires one more device after wireAppliance: same rule for where it writes; its known_hosts line
 * carries the lab's mark, so the next `lab up` replaces it with the routers' lines.
 */
export async function wireLabDevice(device: LabDevice, target: WireTarget = {}, env: NodeJS.ProcessEnv = process.env): Promise<WireReport> {
  const name = device.host.credential;
  if (!name) throw new NrxError('NRX_ERR_PARAM_INVALID', `lab: device '${device.host.name}' names no credential`, { location: { field: 'credential' } });
  const written = await putInAppliance([device.host], { [name]: device.credential }, target, env);
  mkdirSync(written.dataDir, { recursive: true, mode: 0o700 });
  const knownHostsFile = path.join(written.dataDir, 'known_hosts');
  const [hostField, ...key] = device.knownHostsLine.trim().split(/\s+/);
  const kept = existsSync(knownHostsFile)
    ? readFileSync(knownHostsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && l.split(/\s+/)[0] !== hostField)
    : [];
  writeFileSync(knownHostsFile, `${[...kept, `${hostField} ${key.slice(0, 2).join(' ')} ${KNOWN_HOSTS_MARK}`].join('\n')}\n`, { mode: 0o600 });
  return { ...written, hosts: [device.host.name], credentials: [name], knownHostsFile };
}
