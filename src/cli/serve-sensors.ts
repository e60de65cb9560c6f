import type { Logger } from '../core/log.js';
import { NrxError } from '../core/errors.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import { startSensors, type RunningSensors, type SensorConfig } from '../sensors/sensor-host.js';

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

/** The listeners of one sensor, for a message that names sensor, address and flag. */
interface SensorPart {
  name: string;
  flag: string;
  ports: string;
  config: Partial<SensorConfig>;
}

const OFF: Partial<SensorConfig> = { syslogUdpPort: null, syslogTcpPort: null, syslogTls: null, trapPort: null, sflowPort: null };

function parts(config: SensorConfig): SensorPart[] {
  const out: SensorPart[] = [];
  const syslogPorts = [config.syslogUdpPort !== null ? `${config.syslogUdpPort}/udp+tcp` : null, config.syslogTls ? `${config.syslogTls.port}/tls` : null].filter(Boolean).join(', ');
  if (syslogPorts) out.push({ name: 'syslog', flag: '--syslog-port / --syslog-tls-port', ports: syslogPorts, config: { syslogUdpPort: config.syslogUdpPort, syslogTcpPort: config.syslogTcpPort, syslogTls: config.syslogTls } });
  if (config.trapPort !== null) out.push({ name: 'snmptrap', flag: '--trap-port', ports: `${config.trapPort}/udp`, config: { trapPort: config.trapPort } });
  if (config.sflowPort !== null) out.push({ name: 'sflow', flag: '--sflow-port', ports: `${config.sflowPort}/udp`, config: { sflowPort: config.sflowPort } });
  return out;
}

/**
 * Start the sensors one at a time so a failure names the one that failed; the ones already
 * listening are closed again before the error is thrown.
 */
export async function bindSensors(config: SensorConfig, deps: { publish: (e: EventEnvelope) => Promise<void>; inventory: InventoryService; log: Logger }): Promise<RunningSensors> {
  const running: RunningSensors[] = [];
  for (const part of parts(config)) {
    try {
      running.push(await startSensors({ ...config, ...OFF, ...part.config }, deps));
    } catch (e) {
      for (const r of running) await r.stop().catch(() => {});
      const why = (e as Error).message;
      const inUse = /EADDRINUSE/.test(why) ? 'the port is in use' : /EACCES/.test(why) ? 'permission denied (ports below 1024 need privileges)' : why;
      throw new NrxError('NRX_ERR_CONFIG', `sensor ${part.name} cannot listen on ${config.host} port ${part.ports}: ${inUse} (${why}). Free the port, choose another with ${part.flag}, or turn the sensor off with ${part.flag.split(' ')[0]} off; nothing was started`, { cause: e });
    }
  }
  return {
    addresses: Object.assign({}, ...running.map((r) => r.addresses)) as Record<string, string>,
    counters: () => Object.assign({}, ...running.map((r) => r.counters())) as Record<string, Record<string, number>>,
    stop: async () => {
      for (const r of running) await r.stop();
    },
  };
}
