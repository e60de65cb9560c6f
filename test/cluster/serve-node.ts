/**
 * One `netreflex serve` node of a test cluster, as its own process: started with its flags,
 * ready once it says it waits for events; its API URL and sensor ports read from what it says.
 * `kill()` is SIGKILL (a node that dies), `stop()` SIGTERM (a node shut down).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliEntry } from '../cli/cli-entry.js';

export interface ServeNode {
  name: string;
  /** http://127.0.0.1:PORT when the node serves the API. */
  url: string | null;
  /** sensor -> port, e.g. syslog/udp -> 40123. */
  ports: Record<string, number>;
  /** What the node wrote on stderr so far. */
  said(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServeNodeOptions {
  name: string;
  dataDir: string;
  args: string[];
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** The whole command line after the CLI (`serve ...`), as a unit file gives it; default `serve --data-dir DIR ARGS`. */
  command?: string[];
}

export async function startServeNode(o: ServeNodeOptions): Promise<ServeNode> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) env[k] = v;
  Object.assign(env, { NETREFLEX_LOG_LEVEL: 'warn' }, o.env ?? {});
  const argv = o.command ?? ['serve', '--data-dir', o.dataDir, ...o.args];
  const child: ChildProcess = spawn(process.execPath, [...cliEntry(), ...argv], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (o.startTimeoutMs ?? 90_000);
  while (!err.includes('waiting for events')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${o.name} exited while starting:\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${o.name} did not start in time:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports: Record<string, number> = {};
  for (const m of err.matchAll(/sensor (\S+) on \S+:(\d+)/g)) ports[m[1]!] = Number(m[2]);
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  return {
    name: o.name,
    url: /API on (http:\/\/\S+)/.exec(err)?.[1] ?? null,
    ports,
    said: () => err,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
