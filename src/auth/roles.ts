/**
 * Roles and what they may do. A permission names a kind of work, not a route; the API's
 * route table (src/api/permissions.ts) maps each route to one of these.
 */

export const ROLES = ['admin', 'operator', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** read events, rules, actions, executions, inventory, key names (secrets masked), packs, metrics */
  | 'read'
  /** run actions and workflows; cancel, pause, resume, re-run executions */
  | 'execute'
  /** answer inquiries (human approval steps) */
  | 'respond'
  /** inject events */
  | 'emit'
  /** create, change, delete, enable, disable rules */
  | 'rules:write'
  /** change the inventory, import, re-sync */
  | 'inventory:write'
  /** set and delete datastore keys */
  | 'keys:write'
  /** see decrypted secret values */
  | 'secrets:read'
  /** install and remove packs */
  | 'packs:write'
  /** manage users and read the audit log */
  | 'admin';

const OBSERVER: Permission[] = ['read'];
const OPERATOR: Permission[] = [...OBSERVER, 'execute', 'respond', 'emit'];
const ADMIN: Permission[] = [...OPERATOR, 'rules:write', 'inventory:write', 'keys:write', 'secrets:read', 'packs:write', 'admin'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  observer: new Set(OBSERVER),
  operator: new Set(OPERATOR),
  admin: new Set(ADMIN),
};

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** A role may hand out only itself or less (an operator cannot mint an admin API key). */
export function roleRank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}

/**
 * Grants narrow a user or API key below its role: `packs` limits actions and rules to those
 * packs, `inventory` (a filter expression, e.g. `site=dc1`) limits the devices it may act on.
 * Absent means no narrowing.
 *
 * `shell` is the one grant that opens instead: the packs whose local-command actions
 * (core.local style) a non-admin may give a command line, environment or directory to.
 * Absent means none: choosing what runs on the appliance is an admin's by default.
 */
export interface Grants {
  packs?: string[];
  inventory?: string;
  shell?: string[];
}

/** Who is calling, after authentication. */
export interface Principal {
  user: string;
  role: Role;
  grants: Grants;
  /** How it proved who it is; `chat`: a chat user the chatops bot maps to this user (bot.users). */
  via: 'token' | 'api_key' | 'chat';
  /** The API key id, when authenticated by one. */
  keyId?: string;
}

/** Grants for something a principal creates: never wider than the principal's own. */
export function narrowGrants(owner: Grants, wanted: Grants): Grants {
  const out: Grants = {};
  if (owner.packs && wanted.packs) out.packs = wanted.packs.filter((p) => owner.packs!.includes(p));
  else if (owner.packs || wanted.packs) out.packs = [...(owner.packs ?? wanted.packs!)];
  if (owner.inventory && wanted.inventory) {
    // already narrowed by this owner (a stored key re-checked at login) stays as it is
    const within = wanted.inventory === owner.inventory || wanted.inventory.startsWith(`(${owner.inventory}) and (`);
    out.inventory = within ? wanted.inventory : `(${owner.inventory}) and (${wanted.inventory})`;
  } else if (owner.inventory || wanted.inventory) out.inventory = owner.inventory ?? wanted.inventory!;
  // shell opens: a key gets at most the owner's (absent on the owner means none)
  if (owner.shell) out.shell = wanted.shell ? wanted.shell.filter((p) => owner.shell!.includes(p)) : [...owner.shell];
  return out;
}
