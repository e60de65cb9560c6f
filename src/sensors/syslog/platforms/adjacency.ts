import { recognised, type Recognised } from './common.js';

/**
 * OSPF and IS-IS adjacency changes, whatever the vendor's wording: one rule for which trigger
 * type a step is, so every platform answers the same. `fields` is the caller's own fresh object:
 * the states are written into it (spreading it into a new one cost microseconds per line).
 */

/** `2WAY`, `2Way`, `2-Way`, `ExStart`, `FULL` -> `2way`, `exstart`, `full`. */
export function ospfState(s: string | undefined | null): string | null {
  if (!s) return null;
  const k = s.toLowerCase();
  return k.indexOf('-') >= 0 || k.indexOf(' ') >= 0 || k.indexOf('_') >= 0 ? k.replace(/[\s_-]/g, '') : k;
}

/**
 * Reaching Full is up; leaving Full, or going Down (or Deleted, FRR), is down; any other step
 * (Init, 2Way, ExStart, Exchange, Loading: where a stuck neighbour shows an MTU or area
 * mismatch) is `network.ospf_neighbor_state_changed`. `from` is null when the line does not say.
 */
export function ospfNeighbor(from: string | null | undefined, to: string, fields: Record<string, unknown>): Recognised {
  const state = ospfState(to)!;
  const previous = ospfState(from);
  fields.previous_state = previous;
  fields.state = state;
  if (state === 'full') return recognised('network.ospf_neighbor_up', fields);
  if (previous === 'full' || state === 'down' || state === 'deleted') return recognised('network.ospf_neighbor_down', fields);
  return recognised('network.ospf_neighbor_state_changed', fields);
}

/** `Initializing`, `INIT`, `Init` -> `init`; `Up`/`UP` -> `up`; `Down` -> `down`. */
export function isisState(s: string | undefined | null): string | null {
  if (!s) return null;
  const k = s.toLowerCase();
  return k === 'initializing' ? 'init' : k;
}

/** Up is up; Down (or leaving Up) is down; Init and anything else is `network.isis_neighbor_state_changed`. */
export function isisNeighbor(from: string | null | undefined, to: string, fields: Record<string, unknown>): Recognised {
  const state = isisState(to)!;
  const previous = isisState(from);
  fields.previous_state = previous;
  fields.state = state;
  if (state === 'up') return recognised('network.isis_neighbor_up', fields);
  if (state === 'down' || previous === 'up') return recognised('network.isis_neighbor_down', fields);
  return recognised('network.isis_neighbor_state_changed', fields);
}
