import { existsSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../core/errors.js';
import { renderValue } from '../core/template.js';
import { loadYamlFile } from '../core/yaml-file.js';

/** A pack's configuration as its Python actions see it in `self.config`. */
export interface PackConfig {
  values: Record<string, unknown>;
  /** The operator's file, when there is one. */
  file: string | null;
}

/** Where StackStorm keeps a pack's config (`/opt/stackstorm/configs/<pack>.yaml`), under the data dir. */
export function packConfigFile(dataDir: string, pack: string): string {
  return path.join(dataDir, 'configs', `${pack}.yaml`);
}

/**
 * Read `<data dir>/configs/<pack>.yaml`, fill what it leaves out from the `default`s of the
 * pack's `config.schema.yaml`, and render `{{ st2kv.system.x | decrypt_kv }}` values the way
 * StackStorm does. Read on every execution, so an edited file applies to the next run.
 * No file and no schema is an empty config, not an error. `render: false` leaves templates as
 * written (showing a config must not open its secrets); `defaults: false` skips the schema.
 */
export function loadPackConfig(
  dataDir: string,
  pack: string,
  packDir: string,
  templateContext: Record<string, unknown> = {},
  opts: { render?: boolean; defaults?: boolean } = {},
): PackConfig {
  const file = packConfigFile(dataDir, pack);
  let values: Record<string, unknown> = {};
  const present = existsSync(file);
  if (present) {
    const src = loadYamlFile(file);
    if (src.doc !== null && src.doc !== undefined) {
      if (!isPlainObject(src.doc))
        throw new NrxError('NRX_ERR_CONFIG', `pack ${pack}: the config must be a mapping of option to value`, { location: { file } });
      values = src.doc;
    }
  }
  const schemaFile = path.join(packDir, 'config.schema.yaml');
  if (opts.defaults !== false && existsSync(schemaFile)) {
    const schema = loadYamlFile(schemaFile).doc;
    if (isPlainObject(schema)) values = withDefaults(values, schema);
  }
  if (opts.render === false) return { values, file: present ? file : null };
  const rendered = renderValue(values, templateContext, { file: present ? file : schemaFile });
  return { values: rendered as Record<string, unknown>, file: present ? file : null };
}

/** StackStorm's config schema: top-level properties, each a JSON schema with `default`; objects nest. */
function withDefaults(values: Record<string, unknown>, properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const [name, spec] of Object.entries(properties)) {
    if (!isPlainObject(spec)) continue;
    if (out[name] === undefined && spec.default !== undefined) out[name] = structuredClone(spec.default);
    if (isPlainObject(spec.properties) && (out[name] === undefined || isPlainObject(out[name]))) {
      const inner = withDefaults(isPlainObject(out[name]) ? out[name] : {}, spec.properties);
      if (out[name] !== undefined || Object.keys(inner).length) out[name] = inner;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
