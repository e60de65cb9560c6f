import { NrxError } from '../core/errors.js';
import { SECRET_MASK } from '../core/secrets.js';
import { rememberSecret } from '../core/secret-values.js';
import type { KeyValueStore } from './keyvalue.js';
import { loadPackConfig, packConfigFile, type PackConfig } from './pack-config.js';
import { isPlainObject, misfit, readConfigSchema, setAt, valueAt, type ConfigOption, type PackConfigSchema } from './pack-config-schema.js';

/** Values set through the API or CLI live in the pack's datastore scope under this prefix. */
const KEY_PREFIX = 'config:';

/** One option as `pack config show` lists it: secrets masked, and where the value came from. */
export interface ConfigEntry {
  key: string;
  value: unknown;
  secret: boolean;
  required: boolean;
  type: string | null;
  /** datastore (set through the API/CLI), file (configs/<pack>.yaml), default (the schema) or null (not set). */
  source: 'datastore' | 'file' | 'default' | null;
  description: string | null;
}

export interface ConfigView {
  pack: string;
  /** The operator's file, whether or not it exists. */
  file: string;
  schema: string | null;
  options: ConfigEntry[];
  /** Required options without a value: the pack's actions fail until they are set. */
  missing: string[];
}

/** How to fill a missing value, in the words of the error an action fails with. */
export function howToSet(pack: string, key: string, secret: boolean, dataDir: string): string {
  const cli = secret
    ? `\`netreflex pack config ${pack} ${key}\` (asks for the value or reads it from stdin; stored encrypted)`
    : `\`netreflex pack config ${pack} ${key}=VALUE\``;
  return `set it with ${cli}, PUT /api/v1/configs/${pack}/${key} {"value": ...}${secret ? '' : `, or \`${key}:\` in ${packConfigFile(dataDir, pack)}`}`;
}

export function missingValueError(pack: string, key: string, secret: boolean, dataDir: string): NrxError {
  return new NrxError('NRX_ERR_PACK_CONFIG_MISSING', `pack ${pack}: config value '${key}' is required but not set; ${howToSet(pack, key, secret, dataDir)}`, {
    details: { pack, key },
  });
}

/**
 * A pack's config from its three sources, highest first: values set through the API or CLI
 * (the datastore; secrets encrypted there), `<data dir>/configs/<pack>.yaml`, the schema's
 * defaults. Secrets are decrypted only by `resolve`, at run time, and every one it hands out
 * is remembered so an execution that prints or returns it shows '********'.
 */
export class PackConfigStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly dataDir: string,
  ) {}

  /** Set one option; a `secret: true` option is encrypted. Returns the entry as `show` lists it. */
  async set(pack: string, packDir: string, key: string, value: unknown): Promise<ConfigEntry> {
    const schema = readConfigSchema(pack, packDir);
    const option = optionFor(schema, key);
    if (value === undefined || value === null) throw invalid(pack, key, 'needs a value (to remove one, unset it)');
    const why = misfit(option, value);
    if (why) throw invalid(pack, key, why);
    await this.kv.set(`pack:${pack}`, KEY_PREFIX + key, JSON.stringify(value), { encrypt: option.secret });
    return entry(option, option.secret ? SECRET_MASK : value, 'datastore');
  }

  /** Remove a value set through the API or CLI; true when there was one. */
  async unset(pack: string, key: string): Promise<boolean> {
    return this.kv.delete(`pack:${pack}`, KEY_PREFIX + key);
  }

  /** Every option with its value (secrets masked) and source, and which required ones are missing. */
  async show(pack: string, packDir: string): Promise<ConfigView> {
    const schema = readConfigSchema(pack, packDir);
    // the file unrendered: a `{{ st2kv... | decrypt_kv }}` template is shown, not opened
    const file = loadPackConfig(this.dataDir, pack, packDir, {}, { render: false, defaults: false }).values;
    const stored = new Map((await this.kv.list(`pack:${pack}`, KEY_PREFIX)).map((r) => [r.key.slice(KEY_PREFIX.length), r]));
    const keys = new Set([...schema.options.keys(), ...stored.keys(), ...leafKeys(file, schema)]);
    const options: ConfigEntry[] = [];
    const missing: string[] = [];
    for (const key of [...keys].sort()) {
      const option = schema.options.get(key) ?? undeclared(key);
      const s = stored.get(key);
      let value: unknown;
      let source: ConfigEntry['source'] = null;
      if (s) [value, source] = [s.secret ? SECRET_MASK : parseStored(s.value), 'datastore'];
      else if (valueAt(file, key) !== undefined) [value, source] = [valueAt(file, key), 'file'];
      else if (option.default !== undefined) [value, source] = [option.default, 'default'];
      if (option.secret && value !== undefined && value !== null) value = SECRET_MASK;
      if (option.required && isEmpty(value)) missing.push(key);
      options.push(entry(option, value ?? null, source));
    }
    return { pack, file: packConfigFile(this.dataDir, pack), schema: schema.file, options, missing };
  }

  /**
   * The config an action runs with: every source merged, templates rendered, secrets in clear.
   * A required option without a value is NRX_ERR_PACK_CONFIG_MISSING naming the pack, the key
   * and how to set it; a value that does not fit the schema is NRX_ERR_PACK_CONFIG_INVALID.
   */
  async resolve(pack: string, packDir: string, templateContext: Record<string, unknown> = {}): Promise<PackConfig> {
    const schema = readConfigSchema(pack, packDir);
    const base = loadPackConfig(this.dataDir, pack, packDir, templateContext);
    const values = structuredClone(base.values);
    for (const r of await this.kv.list(`pack:${pack}`, KEY_PREFIX, { decrypt: true })) setAt(values, r.key.slice(KEY_PREFIX.length), parseStored(r.value));
    for (const option of schema.options.values()) {
      const v = valueAt(values, option.key);
      if (isEmpty(v)) {
        if (option.required) throw missingValueError(pack, option.key, option.secret, this.dataDir);
        continue;
      }
      const why = misfit(option, v);
      if (why) throw invalid(pack, option.key, why);
      if (option.secret) rememberSecret(v);
    }
    return { values, file: base.file };
  }

  /** NRX_ERR_PACK_CONFIG_MISSING for the first of `keys` without a value: what an action needs beyond the schema's `required`. */
  requireValues(pack: string, packDir: string, values: Record<string, unknown>, keys: string[]): void {
    const schema = readConfigSchema(pack, packDir);
    for (const key of keys) if (isEmpty(valueAt(values, key))) throw missingValueError(pack, key, schema.options.get(key)?.secret === true, this.dataDir);
  }
}

function optionFor(schema: PackConfigSchema, key: string): ConfigOption {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/.test(key))
    throw invalid(schema.pack, key, 'is not an option name (letters, digits, _ and -, groups joined by dots)');
  if (key.split('.').some((p) => ['__proto__', 'constructor', 'prototype'].includes(p))) throw invalid(schema.pack, key, 'is not an option name');
  const option = schema.options.get(key);
  if (option) return option;
  // a pack without a schema takes any option, as StackStorm does
  if (!schema.file) return undeclared(key);
  throw invalid(schema.pack, key, `is not an option of the pack (config.schema.yaml declares ${[...schema.options.keys()].join(', ') || 'none'})`);
}

function undeclared(key: string): ConfigOption {
  return { key, type: null, required: false, secret: false, default: undefined, enum: null, description: null };
}

function entry(option: ConfigOption, value: unknown, source: ConfigEntry['source']): ConfigEntry {
  return { key: option.key, value, secret: option.secret, required: option.required, type: option.type, source, description: option.description };
}

function invalid(pack: string, key: string, why: string): NrxError {
  return new NrxError('NRX_ERR_PACK_CONFIG_INVALID', `pack ${pack}: config value '${key}' ${why}`, { details: { pack, key } });
}

function parseStored(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // written by `key set` by hand: taken as the string it is
  }
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Dotted keys of the file's values; an option of type object is one key, not its contents. */
function leafKeys(values: Record<string, unknown>, schema: PackConfigSchema, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) =>
    isPlainObject(v) && !schema.options.has(prefix + k) ? leafKeys(v, schema, `${prefix}${k}.`) : [prefix + k],
  );
}
