import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadYamlFile } from '../core/yaml-file.js';
import { parsePackMeta } from './pack-meta.js';

/** A pack with the same ref as one being installed, found in another pack base path. */
export interface SamePackElsewhere {
  ref: string;
  /** Its folder. */
  path: string;
  /** True when its base path is searched before the install folder (the installed copy would be ignored). */
  winsOverInstalled: boolean;
}

function packDirsOf(base: string): string[] {
  try {
    if (existsSync(path.join(base, 'pack.yaml'))) return [base];
    return readdirSync(base)
      .sort()
      .map((n) => path.join(base, n))
      .filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory() === true && existsSync(path.join(d, 'pack.yaml')));
  } catch {
    return [];
  }
}

/**
 * Every pack with this ref in the base paths other than `installDir` (the shipped `core`,
 * a NETREFLEX_PACKS_PATH pack...). Read straight from disk, not from what is loaded: a pack
 * shadowed by an earlier install is not loaded, and must still be found.
 */
export function samePackElsewhere(ref: string, packsPaths: readonly string[], installDir: string): SamePackElsewhere[] {
  const install = path.resolve(installDir);
  const installAt = packsPaths.map((p) => path.resolve(p)).indexOf(install);
  const out: SamePackElsewhere[] = [];
  packsPaths.forEach((base, i) => {
    const dir = path.resolve(base);
    if (dir === install) return;
    for (const packDir of packDirsOf(dir)) {
      let found: string;
      try {
        found = parsePackMeta(loadYamlFile(path.join(packDir, 'pack.yaml')), packDir).ref;
      } catch {
        continue; // a broken pack.yaml is the loader's to report
      }
      if (found === ref) out.push({ ref, path: packDir, winsOverInstalled: installAt !== -1 && i < installAt });
    }
  });
  return out;
}
