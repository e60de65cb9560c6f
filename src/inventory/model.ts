/**
 * The inventory in Nornir's SimpleInventory shape: hosts, groups and defaults share the same
 * fields, and a host inherits what it does not set from its groups, then from the defaults.
 */

/** Fields a host, a group and the defaults may all carry. `null` means "not set here". */
export interface HostFields {
  hostname?: string | null;
  platform?: string | null;
  port?: number | null;
  username?: string | null;
  /** NAME of a credential in the secret store, never a password. */
  credential?: string | null;
  /** Per connection type (ssh, netconf, snmp...): hostname, port, username, platform, credential, extras. */
  connection_options?: Record<string, unknown>;
  data?: Record<string, unknown>;
  /** For a host: its groups, in order. For a group: its parent groups. */
  groups?: string[];
}

/** A host as written in hosts.yaml. */
export interface Host extends HostFields {
  name: string;
}

/** A group as written in groups.yaml; `groups` are its parent groups. */
export interface Group extends HostFields {
  name: string;
}

/** defaults.yaml: the last place a host looks. Has no groups. */
export type Defaults = HostFields;

/** A host with inheritance applied: what drivers, filters and workflows see. */
export interface ResolvedHost {
  name: string;
  /** Where to connect: the first hostname set, else the host's name. */
  hostname: string;
  platform: string | null;
  port: number | null;
  username: string | null;
  credential: string | null;
  connectionOptions: Record<string, unknown>;
  data: Record<string, unknown>;
  /** Direct groups first, then inherited ones, no duplicates. */
  groups: string[];
}

/** The whole inventory as plain data: what loader, service and export pass around. */
export interface InventoryData {
  hosts: Host[];
  groups: Group[];
  defaults: Defaults;
}

/** The scalar fields that inherit with "first one set wins". */
export const SCALAR_FIELDS = ['hostname', 'platform', 'port', 'username', 'credential'] as const;
export type ScalarField = (typeof SCALAR_FIELDS)[number];

/** Every field an entry may have; anything else is a typo worth reporting. */
export const ENTRY_FIELDS = [...SCALAR_FIELDS, 'connection_options', 'data', 'groups'] as const;

/** Field names that would put a secret in plain text; they belong in the secret store. */
export const SECRET_FIELDS = ['password', 'secret', 'private_key', 'passphrase'] as const;

/** Names are file keys, filter values and URL path segments: no whitespace, slashes or control characters. */
export const NAME_PATTERN = /^[^\s/\\\p{Cc}]{1,253}$/u;
