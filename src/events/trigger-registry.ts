import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { NrxError, type ErrorLocation } from '../core/errors.js';
import { ajvPatternEngine } from '../core/safe-regex.js';

/** A JSON schema, as written in a pack's trigger metadata (`payload_schema`). */
export type JsonSchema = Record<string, unknown>;

export interface TriggerTypeSpec {
  /** `pack.name`; the name may itself contain dots (`core.st2.webhook`: pack `core`). */
  ref: string;
  description?: string;
  /** Absent: any object payload. */
  payloadSchema?: JsonSchema;
}

export interface TriggerType {
  ref: string;
  pack: string;
  name: string;
  description: string;
  payloadSchema: JsonSchema;
}

const REF = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;
const ANY_OBJECT: JsonSchema = { type: 'object' };

/**
 * The trigger types this appliance knows: what sensors may emit and rules may name. Each
 * payload schema is compiled once, at registration, so a broken schema in a pack is found
 * when the pack loads, not when the first event arrives.
 */
export class TriggerRegistry {
  private readonly types = new Map<string, { type: TriggerType; check: ValidateFunction }>();
  // strict off: StackStorm schemas carry extra keywords (secret, position). Formats are not
  // checked (no ajv-formats); useDefaults/coercion off because event data must not be rewritten.
  private readonly ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false, logger: false, code: { regExp: ajvPatternEngine } });

  /**
   * Add or replace (pack reload) a trigger type. `where` locates the metadata file for errors.
   */
  register(spec: TriggerTypeSpec, where: ErrorLocation = {}): TriggerType {
    if (typeof spec.ref !== 'string' || !REF.test(spec.ref)) {
      throw new NrxError('NRX_ERR_SPEC_INVALID', `trigger type reference '${String(spec.ref)}' must look like pack.name`, {
        location: { ...where, field: 'ref' },
      });
    }
    const schema = spec.payloadSchema ?? ANY_OBJECT;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new NrxError('NRX_ERR_SPEC_INVALID', `trigger type ${spec.ref}: payload_schema must be a JSON schema object`, {
        location: { ...where, field: 'payload_schema' },
      });
    }
    let check: ValidateFunction;
    try {
      check = this.ajv.compile(schema);
    } catch (e) {
      throw new NrxError('NRX_ERR_SPEC_INVALID', `trigger type ${spec.ref}: payload_schema is not a valid JSON schema: ${(e as Error).message}`, {
        location: { ...where, field: 'payload_schema' },
        cause: e,
      });
    }
    const dot = spec.ref.indexOf('.');
    const type: TriggerType = {
      ref: spec.ref,
      pack: spec.ref.slice(0, dot),
      name: spec.ref.slice(dot + 1),
      description: spec.description ?? '',
      payloadSchema: schema,
    };
    this.types.set(spec.ref, { type, check });
    return type;
  }

  unregister(ref: string): boolean {
    return this.types.delete(ref);
  }

  has(ref: string): boolean {
    return this.types.has(ref);
  }

  get(ref: string): TriggerType | undefined {
    return this.types.get(ref)?.type;
  }

  /** Like get, for callers where an unknown type is an error (rule loading, the API). */
  require(ref: string): TriggerType {
    const t = this.types.get(ref);
    if (!t) throw unknownType(ref);
    return t.type;
  }

  list(): TriggerType[] {
    return [...this.types.values()].map((t) => t.type).sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  /** null when the payload fits its type's schema; otherwise the error, naming the field. */
  validate(type: string, payload: unknown): NrxError | null {
    const t = this.types.get(type);
    if (!t) return unknownType(type);
    if (t.check(payload)) return null;
    const err = t.check.errors?.[0];
    return payloadError(type, err, payload);
  }
}

function unknownType(ref: string): NrxError {
  return new NrxError('NRX_ERR_TRIGGER_UNKNOWN', `no trigger type '${ref}' is registered`, { details: { type: ref } });
}

/** `/interfaces/0/name` -> `interfaces[0].name` (JSON pointer escapes undone). */
function fieldPath(pointer: string, child?: string): string {
  const parts =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function describeValue(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function valueAt(payload: unknown, pointer: string): unknown {
  let v: unknown = payload;
  for (const p of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

function payloadError(type: string, err: ErrorObject | undefined, payload: unknown): NrxError {
  if (!err) return new NrxError('NRX_ERR_PAYLOAD_INVALID', `payload of ${type} does not match its schema`, { details: { type } });
  const params = err.params as Record<string, unknown>;
  let field: string;
  let problem: string;
  if (err.keyword === 'required') {
    field = fieldPath(err.instancePath, String(params.missingProperty));
    problem = 'is required';
  } else if (err.keyword === 'additionalProperties') {
    field = fieldPath(err.instancePath, String(params.additionalProperty));
    problem = 'is not allowed';
  } else {
    field = fieldPath(err.instancePath);
    problem = err.keyword === 'enum' ? `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` : (err.message ?? 'is invalid');
    problem += ` (got ${describeValue(valueAt(payload, err.instancePath))})`;
  }
  return new NrxError('NRX_ERR_PAYLOAD_INVALID', `payload of ${type}: ${field ? '' : 'the payload '}${problem}`, {
    location: field ? { field } : {},
    details: { type, keyword: err.keyword, schemaPath: err.schemaPath },
  });
}
