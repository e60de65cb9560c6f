/**
 * Whether the live lab can run on this machine. Off root or without namespace capabilities a lab
 * test is skipped with a loud reason; under CI it must never be skipped, so the guard throws.
 */
import { existsSync, readFileSync } from 'node:fs';
import { NrxError } from '../../src/core/errors.js';

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

function effectiveCapabilities(): bigint | undefined {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('CapEff:'));
    return line ? BigInt(`0x${line.split(/\s+/)[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

/** false when the lab can run here; otherwise the reason, worded to be read in a test report. */
export function labSkipReason(): string | false {
  if (process.platform !== 'linux') return `LAB SKIPPED: the lab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'LAB SKIPPED: the lab needs root (network namespaces, users, daemons); run the lab tests as root';
  const caps = effectiveCapabilities();
  if (caps === undefined || (caps & (1n << CAP_NET_ADMIN)) === 0n || (caps & (1n << CAP_SYS_ADMIN)) === 0n) {
    return 'LAB SKIPPED: root here lacks CAP_NET_ADMIN/CAP_SYS_ADMIN, so `ip netns` cannot work (unprivileged container?)';
  }
  if (!existsSync('/usr/bin/apt-get') && !existsSync('/usr/lib/frr/bgpd')) {
    return 'LAB SKIPPED: not a Debian machine (no apt-get to install FRR, OpenSSH, Open vSwitch, rsyslog)';
  }
  return false;
}

/**
 * The `skip` option for a lab test: `test('...', { skip: labGuard() }, ...)`. Under CI (CI set and
 * not "false"/"0") a reason to skip is a failure, thrown when the test file loads.
 */
export function labGuard(): string | false {
  const reason = labSkipReason();
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') {
    throw new NrxError('NRX_ERR_CONFIG', `lab tests must run under CI, but: ${reason}`);
  }
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

/** Same as labGuard; the name the lab contract uses. */
export const labTestGuard = labGuard;
