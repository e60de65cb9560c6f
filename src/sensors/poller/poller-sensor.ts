import type { NrxError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Sensor, SensorCounterGroups } from '../sensor.js';
import { startPollers, type PollerHost, type PollerOptions, type RunningPollers } from './start.js';

/** Every poller the loaded packs define, as one sensor: started, reloaded and stopped together. */
export class PollerSensor implements Sensor {
  readonly name = 'pollers';
  private running: RunningPollers | null = null;

  constructor(
    private readonly host: PollerHost,
    private readonly log: Logger,
    private readonly opts: PollerOptions = {},
  ) {}

  async start(): Promise<void> {
    this.running ??= startPollers(this.host, this.log, this.opts);
  }

  /** How many pollers run (enabled definitions). */
  get size(): number {
    return this.running?.pollers.length ?? 0;
  }

  /** Poller files that could not be loaded (each names file, line and field). */
  get errors(): readonly NrxError[] {
    return this.running?.errors ?? [];
  }

  /** Read the pollers/*.yaml files again (after a pack install); nothing to do before start. */
  async reload(): Promise<void> {
    await this.running?.reload();
  }

  /** Poll again now (this node took devices over); nothing before start. */
  pollAgain(): void {
    this.running?.pollAgain();
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    await r?.stop();
  }

  counters(): SensorCounterGroups {
    return this.running?.counters() ?? {};
  }
}
