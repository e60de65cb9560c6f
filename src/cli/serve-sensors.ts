import type { Logger } from '../core/log.js';
import { NrxError } from '../core/errors.js';
import type { EventEnvelope } from '../events/envelope.js';
import { networkSensors, type NetworkSensorDeps, type RunningSensors, type SensorConfig } from '../sensors/sensor-host.js';
import { SensorSet, type Sensor } from '../sensors/sensor.js';

/**
 * `serve` binds every sensor port before the appliance resumes executions or reads its inbox:
 * a port in use must stop the start with nothing changed. Events that arrive in between wait
 * at this gate and enter once the appliance has started.
 */
export class StartGate {
  private held: EventEnvelope[] = [];
  private emit: ((e: EventEnvelope) => Promise<void>) | null = null;
  private dropped = 0;

  /** Events held before the start; beyond this they are dropped (and counted in the log). */
  constructor(
    private readonly log: Logger,
    private readonly maxHeld = 10_000,
  ) {}

  readonly publish = async (e: EventEnvelope): Promise<void> => {
    if (this.emit) return this.emit(e);
    if (this.held.length >= this.maxHeld) {
      if (this.dropped++ === 0) this.log.warn({ maxHeld: this.maxHeld }, 'events arriving while the appliance starts are being dropped');
      return;
    }
    this.held.push(e);
  };

  /** Let events through; the held ones first, in arrival order. */
  async open(emit: (e: EventEnvelope) => Promise<void>): Promise<void> {
    const held = this.held;
    this.held = [];
    this.emit = emit;
    if (this.dropped) this.log.warn({ dropped: this.dropped }, 'events dropped while the appliance was starting');
    for (const e of held) await emit(e).catch((err) => this.log.warn({ err: String(err), type: e.type }, 'event not accepted'));
  }
}

/** The flag that sets a sensor's ports, and the ports, for a message that names sensor, address and flag. */
function portsOf(name: string, config: SensorConfig): { flag: string; ports: string } {
  if (name === 'syslog') {
    const ports = [config.syslogUdpPort !== null ? `${config.syslogUdpPort}/udp+tcp` : null, config.syslogTls ? `${config.syslogTls.port}/tls` : null].filter(Boolean).join(', ');
    return { flag: '--syslog-port / --syslog-tls-port', ports };
  }
  if (name === 'snmptrap') return { flag: '--trap-port', ports: `${config.trapPort}/udp` };
  return { flag: '--sflow-port', ports: `${config.sflowPort}/udp` };
}

/** Why a sensor could not listen, with what to do about it; nothing else was started. */
export function sensorPortError(sensor: Sensor, config: SensorConfig, e: unknown): NrxError {
  const { flag, ports } = portsOf(sensor.name, config);
  const why = (e as Error).message;
  const inUse = /EADDRINUSE/.test(why) ? 'the port is in use' : /EACCES/.test(why) ? 'permission denied (ports below 1024 need privileges)' : why;
  return new NrxError('NRX_ERR_CONFIG', `sensor ${sensor.name} cannot listen on ${config.host} port ${ports}: ${inUse} (${why}). Free the port, choose another with ${flag}, or turn the sensor off with ${flag.split(' ')[0]} off; nothing was started`, { cause: e });
}

/**
 * Start the sensors one at a time so a failure names the one that failed; the ones already
 * listening are closed again before the error is thrown.
 */
export async function bindSensors(config: SensorConfig, deps: NetworkSensorDeps): Promise<RunningSensors> {
  const sensors = new SensorSet(networkSensors(config, deps));
  await sensors.start((sensor, e) => sensorPortError(sensor, config, e));
  return { addresses: sensors.addresses(), counters: () => sensors.counters(), stop: () => sensors.stop() };
}
