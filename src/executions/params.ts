import { isDeepStrictEqual } from 'node:util';
import { NrxError, type ErrorLocation } from '../core/errors.js';
import { SECRET_MASK } from '../core/secrets.js';
import { isTemplate, renderValue } from '../core/template.js';
import type { ActionSpec, ParamSpec } from './action.js';
import { describeSchemaErrors, paramValidator } from './param-schema.js';
import { declaredRunner } from './runners/registry.js';

/** Secret parameters as stored and shown. */
export const REDACTED = SECRET_MASK;

export interface ResolveOptions {
  /** Where the parameters were written (rule file, workflow task), for error messages. */
  where?: ErrorLocation;
  /**
   * Accept parameters the metadata does not declare. Default: only for workflow runners
   * (action-chain, orquesta), whose input may be declared in the workflow file.
   */
  allowUnknown?: boolean;
  /** Extra names for templated defaults (e.g. config_context, st2kv), below the parameters. */
  context?: Record<string, unknown>;
  /** Runner parameters to merge under the action's; default: those its runner declares. */
  runnerParameters?: Readonly<Record<string, ParamSpec>>;
}

const effectiveCache = new WeakMap<ActionSpec, Record<string, ParamSpec>>();

/**
 * The action's parameters merged over its runner's (StackStorm semantics): an action may
 * re-declare a runner parameter partly (`sudo: {immutable: true}`) and inherits the rest.
 */
export function effectiveParameters(action: ActionSpec, runnerParams?: Readonly<Record<string, ParamSpec>>): Record<string, ParamSpec> {
  if (!runnerParams) {
    const hit = effectiveCache.get(action);
    if (hit) return hit;
  }
  const base = runnerParams ?? declaredRunner(action.runnerType)?.declaration.parameters ?? {};
  const out: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries(base)) out[name] = { ...spec };
  for (const [name, spec] of Object.entries(action.parameters)) out[name] = { ...(out[name] ?? {}), ...spec };
  // The action's top-level `timeout` (netreflex) replaces the runner's default timeout,
  // unless the action declared a default of its own.
  if (action.timeoutMs !== null && out.timeout && action.parameters.timeout?.default === undefined) {
    out.timeout = { ...out.timeout, default: action.timeoutMs / 1000 };
  }
  if (!runnerParams) effectiveCache.set(action, out);
  return out;
}

interface Problem {
  param: string;
  message: string;
}

/**
 * Turn what a rule, workflow task, CLI or API call passed into the parameters an action
 * runs with: defaults applied (templated defaults rendered with the other parameters),
 * key=value strings coerced like the st2 CLI does, required/enum/immutable/schema checked.
 * Every problem is reported in one NRX_ERR_PARAM_INVALID naming the action and parameters.
 */
export function resolveParameters(action: ActionSpec, given: Record<string, unknown>, opts: ResolveOptions = {}): Record<string, unknown> {
  const where = opts.where ?? {};
  const specs = effectiveParameters(action, opts.runnerParameters);
  const allowUnknown = opts.allowUnknown ?? declaredRunner(action.runnerType)?.kind === 'workflow';
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  const templated: string[] = [];

  for (const [name, value] of Object.entries(given)) {
    // `__proto__` from a JSON body would re-parent the result object: never a parameter.
    if (name === '__proto__') problems.push({ param: name, message: 'is not a valid parameter name' });
    else if (!Object.hasOwn(specs, name)) {
      if (allowUnknown) values[name] = value;
      else problems.push({ param: name, message: `is not a parameter of this action (it takes: ${Object.keys(specs).join(', ') || 'none'})` });
    }
  }

  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name];
    if (value !== undefined && value !== null) {
      const c = coerce(value, typesOf(spec));
      if (!c.ok) {
        problems.push({ param: name, message: `expected ${typesOf(spec)!.join(' or ')}, got ${preview(value, spec)}` });
        continue;
      }
      if (spec.immutable && !isDeepStrictEqual(c.value, spec.default ?? null)) {
        problems.push({ param: name, message: 'is immutable: it cannot be set, only its default is used' });
        continue;
      }
      values[name] = c.value;
    } else if (spec.default !== undefined && spec.default !== null) {
      if (typeof spec.default === 'string' && isTemplate(spec.default)) templated.push(name);
      else values[name] = structuredClone(spec.default);
    }
  }

  // Defaults written as templates (`cmd: 'echo {{ message }}'`) see the other parameters.
  // Only operator-authored defaults are rendered; given values are data and never are.
  for (const name of templated) {
    const spec = specs[name]!;
    try {
      const rendered = renderValue(spec.default, { ...(opts.context ?? {}), ...values }, { ...where, field: name });
      const c = coerce(rendered, typesOf(spec));
      if (c.ok) values[name] = c.value;
      else problems.push({ param: name, message: `default rendered to ${preview(rendered, spec)}, not ${typesOf(spec)!.join(' or ')}` });
    } catch (e) {
      problems.push({ param: name, message: `default cannot be rendered: ${(e as Error).message}` });
    }
  }

  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name];
    if (spec.required && (v === undefined || v === null)) {
      problems.push({ param: name, message: 'is required' });
      continue;
    }
    if (v === undefined || v === null) continue;
    if (Array.isArray(spec.enum) && !spec.enum.some((e) => isDeepStrictEqual(e, v))) {
      problems.push({ param: name, message: `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${preview(v, spec)}` });
      continue;
    }
    let validate;
    try {
      validate = paramValidator(spec);
    } catch (e) {
      problems.push({ param: name, message: `its schema cannot be compiled: ${(e as Error).message}` });
      continue;
    }
    if (validate && !validate(v)) problems.push({ param: name, message: `${preview(v, spec)} breaks its schema: ${describeSchemaErrors(validate)}` });
  }

  if (problems.length) {
    const first = problems[0]!;
    const field = where.field ? `${where.field}.${first.param}` : first.param;
    throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: ${problems.map((p) => `parameter '${p.param}' ${p.message}`).join('; ')}`, {
      location: { ...where, field },
      details: { action: action.ref, problems },
    });
  }
  return values;
}

/** A copy of the parameters with every `secret: true` value (also nested ones) replaced. */
export function redactSecrets(action: ActionSpec, params: Record<string, unknown>): Record<string, unknown> {
  return redactObject(params, effectiveParameters(action)) as Record<string, unknown>;
}

function redactObject(value: Record<string, unknown>, specs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '__proto__') continue;
    const spec = Object.hasOwn(specs, k) ? specs[k] : undefined;
    out[k] = isObject(spec) ? redactValue(v, spec) : v;
  }
  return out;
}

function redactValue(v: unknown, spec: Record<string, unknown>): unknown {
  if (v === undefined || v === null) return v;
  if (spec.secret === true) return REDACTED;
  if (isObject(v) && isObject(spec.properties)) return redactObject(v, spec.properties);
  if (Array.isArray(v) && isObject(spec.items)) return v.map((x) => redactValue(x, spec.items as Record<string, unknown>));
  return v;
}

/** The plaintext of every `secret: true` value (also nested ones), for masking output. */
export function secretValues(action: ActionSpec, params: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const collect = (value: Record<string, unknown>, specs: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(value)) {
      const spec = Object.hasOwn(specs, k) ? specs[k] : undefined;
      if (isObject(spec)) collectValue(v, spec);
    }
  };
  const collectValue = (v: unknown, spec: Record<string, unknown>): void => {
    if (v === undefined || v === null) return;
    if (spec.secret === true) out.push(v);
    else if (isObject(v) && isObject(spec.properties)) collect(v, spec.properties);
    else if (Array.isArray(v) && isObject(spec.items)) for (const x of v) collectValue(x, spec.items as Record<string, unknown>);
  };
  collect(params, effectiveParameters(action));
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typesOf(spec: ParamSpec): string[] | undefined {
  const t = spec.type as unknown;
  if (t === undefined) return undefined;
  return Array.isArray(t) ? (t as string[]) : [t as string];
}

function preview(v: unknown, spec: ParamSpec): string {
  if (spec.secret) return REDACTED;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function matches(v: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    case 'null':
      return v === null;
    default:
      return false;
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Convert a value the way the st2 CLI converts key=value input; no conversion loses data. */
function convert(v: unknown, t: string): { ok: true; value: unknown } | { ok: false } {
  if (typeof v === 'string') {
    const s = v.trim();
    switch (t) {
      case 'integer':
        if (INTEGER.test(s) && Number.isSafeInteger(Number(s))) return { ok: true, value: Number(s) };
        break;
      case 'number':
        if (NUMBER.test(s) && Number.isFinite(Number(s))) return { ok: true, value: Number(s) };
        break;
      case 'boolean':
        if (TRUE.has(s.toLowerCase())) return { ok: true, value: true };
        if (FALSE.has(s.toLowerCase())) return { ok: true, value: false };
        break;
      case 'array':
        if (s.startsWith('[')) {
          const j = tryJson(s);
          if (Array.isArray(j)) return { ok: true, value: j };
          break;
        }
        return { ok: true, value: s === '' ? [] : s.split(',').map((x) => x.trim()) };
      case 'object':
        if (s.startsWith('{')) {
          const j = tryJson(s);
          if (isObject(j)) return { ok: true, value: j };
        }
        break;
    }
    return { ok: false };
  }
  // A VLAN id written as 100 for a string parameter: the string form is exact.
  if (t === 'string' && typeof v === 'number' && Number.isFinite(v)) return { ok: true, value: String(v) };
  return { ok: false };
}

function coerce(v: unknown, types: string[] | undefined): { ok: true; value: unknown } | { ok: false } {
  if (!types) return { ok: true, value: v };
  if (types.some((t) => matches(v, t))) return { ok: true, value: v };
  for (const t of types) {
    const c = convert(v, t);
    if (c.ok) return c;
  }
  return { ok: false };
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
