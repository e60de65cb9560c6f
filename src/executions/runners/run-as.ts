import { chmodSync, chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NrxError } from '../../core/errors.js';

/**
 * The account local commands run as. An appliance started as root runs them as an
 * unprivileged user (NETREFLEX_RUNNER_USER, default `nobody`, which every Debian has) with
 * its primary group and no supplementary groups, so a command cannot read the data
 * directory (secrets.key, the database), which is root's and mode 0700. Started as any
 * other user, commands run as that user and the appliance says so once.
 */
export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

export const DEFAULT_RUNNER_USER = 'nobody';

/**
 * Who local commands run as in this process: a RunAs to switch to, or null for the
 * current user (not root, or NETREFLEX_RUNNER_USER names root on purpose).
 */
export function resolveRunAs(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? -1): RunAs | null {
  const wanted = env.NETREFLEX_RUNNER_USER?.trim() || DEFAULT_RUNNER_USER;
  if (uid !== 0) {
    warnOnce(
      `netreflex is not running as root: local commands (core.local, scripts) run as this user (uid ${uid}) and can read whatever it can, including the data directory; run the appliance as root to have them run as '${wanted}'`,
    );
    return null;
  }
  const who = lookupUser(wanted);
  if (who.uid === 0) {
    warnOnce(`NETREFLEX_RUNNER_USER=${wanted}: local commands run as root and can read secrets.key and the database`);
    return null;
  }
  return who;
}

/** A user name from /etc/passwd, or `uid` / `uid:gid` numbers. */
export function lookupUser(spec: string): RunAs {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (numeric) return { user: spec, uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    /* no passwd file: reported below */
  }
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === spec && f.length >= 4) return { user: spec, uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new NrxError(
    'NRX_ERR_CONFIG',
    `NETREFLEX_RUNNER_USER: no user '${spec}' in /etc/passwd (local commands run as this user when the appliance runs as root; create it or name another, e.g. nobody or 65534:65534)`,
  );
}

const homes = new Map<string, string>();

/**
 * A private working directory for the runner user (HOME and default cwd): its own, mode
 * 0700, made once per process under the system temp directory with a random name.
 */
export function runnerHome(who: RunAs): string {
  const key = `${who.uid}:${who.gid}`;
  let dir = homes.get(key);
  if (!dir) {
    dir = mkdtempSync(path.join(tmpdir(), 'netreflex-runner-'));
    chownSync(dir, who.uid, who.gid);
    chmodSync(dir, 0o700);
    homes.set(key, dir);
  }
  return dir;
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message, { code: 'NETREFLEX_RUNNER_USER' });
}
