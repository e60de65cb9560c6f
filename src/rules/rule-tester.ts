import { readFileSync } from 'node:fs';
import { NrxError, describeError } from '../core/errors.js';
import { renderValue } from '../core/template.js';
import { currentRender, withPreview, type SecretView } from '../core/template-budget.js';
import { loadYamlFile } from '../core/yaml-file.js';
import { makeEvent, type EventEnvelope } from '../events/envelope.js';
import type { CriteriaFailure } from '../criteria/criteria.js';
import { isPlainObject } from '../criteria/values.js';
import { ruleContext } from './matcher.js';
import { parseRule, type Rule } from './rule.js';

/**
 * `netreflex rule test --rule FILE --event FILE`: would this rule fire for this event, and
 * with which action parameters? Needs only the two files; the action need not exist.
 * Exit codes: 0 match, 1 no match, 2 invalid input (the message names file, line, field).
 */

export interface RuleTestResult {
  exitCode: 0 | 1 | 2;
  matched: boolean;
  rule: string | null;
  trigger: string | null;
  failures: CriteriaFailure[];
  actionRef?: string;
  parameters?: Record<string, unknown>;
  /** What the network extensions would do with a match (hold_down, throttle). */
  notes?: string[];
  error?: { code: string; message: string };
}

/** Read an event file: a bare payload, or `{trigger|trigger_type|type: <type>, payload: {...}}`. */
export function readEventFile(file: string, defaultType: string): EventEnvelope {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new NrxError('NRX_ERR_USAGE', `cannot read event file: ${(e as Error).message}`, { location: { file } });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new NrxError('NRX_ERR_PAYLOAD_INVALID', `event file is not valid JSON: ${(e as Error).message}`, {
      location: { file, ...(line !== undefined ? { line } : {}) },
    });
  }
  return eventFromDoc(doc, defaultType, file);
}

/**
 * An event given as a parsed document (event file, API body): a bare payload, or
 * `{trigger|trigger_type|type: <type>, payload: {...}, device?}`. `file` names it in errors.
 */
export function eventFromDoc(doc: unknown, defaultType: string, file: string, source = 'cli'): EventEnvelope {
  if (!isPlainObject(doc))
    throw new NrxError('NRX_ERR_PAYLOAD_INVALID', 'the event must be a JSON object (a payload, or {trigger, payload})', { location: { file } });
  const typeField = (['trigger', 'trigger_type', 'type'] as const).find((k) => typeof doc[k] === 'string');
  if (typeField !== undefined && 'payload' in doc) {
    if (!isPlainObject(doc.payload)) throw new NrxError('NRX_ERR_PAYLOAD_INVALID', "'payload' must be a JSON object", { location: { file, field: 'payload' } });
    const device = typeof doc.device === 'string' ? doc.device : undefined;
    return makeEvent(doc[typeField] as string, doc.payload, { source, ...(device !== undefined ? { device } : {}) });
  }
  return makeEvent(defaultType, doc, { source });
}

export function testRule(ruleFile: string, eventFile: string, opts: RuleTestOptions & { pack?: string } = {}): RuleTestResult {
  let rule: Rule;
  try {
    rule = parseRule(loadYamlFile(ruleFile), opts.pack !== undefined ? { pack: opts.pack } : {});
  } catch (e) {
    return { exitCode: 2, matched: false, rule: null, trigger: null, failures: [], error: describeError(e) };
  }
  let event: EventEnvelope;
  try {
    event = readEventFile(eventFile, rule.trigger.type);
  } catch (e) {
    return { exitCode: 2, matched: false, rule: rule.ref, trigger: null, failures: [], error: describeError(e) };
  }
  return testParsedRule(rule, event, opts);
}

export interface RuleTestOptions {
  now?: number;
  /**
   * Whether `| decrypt_kv` shows plaintext: 'reveal' only for a caller who may read secrets
   * (secrets:read); by default the preview shows '********'.
   */
  secrets?: SecretView;
  /** Names the rule's templates may use besides the event (the datastore's `st2kv`). */
  names?: Readonly<Record<string, unknown>>;
}

/**
 * The rule tester's verdict for a rule and an event already parsed (CLI files, API bodies).
 * Criteria and parameters render as one preview: the preview time limit, secrets masked
 * unless `secrets: 'reveal'`.
 */
export function testParsedRule(rule: Rule, event: EventEnvelope, opts: RuleTestOptions = {}): RuleTestResult {
  return withPreview(opts.secrets ?? 'mask', () => {
    const r = verdict(rule, event, opts);
    if (currentRender()!.masked > 0) r.notes = [...(r.notes ?? []), 'secrets show as ******** (decrypting them needs secrets:read)'];
    return r;
  });
}

function verdict(rule: Rule, event: EventEnvelope, opts: RuleTestOptions): RuleTestResult {
  const base = { rule: rule.ref, trigger: event.type };
  if (event.type !== rule.trigger.type) {
    return {
      ...base,
      exitCode: 1,
      matched: false,
      failures: [{ key: 'trigger.type', reason: `rule listens for '${rule.trigger.type}', the event is '${event.type}'` }],
    };
  }
  const context = ruleContext(event);
  const r = rule.compiledCriteria.test(context, {
    explain: true,
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    ...(opts.names ? { names: opts.names } : {}),
  });
  if (!r.matched) return { ...base, exitCode: 1, matched: false, failures: r.failures, ...(r.error ? { error: describeError(r.error) } : {}) };
  let parameters: Record<string, unknown>;
  try {
    parameters = renderValue(rule.action.parameters, { ...opts.names, ...context }, { file: rule.file, field: 'action.parameters' }) as Record<string, unknown>;
  } catch (e) {
    return { ...base, exitCode: 2, matched: true, failures: [], actionRef: rule.action.ref, error: describeError(e) };
  }
  const notes: string[] = [];
  if (!rule.enabled) notes.push('the rule is disabled (enabled: true is needed for it to fire)');
  if (rule.holdDown) notes.push(`hold_down ${rule.holdDown.for}: fires only if no clearing event arrives within ${rule.holdDown.for}`);
  if (rule.throttle)
    notes.push(`throttle: at most ${rule.throttle.max} per ${rule.throttle.per}${rule.throttle.then ? `, then escalates to ${rule.throttle.then}` : ''}`);
  return { ...base, exitCode: 0, matched: true, failures: [], actionRef: rule.action.ref, parameters, ...(notes.length ? { notes } : {}) };
}
