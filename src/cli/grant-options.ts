import type { Command } from 'commander';
import type { Grants } from '../auth/roles.js';
import { isRole, ROLES, type Role } from '../auth/roles.js';
import { NrxError } from '../core/errors.js';

/** `--packs a,b --inventory EXPR --shell-packs a,b`: the grants a user or an API key is narrowed to. */
export interface GrantFlags {
  packs?: string;
  inventory?: string;
  shellPacks?: string;
}

export const grantOptions = (c: Command): Command =>
  c
    .option('--packs <list>', 'only the actions and rules of these packs (comma-separated)')
    .option('--inventory <filter>', "only the devices this inventory filter matches, e.g. 'site=dc1'")
    .option('--shell-packs <list>', 'packs whose local-command actions a non-admin may give a command line to (comma-separated)');

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function grantsFrom(o: GrantFlags): Grants | undefined {
  const g: Grants = {
    ...(o.packs !== undefined ? { packs: list(o.packs) } : {}),
    ...(o.inventory !== undefined ? { inventory: o.inventory } : {}),
    ...(o.shellPacks !== undefined ? { shell: list(o.shellPacks) } : {}),
  };
  return Object.keys(g).length ? g : undefined;
}

export function roleFrom(v: string, flag = '--role'): Role {
  if (!isRole(v)) throw new NrxError('NRX_ERR_USAGE', `${flag} '${v}': use one of ${ROLES.join(', ')}`);
  return v;
}

/** Grants as one readable cell: `packs=core,netbox inventory=site=dc1`, or '-'. */
export function grantsText(g: Grants | undefined): string {
  const parts = Object.entries(g ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return parts.join(' ') || '-';
}
