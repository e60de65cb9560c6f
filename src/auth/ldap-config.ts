import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { NrxError } from '../core/errors.js';
import { isRole, ROLES, type Grants, type Role } from './roles.js';

/** One line of the group map: members of `group` get `role` and `grants`. */
export interface GroupMapping {
  /** A group DN (`cn=noc,ou=groups,dc=example,dc=net`) or a bare group name (`noc`, its cn). */
  group: string;
  role: Role;
  grants: Grants;
}

/** ldap.yaml, checked: see docs/users-and-ldap.md for each key. */
export interface LdapConfig {
  file: string;
  url: string;
  startTls: boolean;
  /** PEM CA certificate(s) that sign the directory's certificate, read from caFile; absent: the system's CAs. */
  ca: string | null;
  /** The DN a login binds as; `{user}` is the login name (DN-escaped). */
  userDn: string;
  groupBase: string;
  /** `{dn}` is the user's DN, `{user}` the login name (both filter-escaped). */
  groupFilter: string;
  timeoutMs: number;
  /** First match wins. */
  groups: GroupMapping[];
}

export const LDAP_CONFIG_FILE = 'ldap.yaml';
const DEFAULT_GROUP_FILTER = '(|(member={dn})(uniqueMember={dn})(memberUid={user}))';
const KEYS = ['url', 'startTls', 'caFile', 'userDn', 'groupBase', 'groupFilter', 'timeoutMs', 'groups'];

/**
 * The directory-login configuration: NETREFLEX_LDAP_CONFIG (a file that must exist), else
 * <dataDir>/ldap.yaml when present, else null (local users only). A mistake stops the start
 * with NRX_ERR_CONFIG naming the file and key, rather than logins failing later.
 */
export function loadLdapConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): LdapConfig | null {
  const fromEnv = env.NETREFLEX_LDAP_CONFIG;
  const file = fromEnv ? path.resolve(fromEnv) : path.join(dataDir, LDAP_CONFIG_FILE);
  if (!existsSync(file)) {
    if (fromEnv) throw new NrxError('NRX_ERR_CONFIG', `NETREFLEX_LDAP_CONFIG names ${file}, which does not exist`);
    return null;
  }
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (e) {
    const line = (e as { mark?: { line?: number } }).mark?.line;
    throw new NrxError('NRX_ERR_YAML_SYNTAX', (e as Error).message.split('\n')[0] ?? 'not YAML', {
      location: { file, ...(line !== undefined ? { line: line + 1 } : {}) },
    });
  }
  return parseLdapConfig(doc, file);
}

export function parseLdapConfig(doc: unknown, file: string): LdapConfig {
  const bad = (field: string, message: string): NrxError => new NrxError('NRX_ERR_CONFIG', message, { location: { file, field } });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad('(top)', 'the LDAP configuration must be a mapping of keys');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.includes(k)) throw bad(k, `unknown key '${k}'; the keys are ${KEYS.join(', ')}`);
  const str = (k: string, required: boolean): string | undefined => {
    const v = d[k];
    if (v === undefined || v === null) {
      if (required) throw bad(k, `'${k}' is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') throw bad(k, `'${k}' must be a non-empty string`);
    return v.trim();
  };

  const url = str('url', true)!;
  const startTls = d.startTls ?? false;
  if (typeof startTls !== 'boolean') throw bad('startTls', "'startTls' must be true or false");
  if (/^ldaps:\/\//i.test(url)) {
    if (startTls) throw bad('startTls', 'startTls is for ldap:// URLs; an ldaps:// connection is TLS from the start');
  } else if (/^ldap:\/\//i.test(url)) {
    // a password in clear on the wire is never the default, and there is no switch for it
    if (!startTls) throw bad('url', `${url} would send passwords in clear: use ldaps://, or set startTls: true`);
  } else throw bad('url', `'url' must start with ldaps:// or ldap:// (with startTls: true), got ${JSON.stringify(url)}`);

  const caFile = str('caFile', false);
  let ca: string | null = null;
  if (caFile) {
    const p = path.resolve(path.dirname(file), caFile);
    try {
      ca = readFileSync(p, 'utf8');
    } catch (e) {
      throw bad('caFile', `cannot read ${p}: ${(e as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw bad('caFile', `${p} holds no PEM certificate`);
  }

  const userDn = str('userDn', true)!;
  if (!userDn.includes('{user}')) throw bad('userDn', "'userDn' must contain {user}, e.g. uid={user},ou=people,dc=example,dc=net");
  const groupBase = str('groupBase', true)!;
  const groupFilter = str('groupFilter', false) ?? DEFAULT_GROUP_FILTER;
  if (!/^\(.*\)$/.test(groupFilter)) throw bad('groupFilter', "'groupFilter' must be an LDAP filter in parentheses");

  const timeoutMs = d.timeoutMs ?? 5000;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
    throw bad('timeoutMs', "'timeoutMs' must be a whole number of milliseconds from 100 to 60000");

  if (!Array.isArray(d.groups) || d.groups.length === 0)
    throw bad('groups', "'groups' must list at least one mapping: - {group: <DN or name>, role: admin|operator|observer}");
  const groups = d.groups.map((g, i) => groupMapping(g, `groups[${i}]`, bad));
  return { file, url, startTls, ca, userDn, groupBase, groupFilter, timeoutMs, groups };
}

function groupMapping(g: unknown, field: string, bad: (field: string, message: string) => NrxError): GroupMapping {
  if (!g || typeof g !== 'object' || Array.isArray(g)) throw bad(field, 'a mapping is {group: ..., role: ..., grants: {...}}');
  const m = g as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!['group', 'role', 'grants'].includes(k)) throw bad(`${field}.${k}`, `unknown key '${k}'; use group, role, grants`);
  if (typeof m.group !== 'string' || !m.group.trim()) throw bad(`${field}.group`, 'group must be a group DN or name');
  if (!isRole(m.role)) throw bad(`${field}.role`, `role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(m.role)}`);
  return { group: m.group.trim(), role: m.role, grants: grantsOf(m.grants, `${field}.grants`, bad) };
}

function grantsOf(v: unknown, field: string, bad: (field: string, message: string) => NrxError): Grants {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'grants must be a mapping: packs, inventory, shell');
  const out: Grants = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'inventory') {
      if (typeof x !== 'string' || !x.trim()) throw bad(`${field}.inventory`, 'inventory must be a filter expression, e.g. site=dc1');
      out.inventory = x.trim();
    } else if (k === 'packs' || k === 'shell') {
      if (!Array.isArray(x) || !x.every((p) => typeof p === 'string' && p.trim())) throw bad(`${field}.${k}`, `${k} must be a list of pack names`);
      out[k] = x.map((p: string) => p.trim());
    } else throw bad(`${field}.${k}`, `unknown grant '${k}'; use packs, inventory, shell`);
  }
  return out;
}
