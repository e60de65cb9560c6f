import type { NrxError } from '../core/errors.js';
import { SCALAR_FIELDS, type Defaults, type Group, type Host, type HostFields, type InventoryData, type ResolvedHost } from './model.js';
import { inventoryError, type EntrySource } from './schema.js';

/**
 * Inheritance as Nornir does it: a host looks at itself, then at each of its groups in order
 * (each group followed by its own parent groups, depth first), then at the defaults.
 * Scalars: the first one set wins. `data`: per key, the first entry that has the key wins.
 * `connection_options`: per connection type, per option, the first one set wins.
 */

/** Where an entry lives, so a reference error can name file and line. */
export type Locate = (kind: 'host' | 'group', name: string) => { src: EntrySource; base: ReadonlyArray<string | number> };

const nowhere: Locate = (_kind, name) => ({ src: {}, base: [name] });

/** The groups a host (or group) inherits from, in lookup order, each once. */
export function groupChain(direct: readonly string[], groups: ReadonlyMap<string, Group>): Group[] {
  const out: Group[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return; // a diamond or a cycle adds nothing new: the first visit already won
    seen.add(name);
    const g = groups.get(name);
    if (!g) return;
    out.push(g);
    for (const parent of g.groups ?? []) visit(parent);
  };
  for (const name of direct) visit(name);
  return out;
}

export function resolveHost(host: Host, groups: ReadonlyMap<string, Group>, defaults: Defaults): ResolvedHost {
  const inherited = groupChain(host.groups ?? [], groups);
  const chain: HostFields[] = [host, ...inherited, defaults];
  const first = <K extends (typeof SCALAR_FIELDS)[number]>(field: K): NonNullable<HostFields[K]> | null => {
    for (const e of chain) {
      const v = e[field];
      if (v !== null && v !== undefined) return v as NonNullable<HostFields[K]>;
    }
    return null;
  };
  const data: Record<string, unknown> = {};
  for (const e of chain) for (const [k, v] of Object.entries(e.data ?? {})) if (!(k in data)) data[k] = v;
  const connectionOptions: Record<string, Record<string, unknown>> = {};
  for (const e of chain) {
    for (const [type, opts] of Object.entries(e.connection_options ?? {})) {
      if (typeof opts !== 'object' || opts === null) continue;
      const into = (connectionOptions[type] ??= {});
      for (const [k, v] of Object.entries(opts)) if (v !== null && v !== undefined && !(k in into)) into[k] = v;
    }
  }
  const direct = host.groups ?? [];
  const groupNames = [...direct.filter((g) => groups.has(g)), ...inherited.map((g) => g.name).filter((g) => !direct.includes(g))];
  return {
    name: host.name,
    hostname: first('hostname') ?? host.name,
    platform: first('platform'),
    port: first('port'),
    username: first('username'),
    credential: first('credential'),
    connectionOptions,
    data,
    groups: groupNames,
  };
}

/**
 * Unknown groups and group cycles, for a whole inventory. Resolution itself tolerates both
 * (it skips what it cannot find), so these are reported before anything is stored.
 */
export function checkReferences(inv: InventoryData, locate: Locate = nowhere): NrxError[] {
  const errors: NrxError[] = [];
  const byName = new Map(inv.groups.map((g) => [g.name, g]));
  const unknown = (kind: 'host' | 'group', e: Host | Group): void => {
    (e.groups ?? []).forEach((g, i) => {
      if (byName.has(g)) return;
      const { src, base } = locate(kind, e.name);
      const what = kind === 'host' ? 'unknown group' : 'unknown parent group';
      errors.push(inventoryError(src, [...base, 'groups', i], `${kind} '${e.name}': ${what} '${g}' (not defined in groups)`, { kind, name: e.name }));
    });
  };
  for (const g of inv.groups) unknown('group', g);
  for (const h of inv.hosts) unknown('host', h);
  for (const cycle of findCycles(byName)) {
    const { src, base } = locate('group', cycle[0]!);
    const i = (byName.get(cycle[0]!)!.groups ?? []).indexOf(cycle[1]!);
    errors.push(
      inventoryError(src, [...base, 'groups', i], `group '${cycle[0]}': group cycle ${cycle.join(' -> ')}`, { kind: 'group', name: cycle[0], cycle }),
    );
  }
  return errors;
}

/** Each cycle once, as a path that starts and ends at the same group. */
export function findCycles(groups: ReadonlyMap<string, Group>): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const parent of groups.get(name)?.groups ?? []) {
      if (!groups.has(parent)) continue;
      const s = state.get(parent);
      if (s === 'active') cycles.push([...stack.slice(stack.indexOf(parent)), parent]);
      else if (s === undefined) visit(parent);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of groups.keys()) if (!state.has(name)) visit(name);
  return cycles;
}
