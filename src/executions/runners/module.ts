import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../core/config.js';
import { ERROR_CATALOGUE, describeError, isNrxError } from '../../core/errors.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import { loadPackConfig } from '../../datastore/pack-config.js';
import type { PackConfigStore } from '../../datastore/pack-config-store.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import type { ModuleServices } from './module-services.js';

export const MODULE_RUNNER: RunnerDeclaration = {
  runnerType: 'module',
  aliases: ['javascript'],
  parameters: {
    timeout: { type: 'integer', default: 600, description: 'Seconds before the action is abandoned.' },
  },
};

/** What a module action sees: the run context and its pack's config (StackStorm's `self.config`). */
export interface ModuleContext extends RunContext {
  /** Values set through the API/CLI over `<data dir>/configs/<pack>.yaml` over the schema's defaults; `st2kv` rendered, secrets in clear; {} when none. */
  config: Record<string, unknown>;
  /** Fails with NRX_ERR_PACK_CONFIG_MISSING (pack, key, how to set it) for the first of `keys` without a value. */
  requireConfig(...keys: string[]): void;
  /** The data directory, the datastore and the devices (module-services.ts); absent where the runner is built without an appliance. */
  services?: ModuleServices;
}

/** What a module action exports: `run(params, ctx)`, as a named or default export. */
export type ModuleActionFn = (params: Record<string, unknown>, ctx: ModuleContext) => unknown;

/** Where the pack config comes from; without it (unit tests) a module sees an empty config. */
export interface ModuleRunnerOptions {
  dataDir: string;
  kv: Pick<KeyValueStore, 'templateContext'>;
  /** Values set through the API/CLI (secrets decrypted at run time) and the schema's `required`; without it, the file and defaults only. */
  packConfig?: PackConfigStore;
  services?: ModuleServices;
}

/**
 * Runs an action written as a JavaScript/TypeScript module in the pack (netreflex's answer
 * to python-script). The entry point exports `run(params, ctx)`; what it returns is the
 * result, what it throws fails the execution with its message. Production loads compiled
 * .js/.mjs; .ts entry points load only where tsx is registered (development, tests).
 * The code runs in-process: on timeout or cancel the execution ends at once and
 * `ctx.signal` is aborted so a well-behaved module stops its own work.
 */
export class ModuleRunner implements Runner {
  readonly runnerType = MODULE_RUNNER.runnerType;
  readonly aliases = MODULE_RUNNER.aliases;
  readonly parameters = MODULE_RUNNER.parameters;

  constructor(private readonly opts: ModuleRunnerOptions | null = null) {}

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    if (!action.entryPoint) {
      return {
        status: 'failed',
        result: null,
        error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: a ${action.runnerType} action needs an entry_point (${action.file})` },
      };
    }
    let fn: ModuleActionFn;
    try {
      fn = await loadRun(action.entryPoint);
    } catch (e) {
      return {
        status: 'failed',
        result: null,
        error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: cannot load ${action.entryPoint}: ${(e as Error).message}` },
      };
    }

    const packDir = path.dirname(path.dirname(action.file));
    let config: Record<string, unknown> = {};
    try {
      config = await this.packConfig(action, packDir);
    } catch (e) {
      const d = describeError(e);
      // a missing value already names the pack and how to set it
      const why = d.code === 'NRX_ERR_PACK_CONFIG_MISSING' ? d.message : `cannot read the pack config: ${d.message}`;
      return { status: 'failed', result: null, error: { code: d.code, message: `action ${action.ref}: ${why}` } };
    }
    const store = this.opts?.packConfig;
    const requireConfig = (...keys: string[]): void => store?.requireValues(action.pack, packDir, config, keys);

    const timeoutMs = typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout * 1000 : (action.timeoutMs ?? 600_000);
    // A ref'd timer (AbortSignal.timeout is unref'd): a pending action keeps the process alive.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    const { timeout: _t, ...actionParams } = params;
    const stop = new Promise<RunResultOk>((resolve) => {
      const onAbort = () =>
        resolve(
          timeout.signal.aborted || (isNrxError(ctx.signal.reason) && ctx.signal.reason.code === 'NRX_ERR_TIMEOUT')
            ? { status: 'timeout', result: null, error: { code: 'NRX_ERR_TIMEOUT', message: `action ${action.ref}: no result within ${timeoutMs / 1000} s` } }
            : { status: 'failed', result: null, error: { code: 'NRX_ERR_CANCELED', message: `action ${action.ref}: canceled` } },
        );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const work = (async (): Promise<RunResultOk> => {
      try {
        const result = await fn(actionParams, { ...ctx, signal, config, requireConfig, ...(this.opts?.services ? { services: this.opts.services } : {}) });
        return { status: 'succeeded', result: result === undefined ? null : result };
      } catch (e) {
        const code = isNrxError(e) ? e.code : catalogued((e as { code?: unknown } | null)?.code);
        return { status: 'failed', result: null, error: { code, message: e instanceof Error ? e.message : String(e) } };
      }
    })();
    try {
      return await Promise.race([work, stop]);
    } finally {
      clearTimeout(timer);
    }
  }
  /** Read on every run, as for python-script: an edited config applies to the next run. */
  private async packConfig(action: ActionSpec, packDir: string): Promise<Record<string, unknown>> {
    if (!this.opts) return {};
    const templates = { st2kv: this.opts.kv.templateContext({ pack: action.pack }) };
    if (this.opts.packConfig) return (await this.opts.packConfig.resolve(action.pack, packDir, templates)).values;
    return loadPackConfig(this.opts.dataDir, action.pack, packDir, templates).values;
  }
}

/**
 * A pack's module cannot import netreflex's NrxError (it is not part of the pack), so an Error
 * carrying a catalogued `code` keeps it; anything else is a runner failure.
 */
function catalogued(code: unknown): string {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code) ? code : 'NRX_ERR_RUNNER_FAILED';
}

async function loadRun(file: string): Promise<ModuleActionFn> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const twin = compiledTwin(file);
    if ((e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !twin || !existsSync(twin)) throw e;
    mod = (await import(pathToFileURL(twin).href)) as Record<string, unknown>;
  }
  const candidates = [mod.run, mod.default, (mod.default as Record<string, unknown> | undefined)?.run];
  const fn = candidates.find((c) => typeof c === 'function');
  if (!fn) throw new Error('the module exports no run(params, ctx) function (named `run` or default)');
  return fn as ModuleActionFn;
}

/**
 * The .js that `npm run build` made of a .ts file in this repository (the shipped packs'
 * actions), for a Node without tsx: dist/ mirrors the repository tree.
 */
function compiledTwin(file: string): string | null {
  if (!file.endsWith('.ts') || !REPO_ROOT) return null;
  const rel = path.relative(REPO_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.startsWith(`dist${path.sep}`)) return null;
  return path.join(REPO_ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
}
