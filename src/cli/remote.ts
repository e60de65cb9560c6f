import type { Command } from 'commander';
import { ApiClient, clientConfigPath, readClientConfig, resolveClientConfig } from './api-client.js';
import { reportError } from './context.js';

/**
 * The one rule for where a command works, documented in `netreflex --help`:
 * commands talk to the running appliance through the API. A command that can also work on a
 * data directory (execution list|get|cancel|pause|resume, event list|emit, rule list, trigger
 * list, exec) does so when a data directory is given (--data-dir or NETREFLEX_DATA_DIR) and no URL
 * is configured (--url, NETREFLEX_URL, or the config file `netreflex login` writes).
 * `run` and `rule test` run nothing in the appliance, so they work in this process unless a
 * URL is configured or --remote is given.
 */

/** Options every command sees: the global --url/--api-key/--token plus its own. */
export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  token?: string;
  dataDir?: string;
  remote?: boolean;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** A URL is configured by flag, environment or the client config file. */
export function urlConfigured(o: GlobalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(o.url || env.NETREFLEX_URL || readClientConfig(clientConfigPath(env)).url);
}

/** Work on the data directory instead of the API (the commands that can). */
export function useDataDir(o: GlobalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(o.dataDir || env.NETREFLEX_DATA_DIR) && !urlConfigured(o, env);
}

/** `run` and `rule test`: in this process unless --remote or a URL is configured. */
export function runsInProcess(o: GlobalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return !o.remote && !urlConfigured(o, env);
}

export function clientFor(cmd: Command): ApiClient {
  const o = globalsOf(cmd);
  return new ApiClient(
    resolveClientConfig({ ...(o.url ? { url: o.url } : {}), ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.token ? { token: o.token } : {}) }),
  );
}

/**
 * Run a command body and turn what it throws into the documented exit code. The body may
 * return an exit code itself (1 for "the execution failed").
 */
export async function guarded(body: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number') process.exitCode = code;
  } catch (e) {
    process.exitCode = reportError(e);
  }
}
