/**
 * The VXLAN job's devices in an appliance: the leaves' Linux sides (overlay.ts, platform
 * linux_frr) and the NETCONF switch (netconf.ts), each with a credential in the secret store and
 * its host key in known_hosts, as an operator adds them. For the scenario test, its bench, and
 * `lab:up` later.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Appliance } from '../../src/appliance.js';
import { REPO_ROOT } from '../../src/core/config.js';
import { signWebhookBody } from '../../src/sensors/webhook/caller-auth.js';
import { startNetconf, type NetconfLab } from './netconf.js';
import { HOST_BRIDGE, startOverlay, type Overlay } from './overlay.js';
import { startScenarioRig, type ScenarioRig } from './scenario-rig.js';
import { clientKey } from './ssh.js';

export const NETCONF_SWITCH = 'nc1';

/** The openstack pack's config for this fabric (configs/openstack.yaml). */
export function vxlanPackConfig(overlay: Pick<Overlay, 'leaves'>, vniRange = { first: 5000, last: 5099 }): string {
  return [
    `vni_range: {first: ${vniRange.first}, last: ${vniRange.last}}`,
    'fabric:',
    '  leaves:',
    ...overlay.leaves.map((l) => `    - {device: ${l.name}, vtep: ${l.vtep}}`),
    `  bridge: ${overlay.leaves[0]!.bridge}`,
    `  netconf_devices: [${NETCONF_SWITCH}]`,
    '',
  ].join('\n');
}

export async function addVxlanDevices(appliance: Appliance, knownHostsFile: string, overlay: Overlay, nc: NetconfLab): Promise<void> {
  for (const l of overlay.leaves) {
    await appliance.credentials.set(`lab-${l.name}`, { username: l.username, password: l.password });
    await appliance.inventory.putHost({
      name: l.name,
      hostname: l.host,
      port: l.port,
      platform: 'linux_frr',
      credential: `lab-${l.name}`,
      data: { role: 'leaf', site: 'lab', vtep: l.vtep },
    });
    appendFileSync(knownHostsFile, `${l.host} ${l.hostPublicKey}\n`);
  }
  await appliance.credentials.set(`lab-${NETCONF_SWITCH}`, { username: nc.username, password: nc.password });
  await appliance.inventory.putHost({
    name: NETCONF_SWITCH,
    hostname: nc.host,
    credential: `lab-${NETCONF_SWITCH}`,
    connection_options: { netconf: { port: nc.port } },
    data: { role: 'leaf', site: 'lab' },
  });
  appendFileSync(knownHostsFile, `[${nc.host}]:${nc.port} ${nc.hostPublicKey}\n`);
}

export interface VxlanScenario {
  rig: ScenarioRig;
  overlay: Overlay;
  nc: NetconfLab;
  /** POST a body to the neutron webhook (HMAC-signed as a relay would); the emitted events' ids. */
  notify(body: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The leaves' Linux-side names are fixed, so the pack config is known before the lab is up. */
const LEAVES_PLANNED = [
  { name: 'leaf1-linux', vtep: '10.255.0.11', bridge: HOST_BRIDGE },
  { name: 'leaf2-linux', vtep: '10.255.0.12', bridge: HOST_BRIDGE },
] as Overlay['leaves'];

/**
 * The rig with the VXLAN job's peers: the overlay's VMs and leaf logins, the NETCONF switch, the
 * devices in the appliance and a neutron webhook; the rules as shipped (the vxlan_network_* job owns
 * the VNI from allocation to release).
 */
export async function startVxlanScenario(name = 'vxlan'): Promise<VxlanScenario> {
  const ncDir = mkdtempSync(path.join(tmpdir(), 'nrx-vxlan-nc-'));
  const started = await Promise.allSettled([
    startScenarioRig({ name, configs: { 'openstack.yaml': vxlanPackConfig({ leaves: LEAVES_PLANNED }) } }),
    startNetconf(ncDir),
  ]);
  const rig = started[0].status === 'fulfilled' ? started[0].value : undefined;
  const nc = started[1].status === 'fulfilled' ? started[1].value : undefined;
  let overlay: Overlay | undefined;
  const stop = async (): Promise<void> => {
    // the appliance first: its SSH sessions to the leaves close while the management ports still carry them
    await rig?.stop().catch(() => {});
    await overlay?.stop().catch(() => {});
    await nc?.stop().catch(() => {});
    rmSync(ncDir, { recursive: true, force: true });
  };
  try {
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    overlay = await startOverlay(rig!.lab.dir, await clientKey(rig!.lab.dir));
    await addVxlanDevices(rig!.appliance, rig!.knownHostsFile, overlay, nc!);
    const { secret } = await rig!.api<{ secret: string }>('POST', '/api/v1/webhooks', { name: 'neutron', kind: 'neutron', auth: 'hmac' });
    const notify = async (body: string): Promise<string[]> => {
      const res = await fetch(`${rig!.apiUrl}/api/v1/webhooks/neutron`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-netreflex-signature': signWebhookBody(secret, body) },
        body,
      });
      if (res.status !== 202) throw new Error(`neutron webhook answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { events: Array<{ id: string }> }).events.map((e) => e.id);
    };
    return { rig: rig!, overlay, nc: nc!, notify, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

type Recorded = { event_type: string; payload: Record<string, any>; publisher_id: string; ctxt: Record<string, unknown>; metadata: Record<string, unknown> };

/**
 * Neutron notifications recorded on devstack, from openstack-archive/searchlight's tests
 * (Apache-2.0; see test/sensors/webhook/fixtures/README.md): `network.create.end` of a vxlan
 * network with segmentation id 1004, and its `network.delete.end`.
 */
export function recordedNeutron(): { created: Recorded; deleted: Recorded } {
  const all = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/sensors/webhook/fixtures/searchlight/networks.json'), 'utf8')) as Record<string, Recorded>;
  return { created: all['network.create.end']!, deleted: all['network.delete.end']! };
}

/** A notification as oslo.messaging sends it: the v2 envelope, the context flattened to `_context_*`. */
export function onTheWire(n: Recorded, payload: Record<string, unknown> = n.payload): string {
  const message = {
    event_type: n.event_type,
    payload,
    publisher_id: n.publisher_id,
    priority: 'INFO',
    message_id: n.metadata.message_id,
    timestamp: n.metadata.timestamp,
    ...Object.fromEntries(Object.entries(n.ctxt).map(([k, v]) => [`_context_${k}`, v])),
  };
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) });
}
