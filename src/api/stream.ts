import type { EventEnvelope } from '../events/envelope.js';
import { TERMINAL_STATUSES, type ExecutionRecord, type RuleEnforcementRecord } from '../store/records.js';

/** What flows to live subscribers: the SSE stream, execution tails, metrics. */
export type StreamMessage =
  { kind: 'event'; event: EventEnvelope } | { kind: 'execution'; execution: ExecutionRecord } | { kind: 'enforcement'; enforcement: RuleEnforcementRecord };

export type StreamListener = (m: StreamMessage) => void;

/**
 * The in-process broadcaster between the appliance and live API clients. The lead wires it:
 * `new Appliance({ ..., onExecutionUpdate: (r) => stream.executionUpdated(r) })`; buildApp
 * feeds it the events on the bus itself. A slow or failing listener never stops the others
 * or the engine that called in.
 */
export class ApiStream {
  private readonly listeners = new Set<StreamListener>();
  /**
   * Unfinished executions as the engine holds them. The engine appends output lines to this
   * same object without announcing each one, so tails read new lines from here.
   */
  private readonly live = new Map<string, ExecutionRecord>();

  subscribe(fn: StreamListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Hook for ApplianceOptions.onExecutionUpdate. */
  executionUpdated(rec: ExecutionRecord): void {
    if (TERMINAL_STATUSES.has(rec.status)) this.live.delete(rec.id);
    else this.live.set(rec.id, rec);
    this.broadcast({ kind: 'execution', execution: rec });
  }

  /** An execution another node runs started or changed status (read from the shared store): streamed, not held as live here. */
  executionElsewhere(rec: ExecutionRecord): void {
    if (this.live.has(rec.id)) return;
    this.broadcast({ kind: 'execution', execution: rec });
  }

  eventReceived(event: EventEnvelope): void {
    this.broadcast({ kind: 'event', event });
  }

  enforcementRecorded(enforcement: RuleEnforcementRecord): void {
    this.broadcast({ kind: 'enforcement', enforcement });
  }

  /** The engine's live record of an unfinished execution, if this process runs it. */
  liveExecution(id: string): ExecutionRecord | undefined {
    return this.live.get(id);
  }

  liveExecutions(): IterableIterator<ExecutionRecord> {
    return this.live.values();
  }

  private broadcast(m: StreamMessage): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(m);
      } catch {
        // a listener's fault is its own (a closed socket); the engine must not see it
      }
    }
  }
}
