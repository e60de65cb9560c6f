import { NrxError } from '../core/errors.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../sensors/common/connection-gate.js';
import { DEFAULT_MAX_STORED_TEXT_BYTES } from '../sensors/syslog/stored-text.js';

/** The serve flags for the syslog sensor's limits, as commander hands them over (strings). */
export interface SensorLimitFlags {
  syslogMaxConnections: string;
  syslogMaxConnectionsPerSource: string;
  syslogIdleTimeout: string;
  syslogMaxStoredBytes: string;
}

/** Flag name, environment variable and default of each limit, for `serve --help` and errors. */
export const SENSOR_LIMIT_FLAGS = {
  syslogMaxConnections: {
    flag: '--syslog-max-connections <n>',
    env: 'NETREFLEX_SYSLOG_MAX_CONNECTIONS',
    default: String(DEFAULT_CONNECTION_LIMITS.maxConnections),
    help: 'open syslog TCP+TLS connections at most (lowered to keep file descriptors in reserve for the API)',
  },
  syslogMaxConnectionsPerSource: {
    flag: '--syslog-max-connections-per-source <n>',
    env: 'NETREFLEX_SYSLOG_MAX_CONNECTIONS_PER_SOURCE',
    default: String(DEFAULT_CONNECTION_LIMITS.maxPerSource),
    help: 'open syslog connections from one address (IPv6: one /64) at most',
  },
  syslogIdleTimeout: {
    flag: '--syslog-idle-timeout <seconds>',
    env: 'NETREFLEX_SYSLOG_IDLE_TIMEOUT',
    default: String(DEFAULT_CONNECTION_LIMITS.idleTimeoutMs / 1000),
    help: 'close a syslog connection silent this long, TLS handshake included (0: never)',
  },
  syslogMaxStoredBytes: {
    flag: '--syslog-max-stored-bytes <bytes>',
    env: 'NETREFLEX_SYSLOG_MAX_STORED_BYTES',
    default: String(DEFAULT_MAX_STORED_TEXT_BYTES),
    help: 'longest message/raw text a syslog event keeps; longer is cut and counted',
  },
} as const satisfies Record<keyof SensorLimitFlags, { flag: string; env: string; default: string; help: string }>;

/** The limits the flags (or their environment variables) ask for; a bad value names its flag. */
export function sensorLimitsFrom(flags: SensorLimitFlags): { connections: ConnectionLimits; maxStoredTextBytes: number } {
  return {
    connections: {
      maxConnections: wholeNumber(flags.syslogMaxConnections, 'syslogMaxConnections', 1),
      maxPerSource: wholeNumber(flags.syslogMaxConnectionsPerSource, 'syslogMaxConnectionsPerSource', 1),
      idleTimeoutMs: wholeNumber(flags.syslogIdleTimeout, 'syslogIdleTimeout', 0) * 1000,
    },
    // below a few hundred bytes even ordinary device lines would be cut
    maxStoredTextBytes: wholeNumber(flags.syslogMaxStoredBytes, 'syslogMaxStoredBytes', 256),
  };
}

function wholeNumber(value: string, key: keyof SensorLimitFlags, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    const f = SENSOR_LIMIT_FLAGS[key];
    throw new NrxError('NRX_ERR_CONFIG', `${f.flag.split(' ')[0]} (or ${f.env}) must be a whole number >= ${min}, got '${value}'`);
  }
  return n;
}
