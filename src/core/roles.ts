import { NrxError } from './errors.js';

/**
 * What a `netreflex serve` process does (`--role`, NETREFLEX_ROLE): sensor (listen to the
 * network), rules (decide), worker (run executions), api (REST, web UI, chat bot). `all` is all
 * four, the embedded default. Any combination may be given; a node that requests executions
 * without running them (rules or api without worker) hands them to the workers through the
 * shared store, and a node without the rules role hands its events on over the event bus.
 */
export type Role = 'sensor' | 'rules' | 'worker' | 'api';
export const ALL_ROLES: readonly Role[] = ['sensor', 'rules', 'worker', 'api'];

export function parseRoles(text: string | undefined, opts: { bus: boolean; sharedStore?: boolean }): ReadonlySet<Role> {
  const words = (text ?? 'all')
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const roles = new Set<Role>();
  for (const w of words.length ? words : ['all']) {
    if (w === 'all') ALL_ROLES.forEach((r) => roles.add(r));
    else if ((ALL_ROLES as readonly string[]).includes(w)) roles.add(w as Role);
    else throw new NrxError('NRX_ERR_VALIDATION', `--role ${text}: unknown role '${w}' (roles: ${ALL_ROLES.join(', ')}, or all)`);
  }
  if (roles.has('sensor') && !roles.has('rules') && !opts.bus)
    throw new NrxError(
      'NRX_ERR_VALIDATION',
      `--role ${text}: a sensor node without the rules role hands its events on over an event bus: add --bus nats://host:4222`,
    );
  const requests = roles.has('rules') || roles.has('api');
  if (requests && !roles.has('worker') && !opts.sharedStore)
    throw new NrxError(
      'NRX_ERR_VALIDATION',
      `--role ${text}: a node that requests executions without the worker role hands them to worker nodes through a shared store: add --store postgres://user@host/db`,
    );
  if (roles.has('worker') && !requests && !opts.sharedStore)
    throw new NrxError('NRX_ERR_VALIDATION', `--role ${text}: a worker node takes its executions from a shared store: add --store postgres://user@host/db`);
  return roles;
}
