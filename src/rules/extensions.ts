import { isNrxError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { specError, type YamlSource } from '../core/yaml.js';
import { compileCriteria, type CompiledCriteria } from '../criteria/criteria.js';
import { isPlainObject } from '../criteria/values.js';

/**
 * The network extensions a rule may carry on top of StackStorm's format: throttle (rate
 * limit per key, with escalation), hold_down (flap damping) and maintenance.
 */

export interface ThrottleSpec {
  /** Jinja template for the throttle key; null means one counter for the whole rule. */
  key: string | null;
  /** Executions allowed per key within the window. */
  max: number;
  perMs: number;
  /** The window as written (`1h`), for messages and escalation parameters. */
  per: string;
  /** Action fired once when the limit is first exceeded in a window (escalation). */
  then: string | null;
}

export interface HoldDownSpec {
  forMs: number;
  for: string;
  /**
   * `for` as a Jinja template (`{{ st2kv.system.remediation.bgp.hold_down | default('15s', true) }}`),
   * rendered when a fault is held, so an operator tunes a shipped rule from the datastore; forMs
   * is then unused. A rendered 0 fires at once.
   */
  forTemplate?: string | null;
  /** Jinja template for the hold key; null means throttle.key, else `{{ event.device }}`. */
  key: string | null;
  /** Criteria a clearing event must match; null means "does not match the rule's criteria". */
  clear: CompiledCriteria | null;
}

export type MaintenanceMode = 'respect' | 'ignore';

const ACTION_REF = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/;

type Src = Pick<YamlSource, 'file' | 'lineOf'>;

function duration(src: Src, path: Array<string | number>, value: unknown): { ms: number; text: string } {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    throw specError(src, path, isNrxError(e) ? e.message : String(e));
  }
  if (ms <= 0) throw specError(src, path, `duration must be greater than zero, got ${JSON.stringify(value)}`);
  return { ms, text: typeof value === 'number' ? `${value}s` : String(value).trim() };
}

function onlyKeys(src: Src, path: string[], value: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) throw specError(src, [...path, k], `unknown field '${k}' (allowed: ${allowed.join(', ')})`);
  }
}

function optionalTemplate(src: Src, path: string[], value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '')
    throw specError(src, path, 'must be a non-empty string (a Jinja template such as "{{ trigger.device }}")');
  return value;
}

export function parseThrottle(src: Src, value: unknown): ThrottleSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = duration(src, ['throttle'], value);
    return { key: null, max: 1, perMs: d.ms, per: d.text, then: null };
  }
  if (!isPlainObject(value)) throw specError(src, ['throttle'], 'throttle must be a duration (e.g. 10m) or a map {key, max, per, then}');
  onlyKeys(src, ['throttle'], value, ['key', 'max', 'per', 'window', 'then']);
  if (value.per !== undefined && value.window !== undefined) throw specError(src, ['throttle', 'window'], "give either 'per' or its alias 'window', not both");
  const perField = value.per !== undefined ? 'per' : 'window';
  const perValue = value.per ?? value.window;
  if (perValue === undefined) throw specError(src, ['throttle'], "throttle needs 'per' (the window, e.g. 1h)");
  const d = duration(src, ['throttle', perField], perValue);
  const max = value.max ?? 1;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw specError(src, ['throttle', 'max'], `max must be a positive integer, got ${JSON.stringify(max)}`);
  let then: string | null = null;
  if (value.then !== undefined && value.then !== null) {
    if (typeof value.then !== 'string' || !ACTION_REF.test(value.then))
      throw specError(src, ['throttle', 'then'], `then must be an action reference 'pack.action', got ${JSON.stringify(value.then)}`);
    then = value.then;
  }
  return { key: optionalTemplate(src, ['throttle', 'key'], value.key), max, perMs: d.ms, per: d.text, then };
}

export function parseHoldDown(src: Src, value: unknown): HoldDownSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = duration(src, ['hold_down'], value);
    return { forMs: d.ms, for: d.text, key: null, clear: null };
  }
  if (!isPlainObject(value)) throw specError(src, ['hold_down'], 'hold_down must be a duration (e.g. 15s) or a map {for, key, clear}');
  onlyKeys(src, ['hold_down'], value, ['for', 'key', 'clear']);
  if (value.for === undefined) throw specError(src, ['hold_down'], "hold_down needs 'for' (how long to wait, e.g. 15s)");
  const forTemplate = typeof value.for === 'string' && value.for.includes('{{') ? value.for : null;
  const d = forTemplate !== null ? { ms: 0, text: forTemplate } : duration(src, ['hold_down', 'for'], value.for);
  const clear =
    value.clear === undefined || value.clear === null
      ? null
      : compileCriteria(value.clear, { file: src.file, path: ['hold_down', 'clear'], lineOf: src.lineOf });
  return { forMs: d.ms, for: d.text, ...(forTemplate !== null ? { forTemplate } : {}), key: optionalTemplate(src, ['hold_down', 'key'], value.key), clear };
}

export function parseMaintenanceMode(src: Src, value: unknown): MaintenanceMode {
  if (value === undefined || value === null) return 'respect';
  if (value === 'respect' || value === 'ignore') return value;
  throw specError(src, ['maintenance'], `maintenance must be 'respect' or 'ignore', got ${JSON.stringify(value)}`);
}

export function isActionRef(s: unknown): s is string {
  return typeof s === 'string' && ACTION_REF.test(s);
}
