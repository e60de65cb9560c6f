import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NrxError, isNrxError } from '../../core/errors.js';
import { loadYamlFile } from '../../core/yaml-file.js';
import { outsidePack } from '../../packs/pack-paths.js';
import { parsePollerDefinition, type PollerDefinition } from './definition.js';

export interface PollerPack {
  /** The pack's ref (`network`). */
  ref: string;
  /** The pack's folder. */
  path: string;
}

/**
 * Every `pollers/*.yaml` of every pack. A broken file is an error in the list and never stops
 * the others; a poller defined twice keeps its first definition.
 */
export function loadPollerDefinitions(packs: readonly PollerPack[]): { definitions: PollerDefinition[]; errors: NrxError[] } {
  const definitions: PollerDefinition[] = [];
  const errors: NrxError[] = [];
  const seen = new Map<string, string>();
  for (const pack of packs) {
    const dir = path.join(pack.path, 'pollers');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir)
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()) {
      const file = path.join(dir, name);
      try {
        const outside = outsidePack(pack.path, file);
        if (outside !== null)
          throw new NrxError('NRX_ERR_SPEC_INVALID', `is a symlink that leaves the pack (to ${outside}); refused: a pack loads only its own files`, {
            location: { file },
          });
        const def = parsePollerDefinition(loadYamlFile(file), pack.ref);
        const first = seen.get(def.ref);
        if (first) {
          errors.push(
            new NrxError('NRX_ERR_SPEC_INVALID', `poller '${def.ref}' is defined twice (first in ${first}); this copy is ignored`, {
              location: { file, field: 'name' },
            }),
          );
          continue;
        }
        seen.set(def.ref, file);
        definitions.push(def);
      } catch (e) {
        errors.push(isNrxError(e) ? e : new NrxError('NRX_ERR_SPEC_INVALID', (e as Error).message, { location: { file }, cause: e }));
      }
    }
  }
  return { definitions, errors };
}
