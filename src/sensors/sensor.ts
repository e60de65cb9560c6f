/** Counters of a sensor by group (syslog, snmptrap, poller:<ref>...), each counter by name: /metrics reads these. */
export type SensorCounterGroups = Record<string, Record<string, number>>;

/**
 * One way events enter the appliance (syslog, SNMP traps, sFlow, webhooks, timers, pollers).
 * The appliance starts and stops every sensor the same way and reads their counters for /metrics.
 */
export interface Sensor {
  /** As messages and flags name it: syslog, snmptrap, sflow, webhook, timer, pollers. */
  readonly name: string;
  /** Listen or arm. Throws when it cannot, with nothing of this sensor left listening. */
  start(): Promise<void>;
  stop(): Promise<void>;
  counters(): SensorCounterGroups;
  /** Where it listens once started (ports resolved), for the start-up message; none for timers and pollers. */
  addresses?(): Record<string, string>;
}

/**
 * Sensors started and stopped in order. When one cannot start, the ones already
 * started are stopped again and its error goes to `onFailure` (which names the sensor).
 */
export class SensorSet {
  private readonly started: Sensor[] = [];

  constructor(private readonly sensors: readonly Sensor[]) {}

  async start(onFailure: (sensor: Sensor, error: unknown) => Error = (_s, e) => e as Error): Promise<void> {
    for (const s of this.sensors) {
      try {
        await s.start();
      } catch (e) {
        await this.stop().catch(() => {});
        throw onFailure(s, e);
      }
      this.started.push(s);
    }
  }

  async stop(): Promise<void> {
    const started = this.started.splice(0);
    for (const s of started) await s.stop();
  }

  /** The sensor called `name`, if there is one. */
  get(name: string): Sensor | undefined {
    return this.sensors.find((s) => s.name === name);
  }

  addresses(): Record<string, string> {
    return Object.assign({}, ...this.sensors.map((s) => s.addresses?.() ?? {})) as Record<string, string>;
  }

  counters(): SensorCounterGroups {
    return Object.assign({}, ...this.sensors.map((s) => s.counters())) as SensorCounterGroups;
  }
}
