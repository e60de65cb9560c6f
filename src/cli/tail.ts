import { NrxError } from '../core/errors.js';
import { TERMINAL_STATUSES, type ExecutionRecord, type ExecutionStatus, type TaskRecord } from '../store/records.js';
import type { ApiClient, SseMessage } from './api-client.js';
import { colorStatus } from './output.js';

export interface FollowOptions {
  /** Every message as one JSON line on stdout. */
  json?: boolean;
  /** Print nothing; the caller prints the outcome. */
  quiet?: boolean;
  /** Stop following (not the execution) when this aborts. */
  signal?: AbortSignal;
}

/** How long the task streams may lag behind the workflow's end before following stops. */
const TASK_DRAIN_MS = 2_000;

/**
 * Follow one execution over the API's SSE routes until it ends: its output lines to stdout as
 * they come and, for a workflow, every task's output prefixed with the task name (a task may
 * be a workflow itself); status changes to stderr, so stdout stays the output. Attached late,
 * it first prints what already ran: the tasks so far with their output. Ctrl-C stops
 * following; the execution goes on. Returns the final record, or null when following stopped.
 */
export async function followExecution(client: ApiClient, idOrPrefix: string, opts: FollowOptions = {}): Promise<ExecutionRecord | null> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  opts.signal?.addEventListener('abort', onSigint, { once: true });
  const id = await client.executionId(idOrPrefix);
  const tasks = new TaskFollower(client, id, opts, abort.signal);
  let final: ExecutionRecord | null = null;
  let end: SseMessage | null = null;
  try {
    const stream = client.tailExecution(
      id,
      (m: SseMessage) => {
        if (m.event === 'end') {
          end = m; // printed once the tasks' last lines are out
          final = m.data as ExecutionRecord;
          return false;
        }
        if (m.event === 'child') tasks.seen(m.data as ChildMessage);
        else if (!opts.quiet) print(m, opts);
        return true;
      },
      abort.signal,
    );
    stream.catch(() => {}); // awaited below; this keeps a failing history from leaving it unhandled
    if (!opts.quiet) await tasks.history();
    await stream;
    await tasks.drain();
    if (end && !opts.quiet) print(end, opts);
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', onSigint);
    opts.signal?.removeEventListener('abort', onSigint);
    tasks.stop();
  }
  if (!final && abort.signal.aborted) {
    if (!opts.signal?.aborted) process.stderr.write(`stopped following; execution ${id} goes on (netreflex execution tail ${id})\n`);
    return null;
  }
  if (!final) throw new NrxError('NRX_ERR_API_UNREACHABLE', `the appliance closed the output stream of execution ${id} before it ended`);
  return final;
}

interface ChildMessage {
  id: string;
  action: string;
  taskName: string | null;
  status: string;
  parentId: string | null;
}

/**
 * The tasks of a workflow being followed: each task execution's output is followed on its own
 * stream once (which replays what it printed so far), its status changes are printed as they
 * come. Children that appear while the history is being printed wait until it is done, so the
 * history reads in the order the tasks ran.
 */
class TaskFollower {
  private readonly followed = new Set<string>();
  private readonly streams: Array<Promise<void>> = [];
  private readonly waiting: ChildMessage[] = [];
  private readonly lastStatus = new Map<string, string>();
  private readonly abort = new AbortController();
  private historyDone = false;

  constructor(
    private readonly client: ApiClient,
    private readonly rootId: string,
    private readonly opts: FollowOptions,
    signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    if (opts.quiet) this.historyDone = true;
  }

  seen(c: ChildMessage): void {
    if (this.opts.quiet) return;
    if (!this.historyDone) {
      this.waiting.push(c);
      return;
    }
    if (this.lastStatus.get(c.id) !== c.status) {
      this.lastStatus.set(c.id, c.status);
      if (this.opts.json) writeJson({ event: 'child', data: c });
      else process.stderr.write(`  task ${c.taskName ?? '-'} (${c.action}): ${colorStatus(c.status)}\n`);
    }
    this.follow(c.id, c.taskName ?? c.action);
  }

  /** What ran before we attached: each task, its status and its output so far (tasks of sub-workflows too). */
  async history(): Promise<void> {
    try {
      await this.taskHistory(this.rootId, '');
    } finally {
      this.historyDone = true;
      for (const c of this.waiting.splice(0)) this.seen(c);
    }
  }

  private async taskHistory(workflowId: string, prefix: string): Promise<void> {
    const view = await this.client.getExecution(workflowId);
    for (const t of (view.tasks ?? []) as TaskRecord[]) {
      if (!t.executionId || this.followed.has(t.executionId)) continue;
      const label = `${prefix}${t.taskName}`;
      const child = await this.client.getExecution(t.executionId);
      this.lastStatus.set(child.id, child.status);
      if (this.opts.json)
        writeJson({ event: 'child', data: { id: child.id, action: child.action, taskName: t.taskName, status: child.status, parentId: workflowId } });
      else process.stderr.write(`  task ${label} (${child.action}): ${colorStatus(child.status)}\n`);
      if (TERMINAL_STATUSES.has(child.status as ExecutionStatus)) {
        this.followed.add(child.id);
        for (const line of child.log) this.line(child.id, label, line);
        if (child.tasks?.length) await this.taskHistory(child.id, `${label}.`);
      } else this.follow(child.id, label);
    }
  }

  private follow(id: string, label: string): void {
    if (this.followed.has(id)) return;
    this.followed.add(id);
    this.streams.push(
      this.client
        .tailExecution(
          id,
          (m) => (m.event === 'log' ? void this.line(id, label, String((m.data as { line?: unknown }).line ?? '')) : m.event !== 'end'),
          this.abort.signal,
        )
        .catch(() => {
          // a task stream that breaks loses only that task's lines; the workflow's own stream says how it ends
        }),
    );
  }

  private line(id: string, label: string, line: string): void {
    if (this.opts.json) writeJson({ event: 'log', data: { line, executionId: id, taskName: label } });
    else process.stdout.write(`${label} | ${line}\n`);
  }

  /** The workflow ended: let the task streams deliver their last lines, briefly. */
  async drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, TASK_DRAIN_MS)));
    await Promise.race([Promise.all(this.streams), late]);
    clearTimeout(timer);
  }

  stop(): void {
    this.abort.abort();
  }
}

function writeJson(m: unknown): void {
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function print(m: SseMessage, opts: FollowOptions): void {
  if (opts.json) return writeJson(m);
  const d = (m.data ?? {}) as Record<string, unknown>;
  switch (m.event) {
    case 'log':
      process.stdout.write(`${String(d.line ?? '')}\n`);
      break;
    case 'status':
      process.stderr.write(`[${colorStatus(String(d.status))}]\n`);
      break;
    case 'end': {
      const rec = d as unknown as ExecutionRecord;
      process.stderr.write(`execution ${rec.id} ${colorStatus(rec.status)}${rec.error ? `: ${rec.error.code}: ${rec.error.message}` : ''}\n`);
      break;
    }
    default:
      break;
  }
}
