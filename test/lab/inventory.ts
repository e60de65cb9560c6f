/**
 * The lab as a Nornir-shaped inventory (hosts.yaml, groups.yaml, defaults.yaml). Passwords never
 * go in the inventory: each host names a credential, and credentials.json next to it holds what
 * a test loads into the secret store. known_hosts carries each router's host key.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { RouterSsh } from './ssh.js';
import { netnsOf, ROUTERS } from './topology.js';

export interface InventoryFiles {
  inventoryDir: string;
  credentialsPath: string;
  knownHostsPath: string;
}

export const credentialName = (router: string): string => `lab-${router}`;

export function writeInventory(labDir: string, ssh: Record<string, RouterSsh>): InventoryFiles {
  const inventoryDir = path.join(labDir, 'inventory');
  mkdirSync(inventoryDir, { recursive: true });
  const hosts: Record<string, unknown> = {};
  const credentials: Record<string, unknown> = {};
  const knownHosts: string[] = [];
  for (const r of ROUTERS) {
    const s = ssh[r.name];
    if (!s) continue;
    hosts[r.name] = {
      hostname: s.host,
      port: s.port,
      platform: 'frr',
      username: s.username,
      credential: credentialName(r.name),
      groups: ['lab'],
      data: { role: r.role, site: 'lab', asn: r.asn, loopback: r.loopback, netns: netnsOf(r.name) },
    };
    credentials[credentialName(r.name)] = { username: s.username, password: s.password, private_key_path: s.privateKeyPath };
    knownHosts.push(`[${s.host}]:${s.port} ${s.hostPublicKey}`);
  }
  const groups = { lab: { platform: 'frr', data: { site: 'lab' } } };
  const defaults = { platform: 'frr', data: {} };
  const header = '# Written by test/lab (netreflex lab); regenerated on every lab up.\n';
  writeFileSync(path.join(inventoryDir, 'hosts.yaml'), header + yaml.dump(hosts, { lineWidth: 120 }));
  writeFileSync(path.join(inventoryDir, 'groups.yaml'), header + yaml.dump(groups));
  writeFileSync(path.join(inventoryDir, 'defaults.yaml'), header + yaml.dump(defaults));
  const credentialsPath = path.join(labDir, 'credentials.json');
  writeFileSync(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  const knownHostsPath = path.join(labDir, 'known_hosts');
  writeFileSync(knownHostsPath, `${knownHosts.join('\n')}\n`);
  return { inventoryDir, credentialsPath, knownHostsPath };
}
