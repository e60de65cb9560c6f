import { Ajv, type ValidateFunction } from 'ajv';
import { ajvPatternEngine } from '../core/safe-regex.js';
import type { ParamSpec } from './action.js';

/**
 * The JSON-schema side of a parameter (minimum, pattern, items, properties...), checked
 * with ajv after type coercion. StackStorm metadata mixes draft-03 habits into draft-04
 * (`required: true` on a property, `secret`, `immutable`, `position`), so those are
 * translated or stripped before ajv sees the schema.
 */

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, code: { regExp: ajvPatternEngine } });
const cache = new WeakMap<ParamSpec, ValidateFunction | null>();

/** StackStorm-only keys that are not JSON schema. */
const NOT_SCHEMA = new Set(['required', 'immutable', 'secret', 'position', 'default', 'description', '$schema', 'id']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function toJsonSchema(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (NOT_SCHEMA.has(k) && !(k === 'required' && Array.isArray(v))) continue;
    if (k === 'properties' && isObject(v)) {
      const props: Record<string, unknown> = {};
      const required = Array.isArray(spec.required) ? [...(spec.required as unknown[])] : [];
      for (const [pk, pv] of Object.entries(v)) {
        props[pk] = isObject(pv) ? toJsonSchema(pv) : pv;
        // draft-03 style `required: true` inside a property becomes the parent's list.
        if (isObject(pv) && pv.required === true) required.push(pk);
      }
      out.properties = props;
      if (required.length) out.required = required;
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && isObject(v)) {
      out[k] = toJsonSchema(v);
    } else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v)) {
      out[k] = v.map((x) => (isObject(x) ? toJsonSchema(x) : x));
    } else out[k] = v;
  }
  return out;
}

/** Compile (once) the validator for a parameter; null when only type/enum apply. */
export function paramValidator(spec: ParamSpec): ValidateFunction | null {
  if (cache.has(spec)) return cache.get(spec)!;
  const schema = toJsonSchema(spec);
  // type and enum are checked (with coercion) by the caller; skip ajv when nothing else is left.
  const rest = Object.keys(schema).filter((k) => k !== 'type' && k !== 'enum');
  const fn = rest.length === 0 ? null : ajv.compile(schema);
  cache.set(spec, fn);
  return fn;
}

/** Throws ajv's message when a parameter's schema cannot be compiled (for load-time checks). */
export function checkParamSchema(spec: ParamSpec): void {
  paramValidator(spec);
}

export function describeSchemaErrors(fn: ValidateFunction): string {
  return (fn.errors ?? []).map((e) => `${e.instancePath || 'value'} ${e.message ?? 'is invalid'}`.trim()).join('; ');
}
