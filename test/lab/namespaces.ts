/** Network namespaces and veth pairs: the lab's cabling. */
import { existsSync } from 'node:fs';
import { run } from './run.js';

export async function addNamespace(netns: string): Promise<void> {
  if (!existsSync(`/run/netns/${netns}`)) await run('ip', ['netns', 'add', netns]);
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
}

/** Deleting a namespace also deletes the veth ends inside it, and with them their peers. */
export async function deleteNamespace(netns: string): Promise<boolean> {
  if (!existsSync(`/run/netns/${netns}`)) return false;
  await run('ip', ['netns', 'del', netns], { allowFail: true });
  return true;
}

export interface VethEnd {
  /** undefined = the root namespace. */
  netns?: string;
  ifname: string;
  /** "10.0.1.1/30", set after the link exists. */
  address?: string;
}

/** One veth pair, each end created directly in its namespace, both up. */
export async function cable(a: VethEnd, b: VethEnd): Promise<void> {
  const side = (e: VethEnd): string[] => (e.netns ? [e.ifname, 'netns', e.netns] : [e.ifname]);
  await run('ip', ['link', 'add', ...side(a), 'type', 'veth', 'peer', 'name', ...side(b)]);
  for (const e of [a, b]) {
    const ns = e.netns ? ['-n', e.netns] : [];
    if (e.address) await run('ip', [...ns, 'addr', 'add', e.address, 'dev', e.ifname]);
    await run('ip', [...ns, 'link', 'set', e.ifname, 'up']);
  }
}

export async function setLink(netns: string | undefined, ifname: string, state: 'up' | 'down'): Promise<void> {
  await run('ip', [...(netns ? ['-n', netns] : []), 'link', 'set', ifname, state]);
}

export async function linkExists(ifname: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', ifname], { allowFail: true })).code === 0;
}

/** Removes a root-namespace link if it is there; its veth peer goes with it. */
export async function deleteLink(ifname: string): Promise<boolean> {
  if (!(await linkExists(ifname))) return false;
  await run('ip', ['link', 'del', ifname], { allowFail: true });
  return true;
}
