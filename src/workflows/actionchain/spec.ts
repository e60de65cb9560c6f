import { specError, type YamlSource } from '../../core/spec-error.js';
import { shellTemplateProblemsIn } from '../../core/shell-command.js';

/**
 * A StackStorm ActionChain file, read unchanged: `chain` (nodes with name, ref,
 * parameters or params, on-success, on-failure, publish, notify), `default` and `vars`.
 * The parsed spec is plain data (JSON-safe) and remembers where each field sits, so a
 * render error at run time can still name file, line and field.
 */

export interface ChainNode {
  name: string;
  /** The action to run (`pack.action`). */
  ref: string;
  /** Index in the `chain` list, for field paths such as `chain[2].parameters.cmd`. */
  index: number;
  /** Raw (unrendered) parameters; `params` is StackStorm's older name for the same field. */
  parameters: Record<string, unknown>;
  /** Which of the two names the file used, so error messages quote the operator's word. */
  parametersField: 'parameters' | 'params';
  onSuccess: string | null;
  onFailure: string | null;
  /** Raw publish templates, or null when the node publishes nothing. */
  publish: Record<string, unknown> | null;
  /** Line of the node's `name`, and of each top-level parameter and publish key. */
  line: number | null;
  parameterLines: Record<string, number>;
  publishLines: Record<string, number>;
}

export interface ChainVar {
  name: string;
  value: unknown;
  line: number | null;
}

export interface ChainSpec {
  file: string;
  nodes: ChainNode[];
  /** The node that runs first. */
  default: string;
  /** Chain variables in file order: later ones may reference earlier ones. */
  vars: ChainVar[];
}

const TOP_KEYS = new Set(['chain', 'default', 'vars']);
// `description` is not in StackStorm's node schema but its own examples use it (and its
// validator only checks the first node), so real chains carry it.
const NODE_KEYS = new Set(['name', 'ref', 'parameters', 'params', 'on-success', 'on-failure', 'publish', 'notify', 'description']);

type Path = Array<string | number>;

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseActionChain(src: YamlSource): ChainSpec {
  const doc = src.doc;
  if (!isMapping(doc)) throw specError(src, [], 'an ActionChain file must be a mapping with a `chain` list');
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) throw specError(src, [key], `unknown top-level key '${key}' (allowed: chain, default, vars)`);
  }
  const chain = doc['chain'];
  if (!Array.isArray(chain)) throw specError(src, ['chain'], '`chain` is required and must be a list of nodes');
  if (chain.length === 0) throw specError(src, ['chain'], '`chain` must contain at least one node');

  const nodes = chain.map((raw, i) => parseNode(src, raw, i));

  const firstSeen = new Map<string, ChainNode>();
  for (const node of nodes) {
    const earlier = firstSeen.get(node.name);
    if (earlier) {
      const at = earlier.line !== null ? ` (first defined at line ${earlier.line})` : '';
      throw specError(src, ['chain', node.index, 'name'], `duplicate node name '${node.name}'${at}`);
    }
    firstSeen.set(node.name, node);
  }

  for (const node of nodes) {
    for (const [field, target] of [
      ['on-success', node.onSuccess],
      ['on-failure', node.onFailure],
    ] as const) {
      if (target !== null && !firstSeen.has(target)) {
        throw specError(src, ['chain', node.index, field], `node '${node.name}' ${field} names unknown node '${target}'`);
      }
    }
  }

  let start: string;
  const rawDefault = doc['default'];
  if (rawDefault === undefined || rawDefault === null || rawDefault === '') {
    start = defaultNode(nodes);
  } else {
    if (typeof rawDefault !== 'string') throw specError(src, ['default'], '`default` must be a node name');
    if (!firstSeen.has(rawDefault)) throw specError(src, ['default'], `\`default\` names unknown node '${rawDefault}'`);
    start = rawDefault;
  }

  return { file: src.file, nodes, default: start, vars: parseVars(src, doc['vars']) };
}

/**
 * StackStorm's rule when `default` is absent: the first node (in file order) that no
 * on-success/on-failure points at, else the first node.
 */
function defaultNode(nodes: ChainNode[]): string {
  const referenced = new Set<string>();
  for (const n of nodes) {
    if (n.onSuccess !== null) referenced.add(n.onSuccess);
    if (n.onFailure !== null) referenced.add(n.onFailure);
  }
  return (nodes.find((n) => !referenced.has(n.name)) ?? nodes[0]!).name;
}

function parseNode(src: YamlSource, raw: unknown, i: number): ChainNode {
  const at: Path = ['chain', i];
  if (!isMapping(raw)) throw specError(src, at, `chain node ${i + 1} must be a mapping with name and ref`);
  for (const key of Object.keys(raw)) {
    if (!NODE_KEYS.has(key)) {
      throw specError(src, [...at, key], `unknown key '${key}' in chain node ${i + 1} (allowed: ${[...NODE_KEYS].join(', ')})`);
    }
  }
  const name = raw['name'];
  if (name === undefined || name === null) throw specError(src, at, `chain node ${i + 1} has no name`);
  if (typeof name !== 'string' || name.trim() === '') throw specError(src, [...at, 'name'], `chain node ${i + 1}: name must be a non-empty string`);
  const ref = raw['ref'];
  if (ref === undefined || ref === null) throw specError(src, at, `node '${name}' has no ref (the action to run)`);
  if (typeof ref !== 'string' || ref.trim() === '') throw specError(src, [...at, 'ref'], `node '${name}': ref must be an action reference such as core.local`);

  const hasParameters = raw['parameters'] !== undefined && raw['parameters'] !== null;
  const hasParams = raw['params'] !== undefined && raw['params'] !== null;
  if (hasParameters && hasParams) throw specError(src, [...at, 'params'], `node '${name}' has both params and parameters; use one`);
  const parametersField = hasParams ? 'params' : 'parameters';
  const parameters = optionalMapping(src, [...at, parametersField], raw[parametersField], `node '${name}': ${parametersField}`) ?? {};
  const unsafe = shellTemplateProblemsIn(parameters, [...at, parametersField])[0];
  if (unsafe) throw specError(src, unsafe.path, unsafe.message);
  const publish = optionalMapping(src, [...at, 'publish'], raw['publish'], `node '${name}': publish`);
  if (raw['notify'] !== undefined && raw['notify'] !== null && !isMapping(raw['notify'])) {
    throw specError(src, [...at, 'notify'], `node '${name}': notify must be a mapping`);
  }

  return {
    name,
    ref,
    index: i,
    parameters,
    parametersField,
    onSuccess: nextName(src, [...at, 'on-success'], raw['on-success'], name),
    onFailure: nextName(src, [...at, 'on-failure'], raw['on-failure'], name),
    publish,
    line: src.lineOf([...at, 'name']) ?? src.lineOf(at) ?? null,
    parameterLines: linesOf(src, [...at, parametersField], parameters),
    publishLines: linesOf(src, [...at, 'publish'], publish ?? {}),
  };
}

function nextName(src: YamlSource, path: Path, v: unknown, node: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  const field = String(path[path.length - 1]);
  if (typeof v !== 'string') throw specError(src, path, `node '${node}': ${field} must be a node name`);
  // StackStorm accepts a template here at load time but never renders it, so such a
  // chain cannot work there either; saying so now is kinder.
  if (/\{\{|\{%/.test(v)) throw specError(src, path, `node '${node}': ${field} must name a node literally, not a template`);
  return v;
}

function optionalMapping(src: YamlSource, path: Path, v: unknown, what: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (!isMapping(v)) throw specError(src, path, `${what} must be a mapping`);
  return v;
}

function linesOf(src: YamlSource, base: Path, m: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(m)) {
    const line = src.lineOf([...base, key]);
    if (line !== undefined) out[key] = line;
  }
  return out;
}

function parseVars(src: YamlSource, v: unknown): ChainVar[] {
  const vars = optionalMapping(src, ['vars'], v, '`vars`');
  if (!vars) return [];
  return Object.entries(vars).map(([name, value]) => ({ name, value, line: src.lineOf(['vars', name]) ?? null }));
}
