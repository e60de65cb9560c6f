/**
 * Issue 13, job 2 on the rig: the lab's LAG switch added to the appliance (inventory, credential,
 * host key), its flaps injected as the lab's faults, and the run found through the API. Shared by
 * scenario-lag.test.ts and the figures (test/bench/scenario-lag.bench.ts).
 */
import { appendFileSync } from 'node:fs';
import { cliDriver } from '../../drivers/connect.js';
import type { Driver } from '../../drivers/contract/cli.js';
import { startLagSwitch, type LagSwitch } from './lag-switch.js';
import { run, sleep, waitFor } from './run.js';
import type { ScenarioRig } from './scenario-rig.js';

export const LAG_CREDENTIAL = 'lab-lagsw';
export const MEMBER = 'lagx1-a';

export interface ApiExecution {
  id: string;
  action: string;
  status: string;
  outcome: string | null;
  parameters: Record<string, unknown>;
  context: Record<string, unknown>;
  createdAt: string;
  updatedAt?: string;
  result: { output?: Record<string, any> } & Record<string, any>;
  tasks: Array<{ taskName: string; status: string; executionId: string | null; startedAt?: string; endedAt?: string }>;
  children: Array<{ id: string; action: string; status: string; taskName: string | null; result: any; createdAt: string; updatedAt?: string }>;
}

/** The switch login on the rig's lab, in the appliance's inventory as an operator would add it. */
export async function addLagSwitch(rig: ScenarioRig): Promise<{ sw: LagSwitch; driver: Driver }> {
  const sw = await startLagSwitch(rig.lab, { trapPort: rig.ports.trap });
  await rig.appliance.credentials.set(LAG_CREDENTIAL, { username: sw.username, password: sw.password });
  appendFileSync(rig.knownHostsFile, `${sw.knownHostsLine}\n`);
  await rig.appliance.inventory.putHost(sw.inventoryHost(LAG_CREDENTIAL));
  // The sFlow sensor reports a state only when it changes: its first counter sample from the
  // switch's new agent address is the baseline. Two polls (2 s each) before the first fault.
  await sleep(5_000);
  const driver = cliDriver({
    device: sw.name,
    host: sw.address,
    port: sw.port,
    username: sw.username,
    password: sw.password,
    platform: 'openvswitch',
    knownHostsFile: rig.knownHostsFile,
    hostKeyPolicy: 'strict',
  });
  return { sw, driver };
}

/**
 * `lagx1` down then up, `times` times: each state held long enough for every sensor to see it
 * (snmpd polls ifOperStatus every second, OVS sends sFlow counters every 2 s).
 */
export async function flap(rig: ScenarioRig, times: number, holdMs = 3_000): Promise<number[]> {
  const downs: number[] = [];
  for (let i = 0; i < times; i++) {
    downs.push(Date.now());
    await rig.lab.fault.lagMemberDown('lagx1');
    await sleep(holdMs);
    await rig.lab.fault.lagMemberUp('lagx1');
    await sleep(holdMs);
  }
  return downs;
}

export async function bondShow(rig: ScenarioRig): Promise<string> {
  return (await rig.lab.ovs.appctl('bond/show', 'bondA')).stdout;
}

export async function pingsAcross(): Promise<boolean> {
  return (await run('ip', ['netns', 'exec', 'nrxlab-h1', 'ping', '-c', '3', '-i', '0.2', '-W', '1', '10.0.50.2'], { allowFail: true })).code === 0;
}

/** The run of remediation.lag_member_down for the member created after `since`, once `until` holds for it (it may still run). */
export async function findLagRun(rig: ScenarioRig, since: string, member = MEMBER, until: (e: ApiExecution) => boolean = () => true): Promise<ApiExecution> {
  return waitFor(
    `remediation.lag_member_down for ${member} after ${since}`,
    async () => {
      const { items } = await rig.api<{ items: ApiExecution[] }>('GET', '/api/v1/executions?action=remediation.lag_member_down&limit=50');
      const run = items.find((e) => e.createdAt >= since && e.parameters.member === member);
      if (!run) return undefined;
      const full = await rig.api<ApiExecution>('GET', `/api/v1/executions/${run.id}`);
      return until(full) ? full : undefined;
    },
    90_000,
    100,
  );
}

/** That run once it ended. */
export async function lagRunAfter(rig: ScenarioRig, since: string, member = MEMBER): Promise<ApiExecution> {
  const found = await findLagRun(rig, since, member);
  await rig.appliance.engine.wait(found.id);
  return rig.api<ApiExecution>('GET', `/api/v1/executions/${found.id}`);
}

/** The member back in the bond and the lab's side up: as the lab was before the scenario. */
export async function restoreBond(rig: ScenarioRig, driver: Driver): Promise<void> {
  await rig.lab.fault.lagMemberUp('lagx1').catch(() => {});
  await driver.configure([`interface ${MEMBER}`, 'no shutdown']).catch(() => {});
  await waitFor('lagx1-a enabled in bondA', async () => /member lagx1-a: enabled/.test(await bondShow(rig)), 20_000, 200).catch(() => {});
}
