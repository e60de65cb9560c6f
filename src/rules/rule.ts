import { shellTemplateProblemsIn } from '../core/shell-command.js';
import { timerParameterProblems } from './timer-parameters.js';
import { specError, type YamlSource } from '../core/yaml.js';
import { compileCriteria, type CompiledCriteria } from '../criteria/criteria.js';
import { isPlainObject } from '../criteria/values.js';
import { isActionRef, parseHoldDown, parseMaintenanceMode, parseThrottle, type HoldDownSpec, type MaintenanceMode, type ThrottleSpec } from './extensions.js';

export type { HoldDownSpec, MaintenanceMode, ThrottleSpec } from './extensions.js';

/**
 * A rule: "when this trigger fires and these criteria hold, run this action". A StackStorm
 * rule file loads unchanged; throttle, hold_down and maintenance are netreflex's additions.
 */
export interface Rule {
  /** `pack.name`. */
  ref: string;
  name: string;
  pack: string;
  description: string | null;
  /** As in StackStorm, a rule without `enabled: true` is loaded but never fires. */
  enabled: boolean;
  /** StackStorm's rule type: a backstop rule fires only when no standard rule matched. */
  ruleType: 'standard' | 'backstop';
  trigger: { type: string; parameters: Record<string, unknown> };
  /** The criteria map as written. */
  criteria: Record<string, unknown>;
  compiledCriteria: CompiledCriteria;
  action: { ref: string; parameters: Record<string, unknown> };
  tags: Array<Record<string, unknown>>;
  context: Record<string, unknown>;
  throttle: ThrottleSpec | null;
  holdDown: HoldDownSpec | null;
  maintenance: MaintenanceMode;
  /** The file the rule came from. */
  file: string;
}

const TOP_LEVEL = [
  'id',
  'ref',
  'uid',
  'name',
  'pack',
  'description',
  'type',
  'trigger',
  'criteria',
  'action',
  'enabled',
  'context',
  'tags',
  'metadata_file',
  'throttle',
  'hold_down',
  'maintenance',
];
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const PACK = /^[A-Za-z0-9_-]+$/;

type Src = Pick<YamlSource, 'file' | 'lineOf'>;

function str(src: Src, path: string[], v: unknown, required: boolean): string | null {
  if (v === undefined || v === null) {
    if (required) throw specError(src, path, `'${path.join('.')}' is required`);
    return null;
  }
  if (typeof v !== 'string' || (required && v.trim() === ''))
    throw specError(src, path, `'${path.join('.')}' must be a${required ? ' non-empty' : ''} string, got ${JSON.stringify(v)}`);
  return v;
}

function map(src: Src, path: string[], v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw specError(src, path, `'${path.join('.')}' must be a map`);
  return v;
}

export function parseRule(src: YamlSource, opts: { pack?: string } = {}): Rule {
  const doc = src.doc;
  if (!isPlainObject(doc)) throw specError(src, [], 'a rule file must be a YAML map with name, trigger and action');
  for (const k of Object.keys(doc)) if (!TOP_LEVEL.includes(k)) throw specError(src, [k], `unknown field '${k}' in a rule`);

  const name = str(src, ['name'], doc.name, true)!;
  if (!NAME.test(name)) throw specError(src, ['name'], `rule name ${JSON.stringify(name)} may hold only letters, digits, '_', '-' and '.'`);
  const filePack = str(src, ['pack'], doc.pack, false);
  if (filePack !== null && opts.pack !== undefined && filePack !== opts.pack) {
    throw specError(src, ['pack'], `rule says pack '${filePack}' but is loaded from pack '${opts.pack}'`);
  }
  const pack = filePack ?? opts.pack ?? 'default';
  if (!PACK.test(pack)) throw specError(src, ['pack'], `pack name ${JSON.stringify(pack)} may hold only letters, digits, '_' and '-'`);

  if (doc.enabled !== undefined && typeof doc.enabled !== 'boolean')
    throw specError(src, ['enabled'], `'enabled' must be true or false, got ${JSON.stringify(doc.enabled)}`);

  let ruleType: Rule['ruleType'] = 'standard';
  if (doc.type !== undefined && doc.type !== null) {
    const t = map(src, ['type'], doc.type);
    const ref = str(src, ['type', 'ref'], t.ref, true);
    if (ref !== 'standard' && ref !== 'backstop')
      throw specError(src, ['type', 'ref'], `rule type must be 'standard' or 'backstop', got ${JSON.stringify(ref)}`);
    ruleType = ref;
  }

  if (doc.trigger === undefined || doc.trigger === null)
    throw specError(src, ['trigger'], "'trigger' is required (with 'type', e.g. network.bgp_peer_state_changed)");
  const trigger = map(src, ['trigger'], doc.trigger);
  const triggerType = str(src, ['trigger', 'type'], trigger.type, true)!;
  // timers: the parameters StackStorm's API accepts, checked here so the rule file and field are named
  const timerProblem = timerParameterProblems(triggerType, map(src, ['trigger', 'parameters'], trigger.parameters))[0];
  if (timerProblem) throw specError(src, ['trigger', 'parameters', ...(timerProblem.field ? [timerProblem.field] : [])], timerProblem.message);

  if (doc.action === undefined || doc.action === null) throw specError(src, ['action'], "'action' is required (with 'ref' and 'parameters')");
  const action = map(src, ['action'], doc.action);
  for (const k of Object.keys(action))
    if (!['ref', 'description', 'parameters'].includes(k))
      throw specError(src, ['action', k], `unknown field '${k}' in action (allowed: ref, description, parameters)`);
  const actionRef = str(src, ['action', 'ref'], action.ref, true)!;
  if (!isActionRef(actionRef)) throw specError(src, ['action', 'ref'], `action ref must look like 'pack.action', got ${JSON.stringify(actionRef)}`);
  const unsafe = shellTemplateProblemsIn(action.parameters, ['action', 'parameters'])[0];
  if (unsafe) throw specError(src, unsafe.path, unsafe.message);

  const criteria = map(src, ['criteria'], doc.criteria);
  const compiledCriteria = compileCriteria(criteria, { file: src.file, path: ['criteria'], lineOf: src.lineOf });

  let tags: Array<Record<string, unknown>> = [];
  if (doc.tags !== undefined && doc.tags !== null) {
    if (!Array.isArray(doc.tags)) throw specError(src, ['tags'], "'tags' must be a list of {name, value}");
    tags = doc.tags.map((t, i) => {
      if (!isPlainObject(t)) throw specError(src, ['tags', i], 'each tag must be a map {name, value}');
      return t;
    });
  }

  return {
    ref: `${pack}.${name}`,
    name,
    pack,
    description: str(src, ['description'], doc.description, false),
    enabled: doc.enabled === true,
    ruleType,
    trigger: { type: triggerType, parameters: map(src, ['trigger', 'parameters'], trigger.parameters) },
    criteria,
    compiledCriteria,
    action: { ref: actionRef, parameters: map(src, ['action', 'parameters'], action.parameters) },
    tags,
    context: map(src, ['context'], doc.context),
    throttle: parseThrottle(src, doc.throttle),
    holdDown: parseHoldDown(src, doc.hold_down),
    maintenance: parseMaintenanceMode(src, doc.maintenance),
    file: src.file,
  };
}
