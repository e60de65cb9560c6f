import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NrxError } from './errors.js';

/** The repository root (where packs/ and workflows/ ship), found from this file's location. */
export const REPO_ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/core (tsx) or dist/src/core (compiled)
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up);
})();

export interface ApplianceConfig {
  dataDir: string;
  /** Pack base paths searched in order; a pack found twice is taken from the first. */
  packsPaths: string[];
  retention: { maxAgeDays: number; maxExecutions: number; maxEvents: number };
  /** Device sessions kept open between uses: idle time before closing (ms) and how many at most. */
  sessions: { idleMs: number; maxSessions: number };
  /** Network sensors' events in a storm: coalescing window (ms, 0 = off) and the queue bound (events). */
  events?: { coalesceWindowMs: number; maxQueued: number };
}

/** Data directory: --data-dir, then NETREFLEX_DATA_DIR, then ~/.netreflex. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(flag ?? env.NETREFLEX_DATA_DIR ?? path.join(homedir(), '.netreflex'));
}

/**
 * Pack base paths: NETREFLEX_PACKS_PATH (colon-separated, like StackStorm's packs_base_paths),
 * then the repository's own packs/ and workflows/ (workflows/ is one pack: the shipped
 * remediation content).
 */
export function resolvePacksPaths(env: NodeJS.ProcessEnv = process.env, extra: string[] = []): string[] {
  const fromEnv = (env.NETREFLEX_PACKS_PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((p) => path.resolve(p));
  return [...extra.map((p) => path.resolve(p)), ...fromEnv, path.join(REPO_ROOT, 'packs'), path.join(REPO_ROOT, 'workflows')];
}

export function loadConfig(opts: { dataDir?: string; packsPaths?: string[] } = {}, env: NodeJS.ProcessEnv = process.env): ApplianceConfig {
  const dataDir = resolveDataDir(opts.dataDir, env);
  const paths = resolvePacksPaths(env, opts.packsPaths ?? []);
  // packs installed through the API live in <dataDir>/packs, before the shipped ones
  paths.splice(paths.length - 2, 0, path.join(dataDir, 'packs'));
  return {
    dataDir,
    packsPaths: paths,
    retention: {
      maxAgeDays: Number(env.NETREFLEX_RETENTION_DAYS ?? 30),
      maxExecutions: Number(env.NETREFLEX_RETENTION_EXECUTIONS ?? 100_000),
      maxEvents: Number(env.NETREFLEX_RETENTION_EVENTS ?? 500_000),
    },
    sessions: {
      idleMs: wholeNumber(env, 'NETREFLEX_SESSION_IDLE_MS', 60_000, 0),
      maxSessions: wholeNumber(env, 'NETREFLEX_SESSION_MAX', 64, 1),
    },
    events: {
      coalesceWindowMs: wholeNumber(env, 'NETREFLEX_COALESCE_WINDOW_MS', 5_000, 0),
      maxQueued: wholeNumber(env, 'NETREFLEX_EVENT_QUEUE_MAX', 100_000, 1_000),
    },
  };
}

/** The runaway guard's limit: action runs one workflow may start (NETREFLEX_WORKFLOW_MAX_TASKS, default 10,000). */
export function workflowTaskLimit(env: NodeJS.ProcessEnv = process.env): number {
  return wholeNumber(env, 'NETREFLEX_WORKFLOW_MAX_TASKS', 10_000, 1);
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new NrxError('NRX_ERR_CONFIG', `environment variable ${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}
