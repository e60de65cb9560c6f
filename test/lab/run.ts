/**
 * Running the host tools the lab is made of (ip, vtysh, ovs-vsctl, useradd...). Every failure
 * names the command line and carries its stderr, because a lab that fails silently wastes an hour.
 */
import { execFile } from 'node:child_process';
import { NrxError } from '../../src/core/errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Exit codes other than 0 are returned instead of thrown. */
  allowFail?: boolean;
  timeoutMs?: number;
  input?: string;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        if (err && !opts.allowFail) {
          const why = code === -1 ? `${err.message}` : `exit ${code}`;
          reject(new NrxError('NRX_ERR_RUNNER_FAILED', `lab: \`${[cmd, ...args].join(' ')}\` failed (${why}): ${stderr.trim() || stdout.trim()}`));
          return;
        }
        resolve({ stdout, stderr, code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command inside a network namespace. */
export function runIn(netns: string, cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('ip', ['netns', 'exec', netns, cmd, ...args], opts);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false; the timeout error names `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const because = last instanceof Error ? `: ${last.message}` : '';
      throw new NrxError('NRX_ERR_TIMEOUT', `lab: timed out after ${timeoutMs} ms waiting for ${what}${because}`);
    }
    await sleep(everyMs);
  }
}
