import type { Logger } from '../core/log.js';
import type { EventEnvelope } from '../events/envelope.js';

/**
 * The appliance binds every sensor port before the appliance resumes executions or reads its inbox:
 * a port in use must stop the start with nothing changed. Events that arrive in between wait
 * at this gate and enter once the appliance has started.
 */
export class StartGate {
  private held: EventEnvelope[] = [];
  private emit: ((e: EventEnvelope) => void | Promise<void>) | null = null;
  private dropped = 0;

  /** Events held before the start; beyond this they are dropped (and counted in the log). */
  constructor(
    private readonly log: Logger,
    private readonly maxHeld = 10_000,
  ) {}

  readonly publish = (e: EventEnvelope): void | Promise<void> => {
    if (this.emit) return this.emit(e);
    if (this.held.length >= this.maxHeld) {
      if (this.dropped++ === 0) this.log.warn({ maxHeld: this.maxHeld }, 'events arriving while the appliance starts are being dropped');
      return;
    }
    this.held.push(e);
  };

  /** Let events through; the held ones first, in arrival order. */
  async open(emit: (e: EventEnvelope) => void | Promise<void>): Promise<void> {
    const held = this.held;
    this.held = [];
    this.emit = emit;
    if (this.dropped) this.log.warn({ dropped: this.dropped }, 'events dropped while the appliance was starting');
    for (const e of held) {
      try {
        await emit(e);
      } catch (err) {
        this.log.warn({ err: String(err), type: e.type }, 'event not accepted');
      }
    }
  }
}
