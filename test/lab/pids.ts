/**
 * Every process the lab starts leaves a pidfile under <lab dir>/pids. Stopping reads those files
 * and signals only a pid whose command line still names the program we started, so a recycled
 * pid (or somebody else's bgpd) is never touched.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sleep } from './run.js';

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** The command line of a live (non-zombie) process, or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    // A zombie still answers kill(0); its state letter in /proc/<pid>/stat says otherwise.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

export function isRunning(pid: number, program?: string): boolean {
  const cmd = commandLine(pid);
  return cmd !== undefined && (program === undefined || cmd.includes(program));
}

/**
 * Signals the pid if it still runs `program`, waits for it to go, escalates to SIGKILL after
 * `graceMs`. Returns whether a process was stopped.
 */
export async function stopPid(pid: number, program: string, opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<boolean> {
  if (!isRunning(pid, program)) return false;
  try {
    process.kill(pid, opts.signal ?? 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + (opts.graceMs ?? 3000);
  while (Date.now() < deadline) {
    if (!isRunning(pid, program)) return true;
    await sleep(25);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone in between */
  }
  for (let i = 0; i < 40 && isRunning(pid, program); i++) await sleep(25);
  return true;
}

/** Pidfile naming: <name>.<program>.pid, so stopping knows what each pid must be running. */
export function pidfilePath(pidDir: string, name: string, program: string): string {
  return path.join(pidDir, `${name}.${program}.pid`);
}

/** Stops every process recorded in pidDir (all at once: none of them depends on another to exit) and removes the files. */
export async function stopAllRecorded(pidDir: string): Promise<string[]> {
  if (!existsSync(pidDir)) return [];
  const stopped: string[] = [];
  const files = readdirSync(pidDir).filter((f) => f.endsWith('.pid'));
  await Promise.all(
    files.map(async (f) => {
      const program = f.split('.').at(-2) ?? '';
      const pid = readPid(path.join(pidDir, f));
      if (pid !== undefined && (await stopPid(pid, program))) stopped.push(`${f.replace(/\.pid$/, '')}[${pid}]`);
      rmSync(path.join(pidDir, f), { force: true });
    }),
  );
  return stopped;
}
