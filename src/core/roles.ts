import { NrxError } from './errors.js';

/**
 * What a `netreflex serve` process does (`--role`, NETREFLEX_ROLE): sensor (listen to the
 * network), rules (decide), worker (run executions), api (REST, web UI, chat bot). `all` is all
 * four, the embedded default. Today rules and worker run together, and the API runs with them
 * (it starts executions in-process); a node of sensors alone needs an event bus.
 */
export type Role = 'sensor' | 'rules' | 'worker' | 'api';
export const ALL_ROLES: readonly Role[] = ['sensor', 'rules', 'worker', 'api'];

export function parseRoles(text: string | undefined, opts: { bus: boolean }): ReadonlySet<Role> {
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
  if (roles.has('rules') !== roles.has('worker'))
    throw new NrxError('NRX_ERR_VALIDATION', `--role ${text}: rules and worker run together in this version (give both, e.g. --role rules,worker,api)`);
  if (roles.has('api') && !roles.has('rules'))
    throw new NrxError('NRX_ERR_VALIDATION', `--role ${text}: the API runs with rules and worker in this version (--role rules,worker,api)`);
  if (!roles.has('rules') && !opts.bus)
    throw new NrxError('NRX_ERR_VALIDATION', `--role ${text}: a node without the rules role hands its events on over an event bus: add --bus nats://host:4222`);
  return roles;
}
