/**
 * The lab's tenant side for the VXLAN job (issue 13 §4): on each leaf a host-facing bridge with a
 * "VM" namespace behind it, and the leaf's Linux side reachable the way a Cumulus or SONiC switch's
 * is - an SSH login to a shell in the switch (here: in the leaf's namespace, through a management
 * port), `sudo` for `ip link`/`bridge fdb`, `vtysh` for FRR. The overlay itself (vxlan devices, flood lists)
 * is NOT made here: that is the job's, through the device drivers.
 *
 *   vm1 10.100.0.1/24 eth0 ── swp1 [br-hosts] leaf1 (vtep 10.255.0.11) ─ spine1 ─ leaf2 (vtep 10.255.0.12) [br-hosts] swp1 ── eth0 vm2 10.100.0.2/24
 *   root nrxlab-leafN-m  ── eth-mgmt 198.18.x.y/30 in the leaf: sshd :22, user nrxlab-leafN-linux
 *
 * Names are fixed (`nrxlab-vm1`, `nrxlab-leaf1-linux`...) like the rest of the lab, so `down`
 * (teardown.ts -> removeOverlay) finds them after a crash too. Needs the lab up (its leaf namespaces).
 */
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freeSubnet, plus } from './linux-host.js';
import { startSshd } from './sshd.js';
import { addNamespace, cable, deleteLink, deleteNamespace } from './namespaces.js';
import { ensurePackages } from './packages.js';
import { pidfilePath, readPid, stopPid } from './pids.js';
import { run, waitFor } from './run.js';
import { netnsOf, PREFIX, ROUTERS } from './topology.js';

export const OVERLAY_PACKAGES = ['sudo', 'openssh-server', 'iproute2', 'iputils-ping', 'bash'];
/** The host-facing bridge on each leaf (one tenant segment at a time in the lab). */
export const HOST_BRIDGE = 'br-hosts';
export const HOST_PORT = 'swp1';
export const TENANT_SUBNET = '10.100.0.0/24';

export const OVERLAY_LEAVES = [
  { leaf: 'leaf1', vm: 'vm1', vmAddress: '10.100.0.1' },
  { leaf: 'leaf2', vm: 'vm2', vmAddress: '10.100.0.2' },
] as const;

export const vmNetns = (vm: string): string => `${PREFIX}-${vm}`;
export const linuxUserOf = (leaf: string): string => `${PREFIX}-${leaf}-linux`;
const mgmtRootIf = (leaf: string): string => `${PREFIX}-${leaf}-m`;
const sudoersFile = (leaf: string): string => `/etc/sudoers.d/${PREFIX}-${leaf}-linux`;

/** How to log in to a leaf's Linux side (what goes into an inventory and the secret store). */
export interface LeafLinux {
  leaf: string;
  /** Inventory name used by the scenario: `<leaf>-linux`. */
  name: string;
  host: string;
  port: 22;
  username: string;
  password: string;
  privateKeyPath: string;
  hostPublicKey: string;
  /** The leaf's loopback: the VTEP address. */
  vtep: string;
  bridge: string;
  netns: string;
}

export interface Overlay {
  leaves: LeafLinux[];
  vms: Array<{ name: string; netns: string; address: string }>;
  /** One ping from a VM to an address; true when it was answered. */
  ping(fromVm: string, to: string, timeoutS?: number): Promise<boolean>;
  /** vxlan devices on a leaf right now (`ip -d -j link show type vxlan`), straight from the kernel. */
  vxlanDevices(leaf: string): Promise<Array<{ ifname: string; vni: number; master?: string }>>;
  stop(): Promise<void>;
}

/** The login shell: bash with a switch-like prompt; PATH puts a `vtysh` that talks to this leaf's FRR first. */
function loginShell(leaf: string, binDir: string, rcFile: string): string {
  return [
    '#!/bin/sh',
    `PATH=${binDir}:/usr/sbin:/usr/bin:/sbin:/bin; export PATH`,
    'if [ "$1" = "-c" ] && [ -n "$2" ]; then exec /bin/bash --noprofile --norc -c "$2"; fi',
    `exec /bin/bash --noprofile --rcfile ${rcFile} -i`,
    '',
  ].join('\n');
}

/** Starts the overlay's hosts and the leaves' Linux logins; on failure removes what it made. */
export async function startOverlay(labDir: string, clientKey: { privateKeyPath: string; publicKey: string }): Promise<Overlay> {
  await ensurePackages(OVERLAY_PACKAGES);
  await removeOverlay(labDir);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const leaves: LeafLinux[] = [];
  try {
    await routeUnderlay();
    for (const o of OVERLAY_LEAVES) {
      const ns = netnsOf(o.leaf);
      const plan = ROUTERS.find((r) => r.name === o.leaf)!;
      await run('ip', ['-n', ns, 'link', 'add', HOST_BRIDGE, 'type', 'bridge']);
      await run('ip', ['-n', ns, 'link', 'set', HOST_BRIDGE, 'up']);
      await addNamespace(vmNetns(o.vm));
      await cable({ netns: ns, ifname: HOST_PORT }, { netns: vmNetns(o.vm), ifname: 'eth0', address: `${o.vmAddress}/24` });
      await run('ip', ['-n', ns, 'link', 'set', HOST_PORT, 'master', HOST_BRIDGE]);
      leaves.push(await startLeafLogin(labDir, o.leaf, plan.loopback, clientKey));
    }
  } catch (e) {
    await removeOverlay(labDir);
    throw e;
  }
  return {
    leaves,
    vms: OVERLAY_LEAVES.map((o) => ({ name: o.vm, netns: vmNetns(o.vm), address: o.vmAddress })),
    ping: async (fromVm, to, timeoutS = 1) =>
      (await run('ip', ['netns', 'exec', vmNetns(fromVm), 'ping', '-c', '1', '-W', String(timeoutS), to], { allowFail: true })).code === 0,
    vxlanDevices: async (leaf) => {
      const out = (await run('ip', ['-n', netnsOf(leaf), '-d', '-j', 'link', 'show', 'type', 'vxlan'])).stdout;
      const links = (out.trim() ? JSON.parse(out) : []) as Array<{ ifname: string; master?: string; linkinfo?: { info_data?: { id?: number } } }>;
      return links.map((l) => ({ ifname: l.ifname, vni: l.linkinfo?.info_data?.id ?? -1, ...(l.master ? { master: l.master } : {}) }));
    },
    stop: async () => void (await removeOverlay(labDir)),
  };
}

/**
 * The underlay between the VTEPs: FRR learns the loopbacks over BGP but does not turn kernel
 * forwarding on, and a fresh namespace has it off, so spine1 would drop leaf-to-leaf packets.
 * Waits until leaf1 reaches leaf2's loopback from its own.
 */
async function routeUnderlay(): Promise<void> {
  for (const r of ROUTERS) await run('ip', ['netns', 'exec', netnsOf(r.name), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  const [a, b] = OVERLAY_LEAVES.map((o) => ROUTERS.find((r) => r.name === o.leaf)!.loopback);
  const ping = ['netns', 'exec', netnsOf(OVERLAY_LEAVES[0].leaf), 'ping', '-c', '1', '-W', '1', '-I', a!, b!];
  await waitFor(`leaf loopback ${a} reaching ${b} through spine1`, async () => (await run('ip', ping, { allowFail: true })).code === 0, 20_000, 100);
}

async function startLeafLogin(labDir: string, leaf: string, vtep: string, clientKey: { privateKeyPath: string; publicKey: string }): Promise<LeafLinux> {
  const ns = netnsOf(leaf);
  const base = path.join(labDir, 'linux', leaf);
  const binDir = path.join(base, 'bin');
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  for (const d of [path.join(labDir, 'linux'), base]) chmodSync(d, 0o755);

  // management port: a /30 from the root namespace into the leaf, as a switch's eth0
  const subnet = await freeSubnet();
  const address = plus(subnet, 2);
  await cable({ ifname: mgmtRootIf(leaf), address: `${plus(subnet, 1)}/30` }, { netns: ns, ifname: 'eth-mgmt', address: `${address}/30` });

  const username = linuxUserOf(leaf);
  const password = `lx-${randomBytes(6).toString('hex')}`;
  const rc = path.join(base, 'bashrc');
  writeFileSync(rc, [`PS1='${leaf}$ '`, "bind 'set enable-bracketed-paste off' 2>/dev/null", 'unset PROMPT_COMMAND', ''].join('\n'), { mode: 0o644 });
  writeFileSync(path.join(binDir, 'vtysh'), `#!/bin/sh\nexec /usr/bin/vtysh -N ${ns} "$@"\n`, { mode: 0o755 });
  const shell = path.join(base, 'login-shell');
  writeFileSync(shell, loginShell(leaf, binDir, rc), { mode: 0o755 });
  await run('userdel', ['-r', '-f', username], { allowFail: true });
  // groups frr/frrvty: vtysh reaches the leaf's FRR without sudo, as on Cumulus
  await run('useradd', ['-m', '-g', 'frr', '-G', 'frrvty', '-s', shell, '-c', `netreflex lab ${leaf} linux`, username]);
  await run('chpasswd', [], { input: `${username}:${password}\n` });
  const uid = Number((await run('id', ['-u', username])).stdout.trim());
  const sshDir = `/home/${username}/.ssh`;
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  writeFileSync(`${sshDir}/authorized_keys`, `${clientKey.publicKey}\n`, { mode: 0o600 });
  for (const p of [sshDir, `${sshDir}/authorized_keys`]) chownSync(p, uid, -1);
  // only what the switch's VXLAN config needs, as root, without a password: links and fdb entries
  // (`ip netns exec`, `ip -batch` and the rest stay refused)
  const sudoers = `${username} ALL=(root) NOPASSWD: /usr/sbin/ip link *, /usr/sbin/bridge fdb *\n`;
  const tmp = `${sudoersFile(leaf)}.tmp`;
  writeFileSync(tmp, sudoers, { mode: 0o440 });
  await run('visudo', ['-c', '-q', '-f', tmp]);
  await run('mv', [tmp, sudoersFile(leaf)]);

  // started inside the leaf's namespace: the login's shell, and the commands it runs, are the switch's
  const { hostPublicKey } = await startSshd({
    dir: base,
    name: `${leaf}-linux`,
    pidDir: path.join(labDir, 'pids'),
    address,
    port: 22,
    user: username,
    netns: ns,
  });
  return {
    leaf,
    name: `${leaf}-linux`,
    host: address,
    port: 22,
    username,
    password,
    privateKeyPath: clientKey.privateKeyPath,
    hostPublicKey,
    vtep,
    bridge: HOST_BRIDGE,
    netns: ns,
  };
}

/**
 * Removes everything the overlay made, by fixed names, whatever state a crashed run left: the
 * sshd (pidfile), the VM namespaces, the logins and their sudoers files, the management ports,
 * and in the leaves the host bridge, its port and any vxlan device (the job's leftovers).
 */
export async function removeOverlay(labDir: string | undefined): Promise<string[]> {
  const removed: string[] = [];
  for (const o of OVERLAY_LEAVES) {
    if (labDir) {
      const pid = readPid(pidfilePath(path.join(labDir, 'pids'), `${o.leaf}-linux`, 'sshd'));
      if (pid !== undefined && (await stopPid(pid, 'sshd'))) removed.push(`${o.leaf}-linux sshd`);
      rmSync(pidfilePath(path.join(labDir, 'pids'), `${o.leaf}-linux`, 'sshd'), { force: true });
    }
    if (await deleteNamespace(vmNetns(o.vm))) removed.push(vmNetns(o.vm));
    if ((await run('id', ['-u', linuxUserOf(o.leaf)], { allowFail: true })).code === 0) {
      await run('userdel', ['-r', '-f', linuxUserOf(o.leaf)], { allowFail: true });
      removed.push(linuxUserOf(o.leaf));
    }
    for (const f of [sudoersFile(o.leaf), `${sudoersFile(o.leaf)}.tmp`]) if (existsSync(f)) rmSync(f, { force: true });
    if (await deleteLink(mgmtRootIf(o.leaf))) removed.push(mgmtRootIf(o.leaf));
    const ns = netnsOf(o.leaf);
    if (existsSync(`/run/netns/${ns}`)) {
      const out = (await run('ip', ['-n', ns, '-j', 'link', 'show', 'type', 'vxlan'], { allowFail: true })).stdout.trim();
      const vx = out ? (JSON.parse(out) as Array<{ ifname: string }>).map((l) => l.ifname) : [];
      for (const ifname of [...vx, HOST_BRIDGE, HOST_PORT])
        if ((await run('ip', ['-n', ns, 'link', 'del', ifname], { allowFail: true })).code === 0) removed.push(`${o.leaf}:${ifname}`);
    }
  }
  return removed;
}
