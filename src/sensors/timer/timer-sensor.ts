import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import type { Sensor, SensorCounterGroups } from '../sensor.js';
import { nextFiring, parseSchedule, TIMER_TRIGGERS, type Schedule } from './schedule.js';

/** A rule on a timer trigger type, as the timer sensor needs it. */
export interface TimerRule {
  ref: string;
  enabled: boolean;
  trigger: { type: string; parameters: Record<string, unknown> };
  file: string;
}

interface Armed {
  rule: TimerRule;
  schedule: Schedule;
  startedAt: number;
  timer: NodeJS.Timeout | null;
}

/** Longest single setTimeout (Node caps at 2^31-1 ms); longer waits re-arm. */
const MAX_WAIT = 2_000_000_000;

/**
 * StackStorm-compatible timers: every enabled rule whose trigger type is an interval, cron
 * or date timer gets its own schedule, and each firing emits an event of that trigger type
 * carrying the rule's schedule, which the rules engine then matches like any other event.
 */
export class TimerSensor implements Sensor {
  readonly name = 'timer';
  private readonly armed = new Map<string, Armed>();
  private readonly counts = { fired: 0, invalid: 0 };

  constructor(
    private readonly emit: (event: EventEnvelope) => Promise<void> | void,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** The rules start() arms timers for (the appliance's rule index). */
    private readonly rules: () => TimerRule[] = () => [],
  ) {}

  /** Arm the timers of the current rules; sync() again when the rules change. */
  async start(): Promise<void> {
    this.sync(this.rules());
  }

  counters(): SensorCounterGroups {
    return { timer: { ...this.counts, armed: this.armed.size } };
  }

  static isTimerTrigger(type: string): boolean {
    return (TIMER_TRIGGERS as readonly string[]).includes(type);
  }

  /** (Re)arm timers for the given rules; rules no longer present are disarmed. */
  sync(rules: TimerRule[]): void {
    const wanted = new Set<string>();
    for (const rule of rules) {
      if (!rule.enabled || !TimerSensor.isTimerTrigger(rule.trigger.type)) continue;
      wanted.add(rule.ref);
      if (this.armed.has(rule.ref)) continue;
      let schedule: Schedule;
      try {
        schedule = parseSchedule(rule.trigger.type, rule.trigger.parameters, { file: rule.file });
      } catch (e) {
        this.counts.invalid++;
        this.log.warn({ rule: rule.ref, err: describeError(e) }, 'timer rule not scheduled');
        continue;
      }
      const a: Armed = { rule, schedule, startedAt: this.now(), timer: null };
      this.armed.set(rule.ref, a);
      this.arm(a, this.now());
    }
    for (const [ref, a] of this.armed) {
      if (wanted.has(ref)) continue;
      if (a.timer) clearTimeout(a.timer);
      this.armed.delete(ref);
    }
  }

  private arm(a: Armed, after: number): void {
    const next = nextFiring(a.schedule, after, a.startedAt);
    if (next === null) return;
    const wait = next - this.now();
    a.timer = setTimeout(
      () => {
        if (wait > MAX_WAIT) return this.arm(a, after);
        this.fire(a, next);
        this.arm(a, next);
      },
      Math.max(0, Math.min(wait, MAX_WAIT)),
    );
  }

  private fire(a: Armed, scheduledAt: number): void {
    this.counts.fired++;
    const payload = {
      executed_at: new Date(this.now()).toISOString(),
      scheduled_at: new Date(scheduledAt).toISOString(),
      rule: a.rule.ref,
      schedule: a.rule.trigger.parameters,
    };
    Promise.resolve(this.emit(makeEvent(a.rule.trigger.type, payload, { source: `timer:${a.rule.ref}`, device: null }))).catch((e) =>
      this.log.warn({ rule: a.rule.ref, err: describeError(e) }, 'timer event not accepted'),
    );
  }

  get size(): number {
    return this.armed.size;
  }

  async stop(): Promise<void> {
    for (const a of this.armed.values()) if (a.timer) clearTimeout(a.timer);
    this.armed.clear();
  }
}
