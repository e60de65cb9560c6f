import type { State } from 'js-yaml';
import { NrxError } from './errors.js';

/**
 * Bounds on YAML aliases (`*name`) in everything an operator or API caller writes. js-yaml
 * shares an aliased node by reference, so a "billion laughs" document loads at once and
 * only blows up later, when a loader, a template or JSON.stringify walks it: 8 levels of
 * 10 aliases become 10^8 nodes. Counting aliases while parsing and measuring what they
 * would expand to (memoised per shared node, so the measure itself stays linear) stops
 * such a document before anything walks it. Merge keys (`<<: *defaults`) are aliases too,
 * hence room for a thousand of them.
 */
export const YAML_ALIAS_LIMITS = {
  /** Alias nodes in one document. */
  aliases: 1_000,
  /** What all aliases add when expanded, in characters of JSON (about bytes). */
  expansion: 1_000_000,
};

interface Alias {
  line: number;
  target: unknown;
  /** Where the parser stood after it: the nodes that wrap an alias close there too. */
  end: number;
}

export interface AliasGuard {
  /** js-yaml's `listener` option. */
  listener: (event: 'open' | 'close', state: State) => void;
  /** Throw NRX_ERR_YAML_SYNTAX (file, line) when the aliases expand too far or form a cycle. */
  check(): void;
}

export function aliasGuard(text: string, file: string, limits = YAML_ALIAS_LIMITS): AliasGuard {
  const aliases: Alias[] = [];
  const opened: Array<{ position: number; line: number }> = [];
  const refuse = (line: number, message: string): NrxError => new NrxError('NRX_ERR_YAML_SYNTAX', message, { location: { file, line } });

  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      opened.push({ position: state.position, line: state.line });
      return;
    }
    const open = opened.pop();
    // An alias node has no kind of its own: its result is the anchored node.
    if (state.kind !== null || state.result === null || state.result === undefined || !open) return;
    if (aliases[aliases.length - 1]?.end === state.position) return;
    const line = lineOfAlias(text, open.position, open.line);
    if (aliases.length >= limits.aliases) throw refuse(line, `too many YAML aliases: more than ${limits.aliases} in one document`);
    aliases.push({ line, target: state.result, end: state.position });
  };

  const check = (): void => {
    const sizes = new Map<object, number>();
    let total = 0;
    for (const a of aliases) {
      let size: number;
      try {
        size = jsonSize(a.target, sizes);
      } catch (e) {
        if (e === CYCLE) throw refuse(a.line, 'YAML alias refers to a node that contains it (an endless document)');
        throw e;
      }
      total += size;
      if (total > limits.expansion)
        throw refuse(a.line, `YAML aliases expand the document by more than ${limits.expansion.toLocaleString('en-US')} characters (an alias bomb?)`);
    }
  };

  return { listener, check };
}

/** 1-based line of the `*` that starts the alias read from `position` on. */
function lineOfAlias(text: string, position: number, line0: number): number {
  const star = text.indexOf('*', position);
  let line = line0;
  for (let i = position; i < star; i++) if (text.charCodeAt(i) === 10) line++;
  return line + 1;
}

const CYCLE = Symbol('cycle');

function scalarSize(v: unknown): number {
  return typeof v === 'string' ? v.length + 2 : String(v).length;
}

interface Frame {
  node: object;
  children: unknown[];
  next: number;
  size: number;
}

/**
 * Size of a value as JSON, each shared node measured once (`sizes`). Iterative, since a
 * chain of aliases can nest deeper than the stack. Throws CYCLE for a node inside itself.
 */
function jsonSize(root: unknown, sizes: Map<object, number>): number {
  if (root === null || typeof root !== 'object') return scalarSize(root);
  const known = sizes.get(root);
  if (known !== undefined) return known;
  const onPath = new Set<object>();
  const frame = (node: object): Frame => {
    onPath.add(node);
    const isList = Array.isArray(node);
    const keys = isList ? [] : Object.keys(node);
    let size = 2;
    for (const k of keys) size += k.length + 3;
    return { node, children: isList ? node : keys.map((k) => (node as Record<string, unknown>)[k]), next: 0, size };
  };
  const stack: Frame[] = [frame(root)];
  for (;;) {
    const f = stack[stack.length - 1]!;
    if (f.next < f.children.length) {
      const child = f.children[f.next++];
      if (child === null || typeof child !== 'object') {
        f.size += scalarSize(child) + 1;
        continue;
      }
      const done = sizes.get(child);
      if (done !== undefined) f.size += done + 1;
      else if (onPath.has(child)) throw CYCLE;
      else stack.push(frame(child));
      continue;
    }
    stack.pop();
    onPath.delete(f.node);
    sizes.set(f.node, f.size);
    const parent = stack[stack.length - 1];
    if (!parent) return f.size;
    parent.size += f.size + 1;
  }
}
