import path from 'node:path';
import { specError, type YamlSource } from '../core/yaml.js';

/** A pack as described by its pack.yaml (StackStorm's format, unchanged). */
export interface PackInfo {
  /** The reference actions and rules are named by (`core` in `core.local`). */
  ref: string;
  name: string;
  description: string;
  version: string | null;
  /** Absolute folder of the pack. */
  path: string;
  /** Absolute path of its pack.yaml. */
  file: string;
  /** Raw pack.yaml, for fields this appliance does not interpret (author, keywords...). */
  meta: Record<string, unknown>;
}

/** StackStorm's rule for a pack ref: lowercase letters, digits and underscores. */
export const PACK_REF_PATTERN = /^[a-z0-9_]+$/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Read pack.yaml. The ref is `ref` when given, else `name` when that is already a valid ref
 * (StackStorm's fallback); a display name with spaces needs an explicit `ref`.
 */
export function parsePackMeta(src: YamlSource, packDir: string): PackInfo {
  const doc = src.doc;
  if (!isPlainObject(doc)) throw specError(src, [], 'pack.yaml must be a mapping with at least `name` (or `ref`)');
  const name = doc.name;
  const ref = doc.ref;
  if (ref !== undefined && ref !== null) {
    if (typeof ref !== 'string' || !PACK_REF_PATTERN.test(ref)) {
      throw specError(src, ['ref'], `pack ref ${JSON.stringify(ref)} must contain only lowercase letters, digits and underscores`);
    }
  }
  if (name !== undefined && typeof name !== 'string') throw specError(src, ['name'], 'pack name must be a string');
  let packRef: string;
  if (typeof ref === 'string') packRef = ref;
  else if (typeof name === 'string' && PACK_REF_PATTERN.test(name)) packRef = name;
  else if (typeof name === 'string') {
    throw specError(src, ['name'], `pack name ${JSON.stringify(name)} is not a valid ref (lowercase letters, digits, underscores): add a \`ref\` field`);
  } else throw specError(src, ['name'], 'pack.yaml needs a `name` or a `ref`');
  const description = doc.description;
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw specError(src, ['description'], 'description must be a string');
  }
  const version = doc.version;
  return {
    ref: packRef,
    name: typeof name === 'string' ? name : packRef,
    description: typeof description === 'string' ? description : '',
    version: version === undefined || version === null ? null : String(version),
    path: path.resolve(packDir),
    file: src.file,
    meta: doc,
  };
}
