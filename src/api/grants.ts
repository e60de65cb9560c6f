import { NrxError } from '../core/errors.js';
import { matchesFilter, parseFilter } from '../inventory/filter.js';
import type { ResolvedHost } from '../inventory/model.js';
import type { Principal } from '../auth/roles.js';

/** What grant checks need of the inventory (InventoryService satisfies it). */
export interface InventoryLookup {
  getHost(name: string): Promise<ResolvedHost | null>;
  listHosts(filter?: string): Promise<ResolvedHost[]>;
}

export function packAllowed(p: Principal | null, pack: string): boolean {
  return !p?.grants.packs || p.grants.packs.includes(pack);
}

export function assertPackAllowed(p: Principal | null, pack: string, what: string): void {
  if (!packAllowed(p, pack)) {
    throw new NrxError(
      'NRX_ERR_FORBIDDEN',
      `${p!.user} may use packs ${p!.grants.packs!.map((x) => `'${x}'`).join(', ') || '(none)'} only; ${what} is in pack '${pack}'`,
    );
  }
}

/**
 * The devices an action's parameters name: `device` (a name), `devices` (names) and `on`
 * (an inventory filter, the fan-out parameter; a bare name is a filter matching that host).
 */
export function namedDevices(params: Record<string, unknown>): { names: string[]; filters: string[] } {
  const names: string[] = [];
  const filters: string[] = [];
  const addNames = (v: unknown): void => {
    if (typeof v === 'string')
      names.push(
        ...v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') names.push(x);
  };
  addNames(params.device);
  addNames(params.devices);
  if (typeof params.on === 'string') filters.push(params.on);
  else addNames(params.on);
  return { names, filters };
}

/**
 * An operator granted `site=dc1` cannot act on a dc2 device: every device the parameters
 * name must exist in the inventory and match the grant's filter. A fan-out filter is
 * expanded, and every host it selects must match too.
 */
export async function assertDevicesAllowed(p: Principal | null, params: Record<string, unknown>, inventory: InventoryLookup): Promise<void> {
  const grant = p?.grants.inventory;
  if (!grant) return;
  const filter = parseFilter(grant);
  const { names, filters } = namedDevices(params);
  const outside: string[] = [];
  for (const name of names) {
    const host = await inventory.getHost(name);
    if (!host || !matchesFilter(filter, host)) outside.push(name);
  }
  for (const f of filters) {
    for (const host of await inventory.listHosts(f)) if (!matchesFilter(filter, host)) outside.push(host.name);
  }
  if (outside.length) {
    const shown = [...new Set(outside)].slice(0, 10);
    throw new NrxError(
      'NRX_ERR_FORBIDDEN',
      `${p!.user} may act only on devices matching '${grant}'; not allowed: ${shown.join(', ')}${outside.length > shown.length ? ', ...' : ''}`,
      {
        details: { devices: shown, grant },
      },
    );
  }
}
