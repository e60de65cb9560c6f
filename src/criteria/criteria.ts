import { NrxError, isNrxError } from '../core/errors.js';
import { isTemplate, renderValue } from '../core/template.js';
import { formatPath } from '../core/yaml.js';
import { OPERATOR_NAMES, applyOperator, getOperator, type Operator, type OperatorEnv } from './operators.js';
import { isPlainObject, lookupPath, parseKeyPath, type PathSegment } from './values.js';

/**
 * StackStorm criteria: a map of `payload path -> {type, pattern[, condition]}`, all of
 * which must hold. Compiled once per rule (paths split, operators resolved, static regexes
 * checked) because it runs for every event; a rule with an unknown operator fails to load
 * instead of silently never matching.
 */

export interface CriteriaFailure {
  key: string;
  reason: string;
}

export interface CriteriaResult {
  matched: boolean;
  failures: CriteriaFailure[];
  /** The first operator or template error met (the criterion counted as not matched). */
  error?: NrxError;
  /** How many criteria were evaluated (fewer than all when a failure stopped the test early). */
  evaluated: number;
}

export interface CriteriaOptions {
  /** Milliseconds since the epoch for timediff_lt/gt (default: Date.now()). */
  now?: number;
  /** Evaluate every criterion and report every failure instead of stopping at the first. */
  explain?: boolean;
  /**
   * Names templated patterns may use besides the context (the datastore's `st2kv`), below the
   * context's own. Criteria keys never look in them: they name event fields.
   */
  names?: Readonly<Record<string, unknown>>;
}

/** Where the criteria map sits in operator-authored content, for error messages. */
export interface CriteriaLocation {
  file?: string;
  /** Path of the criteria map inside its file, e.g. ['criteria']. */
  path?: ReadonlyArray<string | number>;
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

export interface CompiledCriterion {
  /** The key as written, `#suffix` included. */
  key: string;
  path: readonly PathSegment[];
  operator: Operator;
  pattern: unknown;
  /** The pattern is a string holding Jinja, rendered against the context for each test. */
  templated: boolean;
  condition: unknown;
  /** A search criterion's nested `item.` criteria, when its pattern is a static map. */
  nested: CompiledCriteria | null;
  /** Field name for messages: `criteria.trigger.peer.pattern`. */
  field: string;
  /** Line of the criterion in its file, when known. */
  line?: number;
}

interface Outcome {
  ok: boolean;
  reason?: string;
  error?: NrxError;
}

function brief(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? 'null';
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export class CompiledCriteria {
  readonly criteria: readonly CompiledCriterion[];
  private readonly file: string | undefined;

  constructor(criteria: CompiledCriterion[], file?: string) {
    this.criteria = criteria;
    this.file = file;
  }

  get size(): number {
    return this.criteria.length;
  }

  test(context: Record<string, unknown>, opts: CriteriaOptions = {}): CriteriaResult {
    const now = opts.now ?? Date.now();
    const failures: CriteriaFailure[] = [];
    let error: NrxError | undefined;
    let evaluated = 0;
    for (const c of this.criteria) {
      evaluated++;
      const out = this.check(c, context, now, opts.names);
      if (out.ok) continue;
      failures.push({ key: c.key, reason: out.reason ?? 'did not match' });
      if (out.error && !error) error = out.error;
      if (!opts.explain) break;
    }
    return { matched: failures.length === 0, failures, evaluated, ...(error ? { error } : {}) };
  }

  /** For search: does one item satisfy all (or any) of these nested criteria? */
  matchItem(context: Record<string, unknown>, need: 'all' | 'any', now: number, names?: CriteriaOptions['names']): boolean {
    if (need === 'all') return this.criteria.every((c) => this.check(c, context, now, names).ok);
    return this.criteria.some((c) => this.check(c, context, now, names).ok);
  }

  private check(c: CompiledCriterion, context: Record<string, unknown>, now: number, names: CriteriaOptions['names']): Outcome {
    let pattern = c.pattern;
    if (c.templated) {
      try {
        pattern = renderValue(pattern, names ? { ...names, ...context } : context, { ...(this.file ? { file: this.file } : {}), field: c.field });
      } catch (e) {
        const err = asCriteriaError(e, c, this.file);
        return { ok: false, reason: `pattern did not render: ${err.message}`, error: err };
      }
    }
    const value = lookupPath(context, c.path);
    const env: OperatorEnv = { now, condition: c.condition };
    if (c.operator.name === 'search' && pattern !== null && pattern !== undefined) {
      let nested = c.nested;
      if (!nested) {
        try {
          nested = compileCriteria(pattern, { ...(this.file ? { file: this.file } : {}), path: [c.field] });
        } catch (e) {
          const err = asCriteriaError(e, c, this.file);
          return { ok: false, reason: err.message, error: err };
        }
      }
      const inner = nested;
      env.matchItem = (item, need) => inner.matchItem({ ...context, item }, need, now, names);
    }
    try {
      if (applyOperator(c.operator, value, pattern, env)) return { ok: true };
    } catch (e) {
      const err = asCriteriaError(e, c, this.file);
      return { ok: false, reason: `${c.operator.name}: ${e instanceof Error ? e.message : String(e)}`, error: err };
    }
    const shown = c.operator.usesPattern ? ` pattern ${brief(pattern)}` : '';
    return { ok: false, reason: `${c.operator.name}: value ${brief(value)} does not match${shown}` };
  }
}

/** Operator errors carry no location; give them the rule file, line and criterion. */
function asCriteriaError(e: unknown, c: CompiledCriterion, file: string | undefined): NrxError {
  if (isNrxError(e) && (e.location.file !== undefined || e.location.field !== undefined)) return e;
  const location = { ...(file ? { file } : {}), ...(c.line !== undefined ? { line: c.line } : {}), field: c.field.replace(/\.pattern$/, '') };
  const message = isNrxError(e) ? e.message : e instanceof Error ? e.message : String(e);
  return new NrxError(isNrxError(e) ? e.code : 'NRX_ERR_CRITERIA', message, { location, cause: e });
}

function invalid(where: CriteriaLocation, path: ReadonlyArray<string | number>, message: string, cause?: unknown): NrxError {
  const full = [...(where.path ?? []), ...path];
  const line = where.lineOf?.(full);
  return new NrxError('NRX_ERR_RULE_INVALID', message, {
    location: { ...(where.file ? { file: where.file } : {}), ...(line !== undefined ? { line } : {}), field: formatPath(full) },
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Compile a criteria map. Throws NRX_ERR_RULE_INVALID (naming file, line and field) for
 * a criterion that is not a map, has no `type`, names an unknown operator, or carries a
 * static regex/glob that does not compile.
 */
export function compileCriteria(criteria: unknown, where: CriteriaLocation = {}): CompiledCriteria {
  if (criteria === null || criteria === undefined) return new CompiledCriteria([], where.file);
  if (!isPlainObject(criteria)) throw invalid(where, [], 'criteria must be a map of "trigger.<field>: {type, pattern}"');
  const out: CompiledCriterion[] = [];
  for (const [key, spec] of Object.entries(criteria)) {
    if (!isPlainObject(spec)) throw invalid(where, [key], `criterion ${JSON.stringify(key)} must be a map with 'type' and 'pattern'`);
    if (typeof spec.type !== 'string' || spec.type.trim() === '')
      throw invalid(where, [key, 'type'], `criterion ${JSON.stringify(key)} has no operator 'type'`);
    const operator = getOperator(spec.type.trim());
    if (!operator) throw invalid(where, [key, 'type'], `unknown criteria operator ${JSON.stringify(spec.type)} (known: ${OPERATOR_NAMES.join(', ')})`);
    const pattern = spec.pattern === undefined ? null : spec.pattern;
    const templated = typeof pattern === 'string' && isTemplate(pattern);
    const field = formatPath([...(where.path ?? []), key, 'pattern']);
    if (!templated && operator.validate) {
      try {
        operator.validate(pattern);
      } catch (e) {
        throw invalid(where, [key, 'pattern'], (e as Error).message, e);
      }
    }
    let nested: CompiledCriteria | null = null;
    if (operator.name === 'search' && isPlainObject(pattern)) nested = compileCriteria(pattern, { ...where, path: [...(where.path ?? []), key, 'pattern'] });
    const line = where.lineOf?.([...(where.path ?? []), key]);
    out.push({
      key,
      path: parseKeyPath(key),
      operator,
      pattern,
      templated,
      condition: spec.condition ?? null,
      nested,
      field,
      ...(line !== undefined ? { line } : {}),
    });
  }
  return new CompiledCriteria(out, where.file);
}

const compiledByObject = new WeakMap<object, CompiledCriteria>();

/**
 * Evaluate criteria against a context (`{trigger: payload, event: envelope}` for rules).
 * Never throws: criteria that do not compile come back as a non-match with the error.
 */
export function evaluateCriteria(criteria: unknown, context: Record<string, unknown>, opts: CriteriaOptions = {}): CriteriaResult {
  let compiled: CompiledCriteria;
  if (criteria instanceof CompiledCriteria) compiled = criteria;
  else {
    const cached = isPlainObject(criteria) ? compiledByObject.get(criteria) : undefined;
    if (cached) compiled = cached;
    else {
      try {
        compiled = compileCriteria(criteria);
      } catch (e) {
        const err = isNrxError(e) ? e : new NrxError('NRX_ERR_RULE_INVALID', String(e));
        return { matched: false, failures: [{ key: err.location.field ?? '', reason: err.message }], error: err, evaluated: 0 };
      }
      if (isPlainObject(criteria)) compiledByObject.set(criteria, compiled);
    }
  }
  return compiled.test(context, { explain: true, ...opts });
}
