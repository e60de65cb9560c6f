import { NrxError } from '../core/errors.js';
import { formatPath, type YamlSource } from '../core/yaml.js';
import { ENTRY_FIELDS, NAME_PATTERN, SECRET_FIELDS, type Defaults, type Group, type Host, type HostFields } from './model.js';

/**
 * Validation of hosts, groups and defaults, from a YAML file or from an API body. Every error
 * names the file (when there is one), the line, the host or group, and the field, so an
 * operator can fix hosts.yaml without guessing.
 */

export type EntryKind = 'host' | 'group' | 'defaults';

/** Where an entry came from; API bodies have no file. */
export type EntrySource = Partial<Pick<YamlSource, 'file' | 'lineOf'>>;

const CONNECTION_FIELDS = ['hostname', 'port', 'username', 'platform', 'credential', 'extras'] as const;

type Path = ReadonlyArray<string | number>;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function inventoryError(src: EntrySource, path: Path, message: string, details: Record<string, unknown> = {}): NrxError {
  const line = src.lineOf?.(path);
  return new NrxError('NRX_ERR_INVENTORY_INVALID', message, {
    location: { ...(src.file ? { file: src.file } : {}), ...(line !== undefined ? { line } : {}), ...(path.length ? { field: formatPath(path) } : {}) },
    details: { ...details, reason: message },
  });
}

function who(kind: EntryKind, name: string | null): string {
  return kind === 'defaults' ? 'defaults' : `${kind} '${name}'`;
}

const SECRET_HINT = 'plain-text secrets are not allowed in the inventory: keep them in the secret store and name them with `credential: <name>`';

/** Find password/secret/private_key keys anywhere under `value` (but not in `data`, which is free-form). */
function findSecrets(value: unknown, path: Path, out: Path[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => findSecrets(v, [...path, i], out));
  else if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((SECRET_FIELDS as readonly string[]).includes(k.toLowerCase())) out.push([...path, k]);
      else findSecrets(v, [...path, k], out);
    }
  }
}

/**
 * Check one entry. `base` is the path of the entry in its file (`[name]` in hosts.yaml, `[]`
 * in defaults.yaml). Returns the entry with null fields dropped, plus every problem found.
 */
export function validateEntry(kind: EntryKind, name: string | null, value: unknown, src: EntrySource, base: Path): { entry: HostFields; errors: NrxError[] } {
  const errors: NrxError[] = [];
  const fail = (path: Path, msg: string) => errors.push(inventoryError(src, path, `${who(kind, name)}: ${msg}`, { kind, ...(name !== null ? { name } : {}) }));
  const entry: HostFields = {};
  if (kind !== 'defaults' && (name === null || !NAME_PATTERN.test(name))) {
    fail(base, `invalid ${kind} name ${JSON.stringify(name)}: use 1-253 characters without spaces, slashes or control characters`);
  }
  if (value === null || value === undefined) return { entry, errors };
  if (!isMapping(value)) {
    fail(base, `must be a mapping of fields (hostname, platform, groups, data...), got ${Array.isArray(value) ? 'a list' : typeof value}`);
    return { entry, errors };
  }
  for (const [field, v] of Object.entries(value)) {
    const at = [...base, field];
    if ((SECRET_FIELDS as readonly string[]).includes(field.toLowerCase())) {
      fail(at, SECRET_HINT);
      continue;
    }
    if (!(ENTRY_FIELDS as readonly string[]).includes(field)) {
      if (kind !== 'defaults' && field === 'name') continue; // API bodies repeat the name
      fail(at, `unknown field '${field}' (expected one of ${ENTRY_FIELDS.join(', ')})`);
      continue;
    }
    if (v === null || v === undefined) continue;
    switch (field) {
      case 'hostname':
      case 'platform':
      case 'username':
      case 'credential':
        if (typeof v !== 'string' || v.trim() === '') fail(at, `${field} must be a non-empty string`);
        else entry[field] = v;
        break;
      case 'port':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) fail(at, `port must be an integer from 1 to 65535, got ${JSON.stringify(v)}`);
        else entry.port = v;
        break;
      case 'data':
        if (!isMapping(v)) fail(at, 'data must be a mapping (site, role, tags, anything)');
        else entry.data = { ...v };
        break;
      case 'groups':
        checkGroups(kind, v, at, fail, (g) => (entry.groups = g));
        break;
      case 'connection_options':
        checkConnectionOptions(v, at, fail, (c) => (entry.connection_options = c));
        break;
    }
  }
  return { entry, errors };
}

function checkGroups(kind: EntryKind, v: unknown, at: Path, fail: (p: Path, m: string) => void, set: (g: string[]) => void): void {
  if (kind === 'defaults') return fail(at, 'defaults cannot have groups (a host names its groups; a group names its parent groups)');
  if (!Array.isArray(v)) return fail(at, 'groups must be a list of group names');
  const seen = new Set<string>();
  let ok = true;
  v.forEach((g, i) => {
    if (typeof g !== 'string' || !NAME_PATTERN.test(g))
      ((ok = false), fail([...at, i], `group name must be a string without spaces or slashes, got ${JSON.stringify(g)}`));
    else if (seen.has(g)) ((ok = false), fail([...at, i], `group '${g}' is listed twice`));
    else seen.add(g);
  });
  if (ok) set([...seen]);
}

function checkConnectionOptions(v: unknown, at: Path, fail: (p: Path, m: string) => void, set: (c: Record<string, unknown>) => void): void {
  if (!isMapping(v)) return fail(at, 'connection_options must be a mapping of connection type (ssh, netconf, snmp...) to options');
  const secrets: Path[] = [];
  findSecrets(v, at, secrets);
  for (const p of secrets) fail(p, SECRET_HINT);
  if (secrets.length) return;
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [type, opts] of Object.entries(v)) {
    const tAt = [...at, type];
    if (opts === null || opts === undefined) continue;
    if (!isMapping(opts)) {
      ok = false;
      fail(tAt, `connection options for '${type}' must be a mapping of ${CONNECTION_FIELDS.join(', ')}`);
      continue;
    }
    for (const [k, o] of Object.entries(opts)) {
      const kAt = [...tAt, k];
      if (!(CONNECTION_FIELDS as readonly string[]).includes(k))
        ((ok = false), fail(kAt, `unknown connection option '${k}' (expected one of ${CONNECTION_FIELDS.join(', ')})`));
      else if (k === 'port' && o !== null && (typeof o !== 'number' || !Number.isInteger(o) || o < 1 || o > 65535))
        ((ok = false), fail(kAt, 'port must be an integer from 1 to 65535'));
      else if (k === 'extras' && o !== null && !isMapping(o)) ((ok = false), fail(kAt, 'extras must be a mapping'));
      else if (k !== 'port' && k !== 'extras' && o !== null && typeof o !== 'string') ((ok = false), fail(kAt, `${k} must be a string`));
    }
    out[type] = { ...opts };
  }
  if (ok) set(out);
}

/** The entries of hosts.yaml or groups.yaml: a mapping of name to fields (an empty file is no entries). */
export function validateEntriesFile(kind: 'host' | 'group', src: YamlSource): { entries: Array<Host | Group>; errors: NrxError[] } {
  const doc = src.doc;
  if (doc === null || doc === undefined) return { entries: [], errors: [] };
  if (!isMapping(doc)) {
    return {
      entries: [],
      errors: [inventoryError(src, [], `the file must be a mapping of ${kind} name to ${kind} fields, got ${Array.isArray(doc) ? 'a list' : typeof doc}`)],
    };
  }
  const entries: Array<Host | Group> = [];
  const errors: NrxError[] = [];
  for (const [name, value] of Object.entries(doc)) {
    const r = validateEntry(kind, name, value, src, [name]);
    errors.push(...r.errors);
    if (r.errors.length === 0) entries.push({ name, ...r.entry });
  }
  return { entries, errors };
}

export function validateDefaultsFile(src: YamlSource): { defaults: Defaults; errors: NrxError[] } {
  const r = validateEntry('defaults', null, src.doc, src, []);
  return { defaults: r.entry, errors: r.errors };
}

/** For API and service writes: the valid entry, or the first problem (all problems in details). */
export function checkEntry(kind: EntryKind, name: string | null, value: unknown): HostFields {
  const r = validateEntry(kind, name, value, {}, kind === 'defaults' ? [] : [name ?? '']);
  if (r.errors.length) {
    const first = r.errors[0]!;
    if (r.errors.length === 1) throw first;
    throw new NrxError(first.code, `${String(first.details.reason)} (and ${r.errors.length - 1} more)`, {
      location: first.location,
      details: { ...first.details, errors: r.errors.map((e) => e.message) },
    });
  }
  return r.entry;
}
