import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDuration } from '../core/duration.js';
import { SHELL_PARAMS, shellTemplateProblems } from '../core/shell-command.js';
import { specError, type YamlSource } from '../core/yaml.js';
import type { ActionSpec, ParamSpec } from '../executions/action.js';
import { checkParamSchema } from '../executions/param-schema.js';
import { canonicalRunnerType } from '../executions/runners/registry.js';
import { isPlainObject, type PackInfo } from './pack-meta.js';
import { outsidePack } from './pack-paths.js';

const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object', 'null']);
/** Action names become the second half of a ref, so no dots and no spaces. */
const ACTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
/** StackStorm's parameter-name pattern (`^\w+$`): they become env vars and template names. */
const PARAM_NAME = /^\w+$/;

/**
 * Parse StackStorm action metadata into an ActionSpec. Fields StackStorm users write load
 * unchanged; netreflex adds `idempotent`, `device_lock` and a top-level `timeout`.
 * Whether the runner_type exists is the engine's question, not this parser's.
 */
export function parseAction(src: YamlSource, pack: PackInfo): ActionSpec {
  const doc = src.doc;
  if (!isPlainObject(doc)) throw specError(src, [], 'action metadata must be a mapping with `name` and `runner_type`');

  const name = doc.name;
  if (typeof name !== 'string' || name === '') throw specError(src, ['name'], 'action needs a `name` (string)');
  if (!ACTION_NAME.test(name)) throw specError(src, ['name'], `action name ${JSON.stringify(name)} may contain only letters, digits, '_' and '-'`);

  if (doc.pack !== undefined && doc.pack !== null && doc.pack !== pack.ref) {
    throw specError(src, ['pack'], `action is in pack '${pack.ref}' but its \`pack\` field says ${JSON.stringify(doc.pack)}`);
  }

  const runnerType = doc.runner_type;
  if (typeof runnerType !== 'string' || runnerType.trim() === '') throw specError(src, ['runner_type'], 'action needs a `runner_type` (string)');

  const description = optionalString(src, doc, 'description') ?? '';
  const enabled = optionalBoolean(src, doc, 'enabled') ?? true;
  const idempotent = optionalBoolean(src, doc, 'idempotent') ?? false;
  const entryPoint = resolveEntryPoint(src, doc.entry_point, pack);
  const parameters = parseParameters(src, doc.parameters);
  const deviceLock = parseDeviceLock(src, doc.device_lock, parameters);

  let timeoutMs: number | null = null;
  if (doc.timeout !== undefined && doc.timeout !== null) {
    const line = src.lineOf(['timeout']);
    timeoutMs = parseDuration(doc.timeout, { file: src.file, field: 'timeout', ...(line !== undefined ? { line } : {}) });
    if (timeoutMs <= 0) throw specError(src, ['timeout'], 'timeout must be greater than zero');
  }

  return {
    ref: `${pack.ref}.${name}`,
    pack: pack.ref,
    name,
    description,
    enabled,
    // StackStorm's other spellings (orchestra, inquirer) become the runner's name: the engine sees one
    runnerType: canonicalRunnerType(runnerType.trim()),
    entryPoint,
    parameters,
    idempotent,
    deviceLock,
    timeoutMs,
    file: src.file,
    meta: doc,
  };
}

function optionalString(src: YamlSource, doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw specError(src, [key], `\`${key}\` must be a string`);
  return v;
}

function optionalBoolean(src: YamlSource, doc: Record<string, unknown>, key: string): boolean | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw specError(src, [key], `\`${key}\` must be true or false`);
  return v;
}

/** entry_point is relative to the pack's actions/ folder (StackStorm); '' means none. */
function resolveEntryPoint(src: YamlSource, raw: unknown, pack: PackInfo): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw specError(src, ['entry_point'], "`entry_point` must be a string path relative to the pack's actions/ folder");
  const full = path.resolve(pack.path, 'actions', raw);
  // `../../other_pack/x.sh`, `/usr/bin/x` or a symlink out: a pack runs only what it ships.
  const outside = outsidePack(pack.path, full);
  if (outside !== null)
    throw specError(
      src,
      ['entry_point'],
      `entry point ${JSON.stringify(raw)} is outside the pack (${outside}); refused: an entry point must be a file inside ${pack.path}`,
    );
  if (!existsSync(full)) throw specError(src, ['entry_point'], `entry point ${JSON.stringify(raw)} does not exist (looked for ${full})`);
  if (!statSync(full).isFile()) throw specError(src, ['entry_point'], `entry point ${JSON.stringify(raw)} is not a file (${full})`);
  return full;
}

function parseParameters(src: YamlSource, raw: unknown): Record<string, ParamSpec> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw specError(src, ['parameters'], '`parameters` must be a mapping of parameter name to its schema');
  const out: Record<string, ParamSpec> = {};
  for (const [pname, spec] of Object.entries(raw)) {
    const at = ['parameters', pname];
    if (!PARAM_NAME.test(pname) || pname === '__proto__')
      throw specError(src, at, `parameter name ${JSON.stringify(pname)} may contain only letters, digits and '_'`);
    // `sudo:` with nothing under it is legal StackStorm (overrides nothing); treat as {}.
    if (spec === null) {
      out[pname] = {};
      continue;
    }
    if (!isPlainObject(spec)) throw specError(src, at, `parameter '${pname}' must be a mapping (type, default, required, ...)`);
    checkType(src, [...at, 'type'], spec.type);
    for (const flag of ['required', 'immutable', 'secret'] as const) {
      if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') throw specError(src, [...at, flag], `\`${flag}\` must be true or false`);
    }
    if (spec.enum !== undefined && (!Array.isArray(spec.enum) || spec.enum.length === 0)) {
      throw specError(src, [...at, 'enum'], '`enum` must be a non-empty list of allowed values');
    }
    if (spec.position !== undefined && !(Number.isInteger(spec.position) && (spec.position as number) >= 0)) {
      throw specError(src, [...at, 'position'], '`position` must be a non-negative integer');
    }
    if (spec.description !== undefined && spec.description !== null && typeof spec.description !== 'string') {
      throw specError(src, [...at, 'description'], '`description` must be a string');
    }
    try {
      checkParamSchema(spec as ParamSpec);
    } catch (e) {
      throw specError(src, at, `parameter '${pname}' is not a valid JSON schema: ${(e as Error).message}`);
    }
    // a templated default command line: refused where the shell would parse a value (see shell-command.ts)
    const unsafe = SHELL_PARAMS.has(pname) && typeof spec.default === 'string' ? shellTemplateProblems(spec.default)[0] : undefined;
    if (unsafe) throw specError(src, [...at, 'default'], unsafe);
    out[pname] = spec as ParamSpec;
  }
  return out;
}

function checkType(src: YamlSource, at: Array<string | number>, t: unknown): void {
  if (t === undefined) return;
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 0 || !list.every((x) => typeof x === 'string' && SIMPLE_TYPES.has(x))) {
    throw specError(src, at, `type ${JSON.stringify(t)} is not one of ${[...SIMPLE_TYPES].join(', ')}`);
  }
}

function parseDeviceLock(src: YamlSource, raw: unknown, params: Record<string, ParamSpec>): ActionSpec['deviceLock'] {
  if (raw === undefined || raw === null || raw === false) return null;
  let parameter = 'device';
  let onConflict: 'wait' | 'fail' = 'wait';
  if (raw !== true) {
    if (!isPlainObject(raw)) throw specError(src, ['device_lock'], '`device_lock` must be true or a mapping { parameter, on_conflict }');
    if (raw.parameter !== undefined) {
      if (typeof raw.parameter !== 'string' || raw.parameter === '')
        throw specError(src, ['device_lock', 'parameter'], '`parameter` must name the action parameter that holds the device');
      parameter = raw.parameter;
    }
    if (raw.on_conflict !== undefined) {
      if (raw.on_conflict !== 'wait' && raw.on_conflict !== 'fail') throw specError(src, ['device_lock', 'on_conflict'], '`on_conflict` must be wait or fail');
      onConflict = raw.on_conflict;
    }
  }
  // A lock on a parameter the action does not take would silently lock nothing.
  if (!(parameter in params)) {
    throw specError(src, ['device_lock'], `device_lock names parameter '${parameter}', which the action does not declare`);
  }
  return { parameter, onConflict };
}
