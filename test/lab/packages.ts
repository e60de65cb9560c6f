/**
 * Debian packages the lab (and other live tests) need. CI starts bare, so a test installs what it
 * uses; on a machine that has them this is one `dpkg -s` call and no network.
 */
import { NrxError } from '../../src/core/errors.js';
import { run } from './run.js';

/** What the FRR/SSH/OVS lab itself runs. */
export const LAB_PACKAGES = ['iproute2', 'iputils-ping', 'procps', 'frr', 'openssh-server', 'openssh-client', 'sshpass', 'openvswitch-switch', 'rsyslog'];

/** Packages `dpkg -s` does not report as installed. */
export async function missingPackages(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const r = await run('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Abbrev}\n', ...names], { allowFail: true });
  const installed = new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 2 && f[1]?.startsWith('ii'))
      .map((f) => f[0]?.split(':')[0]),
  );
  return names.filter((n) => !installed.has(n));
}

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const APT_INSTALL = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300'];

/**
 * Installs the packages that are missing. `apt-get update` runs only when the first install fails
 * (a bare CI image has no package lists), then the install is tried once more.
 */
export async function ensurePackages(names: string[]): Promise<string[]> {
  const missing = await missingPackages(names);
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new NrxError('NRX_ERR_CONFIG', `lab: packages ${missing.join(', ')} are missing and only root can install them`);
  }
  const opts = { env: APT_ENV, timeoutMs: 900_000, allowFail: true };
  let r = await run('apt-get', [...APT_INSTALL, ...missing], opts);
  if (r.code !== 0) {
    await run('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=300'], { ...opts, allowFail: false });
    r = await run('apt-get', [...APT_INSTALL, ...missing], opts);
  }
  if (r.code !== 0) {
    throw new NrxError(
      'NRX_ERR_CONFIG',
      `lab: apt-get install ${missing.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return missing;
}
