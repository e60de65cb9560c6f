import { existsSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../core/errors.js';
import { type YamlSource } from '../core/yaml.js';
import { loadYamlFile } from '../core/yaml-file.js';
import type { Defaults, Group, Host, InventoryData } from './model.js';
import { checkReferences } from './resolve.js';
import { validateDefaultsFile, validateEntriesFile } from './schema.js';

/**
 * Nornir's SimpleInventory: hosts.yaml, groups.yaml and defaults.yaml in one directory.
 * hosts.yaml is required; a missing groups or defaults file means none. `.yml` works too.
 */

export interface LoadedInventory extends InventoryData {
  /** Every problem found, each naming file, line, host or group, and field. */
  errors: NrxError[];
  /** The files read, for messages. */
  files: { hosts: string; groups: string | null; defaults: string | null };
}

function findFile(dir: string, base: string): string | null {
  for (const ext of ['.yaml', '.yml']) {
    const f = path.join(dir, base + ext);
    if (existsSync(f)) return f;
  }
  return null;
}

function readSource(file: string, errors: NrxError[]): YamlSource | null {
  try {
    return loadYamlFile(file);
  } catch (e) {
    if (e instanceof NrxError) {
      errors.push(e);
      return null;
    }
    throw e;
  }
}

export function loadInventoryDir(dir: string): LoadedInventory {
  const errors: NrxError[] = [];
  const hostsFile = findFile(dir, 'hosts');
  const groupsFile = findFile(dir, 'groups');
  const defaultsFile = findFile(dir, 'defaults');
  const files = { hosts: hostsFile ?? path.join(dir, 'hosts.yaml'), groups: groupsFile, defaults: defaultsFile };
  if (!hostsFile) {
    errors.push(new NrxError('NRX_ERR_INVENTORY_INVALID', `no hosts.yaml in inventory directory ${dir}`, { location: { file: files.hosts } }));
    return { hosts: [], groups: [], defaults: {}, errors, files };
  }

  const hostsSrc = readSource(hostsFile, errors);
  const groupsSrc = groupsFile ? readSource(groupsFile, errors) : null;
  const defaultsSrc = defaultsFile ? readSource(defaultsFile, errors) : null;

  let hosts: Host[] = [];
  if (hostsSrc) {
    const r = validateEntriesFile('host', hostsSrc);
    hosts = r.entries as Host[];
    errors.push(...r.errors);
  }
  let groups: Group[] = [];
  let groupsComplete = !groupsFile || groupsSrc !== null;
  if (groupsSrc) {
    const r = validateEntriesFile('group', groupsSrc);
    groups = r.entries as Group[];
    errors.push(...r.errors);
    groupsComplete = r.errors.length === 0;
  }
  let defaults: Defaults = {};
  if (defaultsSrc) {
    const r = validateDefaultsFile(defaultsSrc);
    defaults = r.defaults;
    errors.push(...r.errors);
  }

  // Reference checks need every group: a host naming a group that was itself invalid would
  // otherwise be reported a second time, as "unknown group".
  if (groupsComplete) {
    errors.push(
      ...checkReferences({ hosts, groups, defaults }, (kind, name) => ({
        src: (kind === 'host' ? hostsSrc : groupsSrc) ?? {},
        base: [name],
      })),
    );
  }
  return { hosts, groups, defaults, errors, files };
}
