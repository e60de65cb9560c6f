import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NrxError, isNrxError } from '../core/errors.js';
import { type YamlSource } from '../core/yaml.js';
import { loadYamlFile } from '../core/yaml-file.js';
import type { ActionSpec } from '../executions/action.js';
import { parsePolicy, type PolicySpec } from './policy-spec.js';
import { parseAction } from './action-spec.js';
import { parsePackMeta, type PackInfo } from './pack-meta.js';
import { outsidePack } from './pack-paths.js';

/** A content file handed on unparsed (rules and maintenance windows have their own parsers). */
export interface PackSource {
  pack: string;
  source: YamlSource;
}

export interface LoadedContent {
  packs: PackInfo[];
  actions: Map<string, ActionSpec>;
  ruleSources: PackSource[];
  policies: PolicySpec[];
  maintenanceSources: PackSource[];
  /** One error per bad file or entry; everything else still loaded. */
  errors: NrxError[];
  warnings: string[];
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * Load every pack under the base paths (StackStorm's packs_base_paths). A base path holds
 * pack folders, or is a pack itself. When two base paths hold the same pack ref, the
 * earlier path wins, so NETREFLEX_PACKS_PATH can override a shipped pack.
 * A broken file never stops loading: it becomes an entry in `errors`.
 */
export function loadPacks(packsPaths: string[]): LoadedContent {
  const out: LoadedContent = { packs: [], actions: new Map(), ruleSources: [], policies: [], maintenanceSources: [], errors: [], warnings: [] };
  const seen = new Map<string, PackInfo>();
  for (const base of packsPaths) {
    const dir = path.resolve(base);
    if (!isDir(dir)) {
      out.warnings.push(`packs path ${dir} does not exist or is not a folder; skipped`);
      continue;
    }
    const packDirs = existsSync(path.join(dir, 'pack.yaml'))
      ? [dir]
      : listDir(dir)
          .map((n) => path.join(dir, n))
          .filter((d) => isDir(d) && existsSync(path.join(d, 'pack.yaml')));
    for (const packDir of packDirs) {
      const pack = attempt(
        out,
        () => parsePackMeta(loadYamlFile(insideOrThrow(packDir, path.join(packDir, 'pack.yaml'))), packDir),
        path.join(packDir, 'pack.yaml'),
      );
      if (!pack) continue;
      const earlier = seen.get(pack.ref);
      if (earlier) {
        out.warnings.push(`pack '${pack.ref}' at ${pack.path} ignored: already loaded from ${earlier.path} (earlier packs path wins)`);
        continue;
      }
      seen.set(pack.ref, pack);
      out.packs.push(pack);
      loadPackContent(pack, out);
    }
  }
  return out;
}

/** A file that really lies outside its pack (symlink) is refused, not followed. */
function insideOrThrow(packDir: string, file: string): string {
  const outside = outsidePack(packDir, file);
  if (outside !== null)
    throw new NrxError('NRX_ERR_SPEC_INVALID', `is a symlink that leaves the pack (to ${outside}); refused: a pack loads only its own files`, {
      location: { file },
    });
  return file;
}

function loadPackContent(pack: PackInfo, out: LoadedContent): void {
  const actionFiles = new Map<string, string>();
  for (const file of yamlFiles(pack.path, 'actions')) {
    const action = attempt(out, () => parseAction(loadYamlFile(insideOrThrow(pack.path, file)), pack), file);
    if (!action) continue;
    const first = actionFiles.get(action.ref);
    if (first) {
      out.errors.push(
        new NrxError('NRX_ERR_SPEC_INVALID', `action '${action.ref}' is defined twice (first in ${first}); this copy is ignored`, {
          location: { file, field: 'name' },
        }),
      );
      continue;
    }
    actionFiles.set(action.ref, file);
    out.actions.set(action.ref, action);
  }
  for (const file of yamlFiles(pack.path, 'rules')) {
    const source = attempt(out, () => loadYamlFile(insideOrThrow(pack.path, file)), file);
    if (source) out.ruleSources.push({ pack: pack.ref, source });
  }
  const policyFiles = new Map<string, string>();
  for (const file of yamlFiles(pack.path, 'policies')) {
    const policy = attempt(out, () => parsePolicy(loadYamlFile(insideOrThrow(pack.path, file)), pack), file);
    if (!policy) continue;
    const first = policyFiles.get(policy.ref);
    if (first) {
      out.errors.push(
        new NrxError('NRX_ERR_SPEC_INVALID', `policy '${policy.ref}' is defined twice (first in ${first}); this copy is ignored`, {
          location: { file, field: 'name' },
        }),
      );
      continue;
    }
    policyFiles.set(policy.ref, file);
    out.policies.push(policy);
  }
  for (const file of yamlFiles(pack.path, 'maintenance')) {
    const source = attempt(out, () => loadYamlFile(insideOrThrow(pack.path, file)), file);
    if (source) out.maintenanceSources.push({ pack: pack.ref, source });
  }
}

/** Run one file's parse; a failure is recorded against that file and loading goes on. */
function attempt<T>(out: LoadedContent, fn: () => T, file: string): T | undefined {
  try {
    return fn();
  } catch (e) {
    out.errors.push(isNrxError(e) ? e : new NrxError('NRX_ERR_SPEC_INVALID', `cannot load: ${(e as Error).message}`, { location: { file }, cause: e }));
    return undefined;
  }
}

/**
 * YAML files directly in a pack subfolder, sorted for a stable load order. Subfolders
 * (actions/workflows/, actions/chains/) hold entry points, not metadata.
 */
function yamlFiles(packDir: string, sub: string): string[] {
  const dir = path.join(packDir, sub);
  if (!isDir(dir)) return [];
  return listDir(dir)
    .filter((n) => YAML_FILE.test(n) && !n.startsWith('.'))
    .map((n) => path.join(dir, n))
    .filter((f) => isFile(f));
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
