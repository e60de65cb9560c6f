/**
 * sFlow v5 from OVS to 127.0.0.1:<sflowPort>. Every packet on bridge A is sampled (sampling=1)
 * and counters are polled every 2 s, so a collector sees datagrams within seconds. A slow ping
 * from host h1 to h2 crosses the LAG and keeps flow samples coming.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { vsctl } from './ovs.js';
import { pidfilePath } from './pids.js';
import { OVS } from './topology.js';

export async function enableSflow(labDir: string, sflowPort: number): Promise<void> {
  await vsctl(labDir, [
    '--',
    '--id=@s',
    'create',
    'sflow',
    'agent=lo',
    `target="127.0.0.1:${sflowPort}"`,
    'header=128',
    'sampling=1',
    'polling=2',
    '--',
    'set',
    'bridge',
    OVS.bridgeA,
    'sflow=@s',
  ]);
}

/** Starts `ping -i 0.5` from h1 to h2 in the background, recorded like every other lab process. */
export function startSampleTraffic(labDir: string): number {
  const [from, to] = OVS.hosts;
  const child = spawn('ip', ['netns', 'exec', from.netns, 'ping', '-q', '-i', '0.5', to.addr], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid ?? 0;
  writeFileSync(pidfilePath(path.join(labDir, 'pids'), 'traffic', 'ping'), `${pid}\n`);
  return pid;
}
