import { spawnSync } from 'node:child_process';
import { loadUdpBatchReader, type UdpBatchReaderAddon } from '../../../src/sensors/common/udp-batch-reader.js';

/**
 * The native recvmmsg reader for tests: false when it is there. Where it is not, the tests that
 * need it skip with the reason, but only where it cannot be built (no C compiler): on a machine
 * with one, `npm ci` builds it, so its absence is a failure here.
 */
export function nativeReaderMissing(): string | false {
  const r = loadUdpBatchReader();
  if ('addon' in r) return false;
  if (process.platform === 'linux' && spawnSync('cc', ['--version']).status === 0)
    throw new Error(`a C compiler is here, so \`npm ci\` should have built the native UDP reader: ${r.unavailable}`);
  return `the native UDP reader is not built here: ${r.unavailable}`;
}

export function nativeReader(): UdpBatchReaderAddon {
  const r = loadUdpBatchReader();
  if (!('addon' in r)) throw new Error(r.unavailable);
  return r.addon;
}
