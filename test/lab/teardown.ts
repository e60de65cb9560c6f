/**
 * Taking the lab down, also after a crashed or half-finished `up`: every step tolerates things
 * that are already gone. Processes are stopped by pidfile; everything else by its fixed name.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { removeFrrFiles } from './frr.js';
import { deleteNamespace } from './namespaces.js';
import { removeOverlay } from './overlay.js';
import { deleteLagSwitchUser } from './lag-switch.js';
import { dismantleOvs, removeOvsLinks } from './ovs.js';
import { commandLine, stopAllRecorded, stopPid } from './pids.js';
import { run } from './run.js';
import { deleteUser } from './ssh.js';
import { ALL_NAMESPACES, ROOT_LINKS, ROUTERS } from './topology.js';

export interface TeardownReport {
  stopped: string[];
  namespaces: string[];
  links: string[];
  users: string[];
  /** Processes still inside a lab namespace that the lab did not start (not touched). */
  foreign: string[];
}

async function pidsIn(netns: string): Promise<number[]> {
  if (!existsSync(`/run/netns/${netns}`)) return [];
  const r = await run('ip', ['netns', 'pids', netns], { allowFail: true });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

export async function teardown(dir: string | undefined): Promise<TeardownReport> {
  const report: TeardownReport = { stopped: [], namespaces: [], links: [], users: [], foreign: [] };
  if (dir && existsSync(dir)) {
    await dismantleOvs(dir).catch(() => undefined);
    report.stopped.push(...(await stopAllRecorded(path.join(dir, 'pids'))));
  }
  for (const ns of ALL_NAMESPACES) {
    for (const pid of await pidsIn(ns)) {
      const cmd = commandLine(pid) ?? '';
      // an FRR daemon started with `-N <our netns>` is ours even if its pidfile was lost
      if (cmd.includes(`-N ${ns}`) && (await stopPid(pid, `-N ${ns}`))) report.stopped.push(`${ns}:${pid}`);
      else if (cmd) report.foreign.push(`${ns}: ${pid} ${cmd}`);
    }
  }
  // the VXLAN scenario's VMs, leaf logins and sudoers files (overlay.ts), also after a crash
  report.links.push(...(await removeOverlay(dir)));
  for (const r of ROUTERS) if (await deleteUser(r.name)) report.users.push(r.name);
  if (await deleteLagSwitchUser()) report.users.push('lagsw');
  for (const ns of ALL_NAMESPACES) if (await deleteNamespace(ns)) report.namespaces.push(ns);
  report.links.push(...(await removeOvsLinks(ROOT_LINKS)));
  for (const r of ROUTERS) removeFrrFiles(r.name);
  return report;
}

/** Removes the lab dir itself (configs, logs) unless NETREFLEX_LAB_KEEP asks to keep it. */
export function removeLabDir(dir: string): boolean {
  if (process.env.NETREFLEX_LAB_KEEP) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
