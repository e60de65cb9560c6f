// A workflow drawn as a graph: tasks are nodes, transitions edges labelled with their `when`.
// Laid out top-down by dagre; coloured by each task's status when an execution is shown.
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import { layout } from './graph-layout';
import type { Transition, WorkflowGraphModel } from './workflow-model';

type EdgeData = { tr: Transition };
const edgeId = (tr: Transition, i: number): string => `${tr.from}->${tr.to}#${i}`;

export interface TaskState {
  status?: string;
  /** With-items: finished and total items. */
  done?: number;
  total?: number;
}

type TaskNodeData = { name: string; action: string | null; state?: TaskState; problem?: string; selected: boolean; connectable: boolean };

/** Which handle a new transition was drawn from: the lower edge for success, the right edge for failure. */
export type Outcome = 'success' | 'failure';

function TaskBox({ data }: NodeProps<Node<TaskNodeData>>) {
  const s = data.state;
  const status = s?.status ?? 'not-run';
  return (
    <div
      className={`task-node status-${status}${data.problem ? ' has-problem' : ''}${data.selected ? ' selected' : ''}`}
      data-task={data.name}
      data-status={status}
      title={data.problem ?? `${data.name}: ${status}`}
    >
      <Handle type="target" position={Position.Top} />
      <div className="task-name">{data.name}</div>
      <div className="task-action">
        {data.action ?? '(no action)'}
        {s?.total ? (
          <span className="task-progress">
            {' '}
            {s.done ?? 0}/{s.total}
          </span>
        ) : null}
      </div>
      {data.problem ? <div className="task-problem">{data.problem}</div> : null}
      <Handle type="source" position={Position.Bottom} id="success" title="drag to the next task on success" />
      {data.connectable ? <Handle type="source" position={Position.Right} id="failure" title="drag to the next task on failure" /> : null}
    </div>
  );
}

const nodeTypes = { task: TaskBox };

export interface WorkflowGraphProps {
  model: WorkflowGraphModel;
  states?: Record<string, TaskState>;
  problems?: Record<string, string>;
  selected?: string | null;
  onSelect?: (task: string | null) => void;
  /** Designer: dragging from a task's lower (success) or right (failure) handle to another's top adds a transition. */
  onConnect?: (from: string, to: string, outcome: Outcome) => void;
  /** Designer: the selected transition (its edge id), chosen by click or Enter. */
  selectedEdge?: string | null;
  onSelectEdge?: (edge: Transition | null, id: string | null) => void;
  /** Designer: Delete or Backspace removes the selected tasks, else the selected transitions. */
  onDelete?: (tasks: string[], transitions: Transition[]) => void;
  height?: number;
}

export function WorkflowGraph(p: WorkflowGraphProps) {
  const positions = useMemo(() => layout(p.model), [p.model]);
  // React Flow hides a node until it knows its size, and forgets the size when handed a new
  // node object: a running execution re-renders every few seconds, so each node keeps its object
  // while nothing about it changed, and a changed one carries the size last measured.
  const drawn = useRef(new Map<string, Node<TaskNodeData>>());
  const sizes = useRef(new Map<string, { width: number; height: number }>());
  const nodes: Node<TaskNodeData>[] = p.model.tasks.map((t) => {
    const data: TaskNodeData = {
      name: t.name,
      action: t.action,
      state: p.states?.[t.name],
      problem: p.problems?.[t.name],
      selected: p.selected === t.name,
      connectable: Boolean(p.onConnect),
    };
    const position = positions.get(t.name) ?? { x: 0, y: 0 };
    const before = drawn.current.get(t.name);
    if (before && sameNode(before, data, position)) return before;
    const size = sizes.current.get(t.name);
    const node: Node<TaskNodeData> = {
      id: t.name,
      type: 'task',
      position,
      data,
      selected: data.selected,
      draggable: false,
      ...(size ? { measured: size } : {}),
    };
    drawn.current.set(t.name, node);
    return node;
  });
  const edges: Edge<EdgeData>[] = p.model.transitions.map((tr, i) => ({
    id: edgeId(tr, i),
    data: { tr },
    selected: p.selectedEdge === edgeId(tr, i),
    source: tr.from,
    target: tr.to,
    label: shortWhen(tr.when),
    markerEnd: { type: MarkerType.ArrowClosed },
    className: `edge-${edgeKind(tr.when)}`,
  }));
  return (
    <div className="graph" style={{ height: p.height ?? 460 }} data-testid="workflow-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesConnectable={Boolean(p.onConnect)}
        onConnect={(c: Connection) =>
          c.source && c.target && c.source !== c.target && p.onConnect?.(c.source, c.target, c.sourceHandle === 'failure' ? 'failure' : 'success')
        }
        onNodeClick={(_e, n) => p.onSelect?.(n.id)}
        onEdgeClick={(_e, e) => p.onSelectEdge?.(e.data?.tr ?? null, e.id)}
        onEdgesChange={(changes) => {
          for (const c of changes) if (c.type === 'select' && c.selected) p.onSelectEdge?.(edges.find((e) => e.id === c.id)?.data?.tr ?? null, c.id);
        }}
        deleteKeyCode={p.onDelete ? ['Delete', 'Backspace'] : null}
        onDelete={({ nodes: gone, edges: cut }) =>
          p.onDelete?.(
            gone.map((n) => n.id),
            cut.flatMap((e) => (e.data ? [e.data.tr] : [])),
          )
        }
        // keyboard: Tab to a task, Enter or Space selects it (React Flow reports it as a select change)
        onNodesChange={(changes) => {
          for (const c of changes) {
            if (c.type === 'select' && c.selected) p.onSelect?.(c.id);
            if (c.type === 'dimensions' && c.dimensions) sizes.current.set(c.id, c.dimensions);
          }
        }}
        onPaneClick={() => {
          p.onSelect?.(null);
          p.onSelectEdge?.(null, null);
        }}
        proOptions={{ hideAttribution: true }}
        minZoom={0.1}
      >
        <Background />
        <Controls showInteractive={false} />
        <FitWhenTasksChange signature={p.model.tasks.map((t) => t.name).join('\n')} />
      </ReactFlow>
    </div>
  );
}

/** A task added or removed re-frames the graph, so the new node is in view. */
function FitWhenTasksChange({ signature }: { signature: string }) {
  const flow = useReactFlow();
  useEffect(() => {
    const t = setTimeout(() => void flow.fitView({ padding: 0.15 }), 0);
    return () => clearTimeout(t);
  }, [signature, flow]);
  return null;
}

function shortWhen(when: string | null): string | undefined {
  if (!when) return undefined;
  const w = when.replace(/^<%\s*|\s*%>$/g, '').replace(/^\{\{\s*|\s*\}\}$/g, '');
  return w.length > 40 ? `${w.slice(0, 38)}…` : w;
}

function edgeKind(when: string | null): string {
  if (!when) return 'always';
  if (/failed\(\)|on-failure/.test(when)) return 'failure';
  if (/succeeded\(\)|on-success/.test(when)) return 'success';
  return 'conditional';
}

function sameNode(node: Node<TaskNodeData>, data: TaskNodeData, position: { x: number; y: number }): boolean {
  const a = node.data;
  return (
    node.position.x === position.x &&
    node.position.y === position.y &&
    a.name === data.name &&
    a.action === data.action &&
    a.problem === data.problem &&
    a.selected === data.selected &&
    a.connectable === data.connectable &&
    a.state?.status === data.state?.status &&
    a.state?.done === data.state?.done &&
    a.state?.total === data.state?.total
  );
}
