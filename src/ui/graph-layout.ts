// Where each task sits: top-down in the order of the transitions (dagre), computed apart from
// the drawing so it can be measured and tested without a browser.
import dagre from '@dagrejs/dagre';
import type { WorkflowGraphModel } from './workflow-model.js';

export const NODE_W = 190;
export const NODE_H = 58;

/** Positions for every task, top-down in the order of the transitions (dagre). */
export function layout(model: WorkflowGraphModel): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of model.tasks) g.setNode(t.name, { width: NODE_W, height: NODE_H });
  for (const tr of model.transitions) if (g.hasNode(tr.to) && g.hasNode(tr.from)) g.setEdge(tr.from, tr.to);
  dagre.layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const t of model.tasks) {
    const n = g.node(t.name) as { x: number; y: number } | undefined;
    out.set(t.name, { x: (n?.x ?? 0) - NODE_W / 2, y: (n?.y ?? 0) - NODE_H / 2 });
  }
  return out;
}
