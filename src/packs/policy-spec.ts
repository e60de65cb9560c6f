import { parseDuration } from '../core/duration.js';
import { specError, type YamlSource } from '../core/yaml.js';
import { isPlainObject, type PackInfo } from './pack-meta.js';

/**
 * StackStorm policy YAML, unchanged: name, pack, description, enabled, resource_ref,
 * policy_type, parameters. Three policy types: action.concurrency,
 * action.concurrency.attr and action.retry (with a netreflex `backoff` extension).
 */

/** At most `threshold` executions of the action run at once; `attributes` narrows it per value. */
export interface ConcurrencyPolicy {
  kind: 'concurrency';
  threshold: number;
  /** What happens to an execution over the limit: wait its turn, or be canceled. */
  onLimit: 'delay' | 'cancel';
  /** Parameter names whose values form the key (empty: one limit for the whole action). */
  attributes: string[];
}

export interface RetryPolicy {
  kind: 'retry';
  retryOn: 'failure' | 'timeout';
  maxRetryCount: number;
  /** Delay before the first retry. */
  delayMs: number;
  /** netreflex extension `backoff.multiplier`: each retry waits this many times longer (1 = constant). */
  backoff: number;
  /** netreflex extension `backoff.max_delay`: cap on the grown delay. */
  maxDelayMs: number | null;
}

export interface PolicySpec {
  /** `pack.name` */
  ref: string;
  name: string;
  pack: string;
  description: string;
  enabled: boolean;
  /** The action ref the policy applies to. */
  resourceRef: string;
  policyType: 'action.concurrency' | 'action.concurrency.attr' | 'action.retry';
  /** Raw parameters as written. */
  parameters: Record<string, unknown>;
  policy: ConcurrencyPolicy | RetryPolicy;
  file: string;
}

export const POLICY_TYPES = ['action.concurrency', 'action.concurrency.attr', 'action.retry'] as const;

export function parsePolicy(src: YamlSource, pack: PackInfo): PolicySpec {
  const doc = src.doc;
  if (!isPlainObject(doc)) throw specError(src, [], 'policy must be a mapping with name, resource_ref and policy_type');
  const name = doc.name;
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw specError(src, ['name'], 'policy needs a `name` (letters, digits, _ . -)');
  if (doc.pack !== undefined && doc.pack !== null && doc.pack !== pack.ref) {
    throw specError(src, ['pack'], `policy is in pack '${pack.ref}' but its \`pack\` field says ${JSON.stringify(doc.pack)}`);
  }
  if (doc.description !== undefined && doc.description !== null && typeof doc.description !== 'string') {
    throw specError(src, ['description'], '`description` must be a string');
  }
  if (doc.enabled !== undefined && typeof doc.enabled !== 'boolean') throw specError(src, ['enabled'], '`enabled` must be true or false');
  const resourceRef = doc.resource_ref;
  if (typeof resourceRef !== 'string' || !/^[a-z0-9_]+\.[\w-]+$/.test(resourceRef)) {
    throw specError(src, ['resource_ref'], '`resource_ref` must be an action ref like pack.action');
  }
  const policyType = doc.policy_type;
  if (typeof policyType !== 'string' || !(POLICY_TYPES as readonly string[]).includes(policyType)) {
    throw specError(src, ['policy_type'], `\`policy_type\` must be one of ${POLICY_TYPES.join(', ')} (got ${JSON.stringify(policyType)})`);
  }
  const rawParams = doc.parameters ?? {};
  if (!isPlainObject(rawParams)) throw specError(src, ['parameters'], '`parameters` must be a mapping');

  const policy = policyType === 'action.retry' ? parseRetry(src, rawParams) : parseConcurrency(src, rawParams, policyType === 'action.concurrency.attr');

  return {
    ref: `${pack.ref}.${name}`,
    name,
    pack: pack.ref,
    description: typeof doc.description === 'string' ? doc.description : '',
    enabled: doc.enabled !== false,
    resourceRef,
    policyType: policyType as PolicySpec['policyType'],
    parameters: rawParams,
    policy,
    file: src.file,
  };
}

function allowOnly(src: YamlSource, params: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k)) throw specError(src, ['parameters', k], `unknown policy parameter '${k}' (allowed: ${allowed.join(', ')})`);
  }
}

function positiveInt(src: YamlSource, params: Record<string, unknown>, key: string, dflt: number, min: number): number {
  const v = params[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw specError(src, ['parameters', key], `\`${key}\` must be an integer >= ${min}`);
  return v;
}

function durationMs(src: YamlSource, path: string[], v: unknown): number {
  const line = src.lineOf(path);
  return parseDuration(v, { file: src.file, field: path.join('.'), ...(line !== undefined ? { line } : {}) });
}

function parseConcurrency(src: YamlSource, params: Record<string, unknown>, perAttribute: boolean): ConcurrencyPolicy {
  allowOnly(src, params, perAttribute ? ['threshold', 'action', 'attributes'] : ['threshold', 'action']);
  // StackStorm's defaults: threshold 10, over-limit executions are delayed.
  const threshold = positiveInt(src, params, 'threshold', 10, 1);
  const action = params.action ?? 'delay';
  if (action !== 'delay' && action !== 'cancel') throw specError(src, ['parameters', 'action'], '`action` must be delay or cancel');
  let attributes: string[] = [];
  if (perAttribute) {
    const a = params.attributes;
    if (!Array.isArray(a) || a.length === 0 || !a.every((x) => typeof x === 'string' && x !== '')) {
      throw specError(src, ['parameters', 'attributes'], '`attributes` must be a non-empty list of action parameter names');
    }
    attributes = a as string[];
  }
  return { kind: 'concurrency', threshold, onLimit: action, attributes };
}

function parseRetry(src: YamlSource, params: Record<string, unknown>): RetryPolicy {
  allowOnly(src, params, ['retry_on', 'max_retry_count', 'delay', 'backoff']);
  const retryOn = params.retry_on;
  if (retryOn !== 'failure' && retryOn !== 'timeout') throw specError(src, ['parameters', 'retry_on'], '`retry_on` must be failure or timeout');
  const maxRetryCount = positiveInt(src, params, 'max_retry_count', 2, 0);
  const delayMs = params.delay === undefined || params.delay === null ? 0 : durationMs(src, ['parameters', 'delay'], params.delay);
  let backoff = 1;
  let maxDelayMs: number | null = null;
  const b = params.backoff;
  if (b !== undefined && b !== null) {
    if (!isPlainObject(b)) throw specError(src, ['parameters', 'backoff'], '`backoff` must be a mapping { multiplier, max_delay }');
    for (const k of Object.keys(b)) {
      if (k !== 'multiplier' && k !== 'max_delay')
        throw specError(src, ['parameters', 'backoff', k], `unknown backoff field '${k}' (allowed: multiplier, max_delay)`);
    }
    const m = b.multiplier ?? 2;
    if (typeof m !== 'number' || !Number.isFinite(m) || m < 1)
      throw specError(src, ['parameters', 'backoff', 'multiplier'], '`multiplier` must be a number >= 1');
    if (b.max_delay !== undefined && b.max_delay !== null) maxDelayMs = durationMs(src, ['parameters', 'backoff', 'max_delay'], b.max_delay);
    backoff = m;
  }
  return { kind: 'retry', retryOn, maxRetryCount, delayMs, backoff, maxDelayMs };
}
