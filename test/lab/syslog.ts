/**
 * The syslog relay: one rsyslogd with one unix socket per router (FRR's `log extended`
 * destination), stamping that router's hostname and forwarding RFC 5424 over UDP to
 * 127.0.0.1:<syslogPort>, and a copy of every message to each of `copyPorts` (a second sensor node
 * behind the same syslog address). FRR's own `log syslog` would say the machine's hostname instead.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pidfilePath } from './pids.js';
import { run, waitFor } from './run.js';

export function rsyslogConfig(labDir: string, routers: string[], syslogPort: number, copyPorts: readonly number[] = []): string {
  const dir = path.join(labDir, 'syslog');
  return [
    `global(workDirectory="${dir}")`,
    // SysSock off: the machine's /dev/log is not ours to take
    'module(load="imuxsock" SysSock.Use="off")',
    ...routers.map((r) => `input(type="imuxsock" Socket="${path.join(dir, `${r}.sock`)}" HostName="${r}" CreatePath="on" RateLimit.Interval="0")`),
    ...[syslogPort, ...copyPorts].map(
      (port) => `*.* action(type="omfwd" target="127.0.0.1" port="${port}" protocol="udp" template="RSYSLOG_SyslogProtocol23Format")`,
    ),
    `*.* action(type="omfile" file="${path.join(dir, 'relayed.log')}" template="RSYSLOG_SyslogProtocol23Format")`,
    '',
  ].join('\n');
}

export async function startSyslogRelay(labDir: string, routers: string[], syslogPort: number, copyPorts: readonly number[] = []): Promise<void> {
  const dir = path.join(labDir, 'syslog');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const conf = path.join(dir, 'rsyslog-lab.conf');
  writeFileSync(conf, rsyslogConfig(labDir, routers, syslogPort, copyPorts));
  await run('rsyslogd', ['-N1', '-f', conf]);
  await run('rsyslogd', ['-f', conf, '-i', pidfilePath(path.join(labDir, 'pids'), 'relay', 'rsyslogd')]);
  await waitFor('rsyslogd relay sockets', () => routers.every((r) => existsSync(path.join(dir, `${r}.sock`))), 5000, 25);
}
