// An editable ActionChain document (StackStorm's `chain` of nodes with `ref`, `parameters` or
// `params`, `on-success`, `on-failure`), edited in place like OrquestaDraft so comments and
// the layout of everything an edit does not touch are kept.
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { graphOf, type WorkflowGraphModel } from './workflow-model.js';

export type ChainOutcome = 'on-success' | 'on-failure';
export const CHAIN_OUTCOMES: readonly ChainOutcome[] = ['on-success', 'on-failure'];

export class ChainDraft {
  readonly doc: Document;

  constructor(text: string) {
    this.doc = parseDocument(text, { keepSourceTokens: false });
  }

  graph(): WorkflowGraphModel {
    return graphOf('action-chain', this.doc.toJS());
  }

  text(): string {
    return this.doc.toString({ lineWidth: 0 });
  }

  private chain(): YAMLSeq {
    let chain = this.doc.get('chain');
    if (!isSeq(chain)) {
      chain = this.doc.createNode([]);
      this.doc.set('chain', chain);
    }
    return chain as YAMLSeq;
  }

  private nodes(): YAMLMap[] {
    return this.chain().items.filter(isMap);
  }

  private node(name: string): YAMLMap {
    const n = this.nodes().find((m) => String(m.get('name')) === name);
    if (!n) throw new Error(`no node '${name}'`);
    return n;
  }

  /** A node's action, parameters and where it goes next, as plain data. */
  nodeOf(name: string): { ref: string; parameters: Record<string, unknown>; next: Record<ChainOutcome, string> } {
    const js = this.node(name).toJSON() as Record<string, unknown>;
    const params = (js.parameters ?? js.params ?? {}) as Record<string, unknown>;
    const next = { 'on-success': '', 'on-failure': '' };
    for (const o of CHAIN_OUTCOMES) if (typeof js[o] === 'string') next[o] = js[o] as string;
    return { ref: typeof js.ref === 'string' ? js.ref : '', parameters: params, next };
  }

  addTask(name: string, action: string): void {
    if (this.nodes().some((m) => String(m.get('name')) === name)) throw new Error(`a node '${name}' exists already`);
    this.chain().add(this.doc.createNode({ name, ref: action }));
  }

  /** Remove the node and every on-success / on-failure (and `default`) that names it. */
  removeTask(name: string): void {
    const chain = this.chain();
    chain.items = chain.items.filter((m) => !(isMap(m) && String(m.get('name')) === name));
    for (const m of this.nodes()) for (const o of CHAIN_OUTCOMES) if (m.get(o) === name) m.delete(o);
    if (this.doc.get('default') === name) this.doc.delete('default');
  }

  /** A chain node has one next node per outcome: connecting replaces it. */
  connect(from: string, to: string, outcome: ChainOutcome = 'on-success'): void {
    this.node(from).set(outcome, to);
  }

  /** Remove the edge from -> to (only for that outcome when one is given). */
  disconnect(from: string, to: string, outcome?: ChainOutcome): void {
    const n = this.node(from);
    for (const o of outcome ? [outcome] : CHAIN_OUTCOMES) if (n.get(o) === to) n.delete(o);
  }

  /** Set (or with '' remove) where the node goes on success or failure. */
  setNext(name: string, outcome: ChainOutcome, to: string): void {
    if (to) this.node(name).set(outcome, to);
    else this.node(name).delete(outcome);
  }

  setAction(name: string, action: string): void {
    this.node(name).set('ref', action);
  }

  /** Set one parameter (in `parameters`, or `params` if the file uses that); an empty string removes it. */
  setInput(name: string, key: string, value: unknown): void {
    const n = this.node(name);
    const field = n.has('parameters') || !n.has('params') ? 'parameters' : 'params';
    let params = n.get(field);
    if (value === '' || value === undefined) {
      if (isMap(params)) {
        params.delete(key);
        if (params.items.length === 0) n.delete(field);
      }
      return;
    }
    if (!isMap(params)) {
      params = this.doc.createNode({});
      n.set(field, params);
    }
    (params as YAMLMap).set(key, value);
  }
}

/** A new chain with one node. */
export function blankChain(): string {
  return ['chain:', '  - name: start', '    ref: core.noop', ''].join('\n');
}
