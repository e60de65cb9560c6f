import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** An inquiry (core.ask) a run is waiting on, as `run` prints it. */
export interface PendingInquiry {
  id: string;
  task: string | null;
  status: 'pending';
  /** The answer's fields, from the inquiry's schema. */
  schema: Record<string, unknown> | null;
  /** The command that answers it, with every field the schema requires. */
  respond: string;
}

const WORKFLOW_RUNNERS = new Set(['orquesta', 'action-chain']);
const UNFINISHED_WORK = ['requested', 'scheduled', 'delayed', 'running', 'pending', 'pausing', 'resuming', 'canceling'] as const;

/**
 * The inquiries under `rootId` when nothing else under it can move: every unfinished execution
 * is a pending inquiry or a workflow waiting on one. Empty while other work still runs.
 */
export async function stalledOnInquiries(store: Store, rootId: string): Promise<PendingInquiry[]> {
  const open = (await store.listExecutions({ rootId, status: [...UNFINISHED_WORK], limit: 10_000 })).filter((r) => r.id === rootId || r.rootId === rootId);
  const pending = open.filter((r) => r.status === 'pending');
  if (pending.length === 0) return [];
  if (open.some((r) => r.status !== 'pending' && !WORKFLOW_RUNNERS.has(r.runner))) return [];
  return pending.sort((a, b) => (a.id < b.id ? -1 : 1)).map(inquiryView);
}

function inquiryView(r: ExecutionRecord): PendingInquiry {
  const schema = (r.parameters.schema ?? null) as { properties?: Record<string, { type?: string; required?: boolean }>; required?: string[] } | null;
  const props = schema?.properties ?? {};
  const needed = Object.keys(props).filter((k) => props[k]?.required === true || schema?.required?.includes(k));
  const answer = (needed.length ? needed : Object.keys(props).slice(0, 1)).map((k) => `${k}=${exampleValue(props[k]?.type)}`);
  return { id: r.id, task: r.taskName, status: 'pending', schema: props, respond: ['netreflex inquiry respond', r.id, ...answer].join(' ') };
}

function exampleValue(type: string | undefined): string {
  if (type === 'boolean') return 'true';
  if (type === 'integer' || type === 'number') return '1';
  return '...';
}

/**
 * Resolve with the final record, or with the inquiries once the run can only wait for a human:
 * an in-process run has no API to answer through, so it reports them instead of waiting forever.
 */
export function finishedOrAsking(
  wait: Promise<ExecutionRecord>,
  store: Store,
  rootId: string,
  pollMs = 100,
): Promise<{ done: ExecutionRecord } | { asking: PendingInquiry[] }> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const end = (v: { done: ExecutionRecord } | { asking: PendingInquiry[] }): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      resolve(v);
    };
    wait.then((done) => end({ done }), reject);
    const look = (): void => {
      stalledOnInquiries(store, rootId).then((asking) => {
        if (over) return;
        if (asking.length) end({ asking });
        else timer = setTimeout(look, pollMs);
      }, reject);
    };
    timer = setTimeout(look, pollMs);
  });
}
