/**
 * Servers the lab starts next to the routers on request (`npm run lab:up -- --with redmine`).
 * Each records its pid in the lab's pids dir, so `lab:status` counts it and `lab:down` stops it.
 * A component is a name and a start function: add one here, not in cli.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { attachLab, readLabState } from './lab.js';
import { LAG_SWITCH_BOND, LAG_SWITCH_MEMBERS, startLagSwitch } from './lag-switch.js';
import { startRedmine } from './redmine.js';
import { wireLabDevice, type WireTarget } from './wire-appliance.js';

/** What `lab:up` asked for besides the component: with `--appliance`, where the appliance is. */
export interface ComponentContext {
  appliance?: { target: WireTarget; trapPort: number };
}

export interface LabComponent {
  description: string;
  /** Starts it under the lab dir; returns the lines `lab:up` prints about it. */
  start(labDir: string, ctx?: ComponentContext): Promise<string[]>;
}

export const LAB_COMPONENTS: Readonly<Record<string, LabComponent>> = {
  redmine: {
    description: "a real Redmine (Debian's package, SQLite) for the ticket pack",
    async start(labDir) {
      const r = await startRedmine({ dir: path.join(labDir, 'redmine'), pidDir: path.join(labDir, 'pids') });
      return [
        `redmine        ${r.url} (admin's API key ${r.apiKey}, project ${r.project}; log ${r.dir}/server.log)`,
        `  ticket pack  netreflex pack config ticket system=redmine url=${r.url} project=${r.project}; then \`netreflex pack config ticket api_key\` (the key above)`,
      ];
    },
  },
  lagsw: {
    description: "the LAG as a switch: bond A behind an SSH login with netreflex's switch CLI (platform openvswitch), member traps, sFlow agent 127.0.50.1",
    async start(labDir, ctx = {}) {
      const state = readLabState(labDir);
      if (!state) throw new NrxError('NRX_ERR_NOT_FOUND', `lab: no lab.json in ${labDir}`);
      // where `netreflex serve` listens for traps (lab:up --appliance's default)
      const trapPort = ctx.appliance?.trapPort ?? (Number(process.env.NETREFLEX_TRAP_PORT) || 10162);
      const sw = await startLagSwitch(attachLab(state), { trapPort });
      const host = sw.inventoryHost('lab-lagsw');
      const data = host.data as { aliases: string[]; lags: unknown };
      const about = [
        `lagsw          ${sw.name} at ${sw.address}:${sw.port} (platform openvswitch; user ${sw.username}, password ${sw.password}, key ${sw.privateKeyPath})`,
        `  sensors      traps for ${LAG_SWITCH_MEMBERS.join(', ')} from ${sw.address} to udp 127.0.0.1:${trapPort}; bridge A's sFlow agent ${sw.address}; OVS syslog names the host ${data.aliases.join(', ')}`,
      ];
      if (ctx.appliance) {
        const credential = { username: sw.username, password: sw.password, private_key: readFileSync(sw.privateKeyPath, 'utf8') };
        const r = await wireLabDevice({ host, credential, knownHostsLine: sw.knownHostsLine }, ctx.appliance.target);
        return [
          ...about,
          `  appliance    ${sw.name} in its inventory (data.lags ${JSON.stringify(data.lags)}, data.aliases ${JSON.stringify(data.aliases)}), credential lab-lagsw (encrypted), host key in ${r.knownHostsFile}`,
          `  LAG          ${LAG_SWITCH_BOND}: npm run lab:fault -- lag-member-down lagx1 (then lag-member-up) flaps it; docs/scenarios/lag.md`,
        ];
      }
      return [
        ...about,
        `  host key     ${sw.knownHostsLine}   (append to the appliance's known_hosts)`,
        `  add it       printf %s '${sw.password}' | netreflex credential set lab-lagsw --username ${sw.username} --password-stdin`,
        `               netreflex inventory add ${sw.name} --hostname ${sw.address} --port ${sw.port} --platform openvswitch --credential lab-lagsw --data 'aliases=${JSON.stringify(data.aliases)}' --data 'lags=${JSON.stringify(data.lags)}'`,
        `  LAG          ${LAG_SWITCH_BOND}: npm run lab:fault -- lag-member-down lagx1 (then lag-member-up) flaps it; docs/scenarios/lag.md`,
      ];
    },
  },
};

/** `redmine,other` as component names; an unknown one is refused with the list. */
export function parseComponents(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!Object.hasOwn(LAB_COMPONENTS, n)) throw new NrxError('NRX_ERR_USAGE', `lab: no component '${n}' (there is ${Object.keys(LAB_COMPONENTS).join(', ')})`);
  return names;
}
