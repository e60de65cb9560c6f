import type { ChildProcess } from 'node:child_process';
import { isNrxError } from '../../core/errors.js';
import type { RunContext } from '../action.js';

/** Signal a child started with `detached: true` and everything it started (its process group). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** The engine aborts with an NRX_ERR_TIMEOUT reason on its own timeout; any other abort is a cancel. */
export function abortedByTimeout(ctx: RunContext): boolean {
  const r: unknown = ctx.signal.reason;
  return isNrxError(r) && r.code === 'NRX_ERR_TIMEOUT';
}

/** Copy of the appliance's environment without its own settings (data dir, keys): not a child's business. */
export function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NETREFLEX_')) env[k] = v;
  return env;
}

/** How a parameter value looks as an environment variable or a command-line word. */
export function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
