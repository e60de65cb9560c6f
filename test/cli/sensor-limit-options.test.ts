import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sensorLimitsFrom } from '../../src/cli/sensor-limit-options.js';
import { NrxError } from '../../src/core/errors.js';

const defaults = { syslogMaxConnections: '1000', syslogMaxConnectionsPerSource: '50', syslogIdleTimeout: '120', syslogMaxStoredBytes: '8192' };

test('serve sensor limits: defaults, seconds to ms, 0 turns the idle timeout off', () => {
  assert.deepEqual(sensorLimitsFrom(defaults), { connections: { maxConnections: 1000, maxPerSource: 50, idleTimeoutMs: 120_000 }, maxStoredTextBytes: 8192 });
  assert.equal(sensorLimitsFrom({ ...defaults, syslogIdleTimeout: '0' }).connections.idleTimeoutMs, 0);
});

test('serve sensor limits: a bad value is refused naming the flag and its environment variable', () => {
  for (const [key, value, flag] of [
    ['syslogMaxConnections', '0', '--syslog-max-connections'],
    ['syslogMaxConnectionsPerSource', 'many', '--syslog-max-connections-per-source'],
    ['syslogIdleTimeout', '-1', '--syslog-idle-timeout'],
    ['syslogIdleTimeout', '1.5', '--syslog-idle-timeout'],
    ['syslogMaxStoredBytes', '100', '--syslog-max-stored-bytes'],
    ['syslogMaxConnections', '', '--syslog-max-connections'],
  ] as const) {
    assert.throws(
      () => sensorLimitsFrom({ ...defaults, [key]: value }),
      (e: unknown) =>
        e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && e.message.startsWith(`${flag} (or NETREFLEX_`) && e.message.includes(`'${value}'`),
      `${key}=${value}`,
    );
  }
});
