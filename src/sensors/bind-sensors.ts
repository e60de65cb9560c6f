import { NrxError } from '../core/errors.js';
import { networkSensors, type NetworkSensorDeps, type RunningSensors, type SensorConfig } from './sensor-host.js';
import { SensorSet, type Sensor } from './sensor.js';

/** The flag that sets a sensor's ports, and the ports, for a message that names sensor, address and flag. */
function portsOf(name: string, config: SensorConfig): { flag: string; ports: string } {
  if (name === 'syslog') {
    const ports = [config.syslogUdpPort !== null ? `${config.syslogUdpPort}/udp+tcp` : null, config.syslogTls ? `${config.syslogTls.port}/tls` : null]
      .filter(Boolean)
      .join(', ');
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
  return new NrxError(
    'NRX_ERR_CONFIG',
    `sensor ${sensor.name} cannot listen on ${config.host} port ${ports}: ${inUse} (${why}). Free the port, choose another with ${flag}, or turn the sensor off with ${flag.split(' ')[0]} off; nothing was started`,
    { cause: e },
  );
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
