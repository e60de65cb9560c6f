import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { NrxError } from '../core/errors.js';
import type { Group, Host, HostFields, InventoryData } from './model.js';

/**
 * The inventory back to SimpleInventory YAML (the GitOps round trip: edits made through the
 * API or CLI can be committed to the repository). Field order follows Nornir's docs.
 */

const FIELD_ORDER: Array<keyof HostFields> = ['hostname', 'platform', 'port', 'username', 'credential', 'groups', 'connection_options', 'data'];

function fields(e: HostFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELD_ORDER) {
    const v = e[f];
    if (v !== null && v !== undefined) out[f] = v;
  }
  return out;
}

function entries(list: ReadonlyArray<Host | Group>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of list) out[e.name] = fields(e);
  return out;
}

const HEADER = '# Written by netreflex (inventory export). Edit, commit, then load it back into the\n# appliance with POST /api/v1/inventory/sync.\n';

function dump(doc: Record<string, unknown>): string {
  if (Object.keys(doc).length === 0) return `${HEADER}{}\n`;
  return HEADER + yaml.dump(doc, { noRefs: true, lineWidth: -1, sortKeys: false });
}

export function inventoryToYaml(inv: InventoryData): { hosts: string; groups: string; defaults: string } {
  return { hosts: dump(entries(inv.hosts)), groups: dump(entries(inv.groups)), defaults: dump(fields(inv.defaults)) };
}

/** Write hosts.yaml, groups.yaml and defaults.yaml; each file is replaced atomically (rename). */
export function writeInventoryDir(dir: string, inv: InventoryData): void {
  const texts = inventoryToYaml(inv);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [base, text] of Object.entries(texts)) {
      const file = path.join(dir, `${base}.yaml`);
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    }
  } catch (e) {
    throw new NrxError('NRX_ERR_STORE', `cannot write the inventory to ${dir}: ${(e as Error).message}`, { cause: e });
  }
}
