import { existsSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../core/errors.js';
import { loadYamlFile } from '../core/yaml-file.js';

/** One option of a pack's `config.schema.yaml`, by its dotted name (`jira.url` for `jira: {properties: {url}}`). */
export interface ConfigOption {
  key: string;
  type: string | null;
  required: boolean;
  secret: boolean;
  default: unknown;
  enum: unknown[] | null;
  description: string | null;
}

/** The options a pack declares, leaves only (an object with `properties` is a group, not an option). */
export interface PackConfigSchema {
  pack: string;
  file: string | null;
  options: Map<string, ConfigOption>;
}

/** Read `<pack>/config.schema.yaml`; a pack without one has no declared options. */
export function readConfigSchema(pack: string, packDir: string): PackConfigSchema {
  const file = path.join(packDir, 'config.schema.yaml');
  const options = new Map<string, ConfigOption>();
  if (!existsSync(file)) return { pack, file: null, options };
  const doc = loadYamlFile(file).doc;
  if (doc !== null && doc !== undefined && !isPlainObject(doc))
    throw new NrxError('NRX_ERR_SPEC_INVALID', `pack ${pack}: config.schema.yaml must map option names to their schema`, { location: { file } });
  if (isPlainObject(doc)) collect(doc, '', true, options);
  return { pack, file, options };
}

/** A nested option is required only when its group is required too; otherwise when the group is used. */
function collect(properties: Record<string, unknown>, prefix: string, parentRequired: boolean, out: Map<string, ConfigOption>): void {
  for (const [name, spec] of Object.entries(properties)) {
    if (!isPlainObject(spec)) continue;
    const key = prefix + name;
    const required = spec.required === true && parentRequired;
    if (isPlainObject(spec.properties)) {
      collect(spec.properties, `${key}.`, required, out);
      continue;
    }
    out.set(key, {
      key,
      type: typeof spec.type === 'string' ? spec.type : null,
      required,
      secret: spec.secret === true,
      default: spec.default,
      enum: Array.isArray(spec.enum) ? spec.enum : null,
      description: typeof spec.description === 'string' ? spec.description : null,
    });
  }
}

/** Why `value` does not fit `option`, or null. Never quotes the value: it may be a secret. */
export function misfit(option: ConfigOption, value: unknown): string | null {
  const t = option.type;
  const ok =
    t === null ||
    (t === 'string' && typeof value === 'string') ||
    (t === 'integer' && Number.isInteger(value)) ||
    (t === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
    (t === 'boolean' && typeof value === 'boolean') ||
    (t === 'array' && Array.isArray(value)) ||
    (t === 'object' && isPlainObject(value));
  if (!ok) return `must be of type ${t} (got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
  if (option.enum && !option.enum.some((e) => e === value)) return `must be one of ${option.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  return null;
}

/**
 * A value typed on a command line, as its option's type: `5` for an integer, `true` for a
 * boolean, JSON for an array or object; a string stays as typed.
 */
export function fromText(option: ConfigOption, text: string): unknown {
  switch (option.type) {
    case 'integer':
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
    case 'object':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** The value at a dotted key of a nested mapping. */
export function valueAt(values: Record<string, unknown>, key: string): unknown {
  let at: unknown = values;
  for (const part of key.split('.')) {
    if (!isPlainObject(at)) return undefined;
    at = at[part];
  }
  return at;
}

/** Names that would reach an object's prototype instead of an option. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** Set the value at a dotted key, making the groups on the way. */
export function setAt(values: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  if (parts.some((p) => UNSAFE.has(p)))
    throw new NrxError('NRX_ERR_PACK_CONFIG_INVALID', `config option '${key}': '__proto__', 'constructor' and 'prototype' are not option names`);
  let at = values;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(at[part])) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
