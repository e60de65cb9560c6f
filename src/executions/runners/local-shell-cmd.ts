import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { NrxError, isNrxError } from '../../core/errors.js';
import type { ActionSpec, ParamSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { CapturedStream } from './output.js';
import { PackWorkspace } from './pack-workspace.js';
import { resolveRunAs, runnerHome, type RunAs } from './run-as.js';

export interface LocalShellOptions {
  /** Bytes kept of stdout and of stderr each (default 1 MiB). */
  outputCapBytes?: number;
  /** Time between SIGTERM and SIGKILL when a command is stopped (default 2 s). */
  killGraceMs?: number;
  /**
   * The account commands run as; null: this process's own. Default: resolveRunAs() (as root,
   * NETREFLEX_RUNNER_USER or nobody).
   */
  runAs?: RunAs | null;
}

const SHELL_COMMON: Record<string, ParamSpec> = {
  cwd: { type: 'string', description: 'Working directory of the command.' },
  env: { type: 'object', description: 'Extra environment variables for the command.' },
  kwarg_op: { type: 'string', default: '--', description: 'Prefix of named arguments passed to a script ("--" or "-").' },
  sudo: { type: 'boolean', default: false, description: 'Not supported by netreflex: refused when true.' },
  sudo_password: { type: 'string', default: null, secret: true, description: 'Not supported by netreflex.' },
  timeout: { type: 'integer', default: 60, description: 'Seconds before the command is killed.' },
};

export const LOCAL_SHELL_CMD_RUNNER: RunnerDeclaration = {
  runnerType: 'local-shell-cmd',
  aliases: [],
  parameters: { cmd: { type: 'string', description: 'Command line run under /bin/sh -c.' }, ...SHELL_COMMON },
};

export const LOCAL_SHELL_SCRIPT_RUNNER: RunnerDeclaration = { runnerType: 'local-shell-script', aliases: [], parameters: SHELL_COMMON };

/** StackStorm's exit code for a command killed by its timeout. */
export const TIMEOUT_EXIT_CODE = -9;

/**
 * Runs core.local-style actions on this machine. `cmd` is the operator's command line and
 * runs under /bin/sh -c (template values in it arrive as shell variables, see core/shell-command.ts).
 * Every other parameter reaches the process as data only: an ST2_ACTION_<NAME> environment
 * variable, and for scripts also an argv word. Nothing from a parameter is spliced into
 * a shell string here.
 */
export class LocalShellRunner implements Runner {
  readonly aliases: readonly string[] = [];
  readonly parameters: Readonly<Record<string, ParamSpec>>;
  private readonly capBytes: number;
  private readonly killGraceMs: number;
  readonly runAs: RunAs | null;
  private workspace: PackWorkspace | null = null;

  constructor(
    readonly runnerType: 'local-shell-cmd' | 'local-shell-script' = 'local-shell-cmd',
    opts: LocalShellOptions = {},
  ) {
    this.parameters = (runnerType === 'local-shell-cmd' ? LOCAL_SHELL_CMD_RUNNER : LOCAL_SHELL_SCRIPT_RUNNER).parameters;
    this.capBytes = opts.outputCapBytes ?? 1024 * 1024;
    this.killGraceMs = opts.killGraceMs ?? 2000;
    this.runAs = opts.runAs !== undefined ? opts.runAs : resolveRunAs();
  }

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    if (params.sudo === true) {
      return refuse(
        'NRX_ERR_PARAM_INVALID',
        `action ${action.ref}: parameter 'sudo' is not supported by netreflex (run the appliance with the rights the command needs)`,
      );
    }
    let argv: string[];
    try {
      argv = this.runnerType === 'local-shell-cmd' ? commandArgv(action, params) : scriptArgv(action, params, this.readableScript(action));
    } catch (e) {
      return refuse(isNrxError(e) ? e.code : 'NRX_ERR_RUNNER_FAILED', (e as Error).message);
    }
    if (ctx.signal.aborted) return stopped(ctx, { stdout: '', stderr: '', return_code: null, succeeded: false, failed: true });

    const env = buildEnv(action, params, ctx, this.parameters);
    const timeoutMs = timeoutOf(action, params);
    let child: ChildProcess;
    try {
      const as = this.runAs;
      const home = as ? runnerHome(as) : undefined;
      if (as) Object.assign(env, { HOME: home, USER: as.user, LOGNAME: as.user });
      // detached: the command leads its own process group, so a timeout kills its children too.
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: typeof params.cwd === 'string' && params.cwd !== '' ? params.cwd : home,
        env,
        // Node drops the supplementary groups too when uid/gid are given.
        ...(as ? { uid: as.uid, gid: as.gid } : {}),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // Node refuses e.g. a NUL byte in an environment value before anything runs.
      return refuse('NRX_ERR_PARAM_INVALID', `action ${action.ref}: cannot start the command: ${(e as Error).message}`);
    }
    return this.supervise(action, child, timeoutMs, ctx, params);
  }

  /**
   * The script to run: in place, or, when commands run as the unprivileged runner user, from a
   * readable copy of the pack's actions/ and lib/ (a pack installed under the 0700 data
   * directory is out of that user's reach).
   */
  private readableScript(action: ActionSpec): string | undefined {
    const script = action.entryPoint;
    if (!script || !this.runAs) return script ?? undefined;
    const packDir = path.dirname(path.dirname(action.file));
    const rel = path.relative(packDir, script);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return script;
    this.workspace ??= new PackWorkspace(this.runAs);
    return path.join(this.workspace.packDir(action.pack, packDir), rel);
  }

  private supervise(action: ActionSpec, child: ChildProcess, timeoutMs: number | null, ctx: RunContext, params: Record<string, unknown>): Promise<RunResultOk> {
    const stdout = new CapturedStream(this.capBytes, (l) => ctx.log(l));
    const stderr = new CapturedStream(this.capBytes, (l) => ctx.log(`stderr: ${l}`));
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));

    return new Promise<RunResultOk>((resolve) => {
      let why: 'timeout' | 'canceled' | null = null;
      let killTimer: NodeJS.Timeout | undefined;
      let settleTimer: NodeJS.Timeout | undefined;
      let done = false;
      const stop = (reason: 'timeout' | 'canceled') => {
        if (why || done) return;
        why = reason;
        killGroup(child, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), this.killGraceMs);
        killTimer.unref();
      };
      const timer = timeoutMs !== null ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
      const onAbort = () => stop(abortedByTimeout(ctx) ? 'timeout' : 'canceled');
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        clearTimeout(settleTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        child.stdout?.destroy();
        child.stderr?.destroy();
        stdout.end();
        stderr.end();
        if (spawnError) {
          const cwd = typeof params.cwd === 'string' ? ` (cwd ${params.cwd})` : '';
          resolve(refuse('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: cannot start the command${cwd}: ${spawnError.message}`));
          return;
        }
        const returnCode = why === 'timeout' ? TIMEOUT_EXIT_CODE : (code ?? (signal ? -(osConstants.signals[signal] ?? 1) : null));
        const result: Record<string, unknown> = {
          stdout: trimShell(stdout.text()),
          stderr: trimShell(stderr.text()),
          return_code: returnCode,
          succeeded: why === null && returnCode === 0,
          failed: !(why === null && returnCode === 0),
        };
        if (stdout.truncated) result.stdout_truncated = true;
        if (stderr.truncated) result.stderr_truncated = true;
        if (why === 'timeout') {
          resolve({
            status: 'timeout',
            result,
            error: {
              code: 'NRX_ERR_TIMEOUT',
              message: `action ${action.ref}: command killed after ${timeoutMs !== null ? `${timeoutMs / 1000} s` : 'its timeout'}`,
            },
          });
        } else if (why === 'canceled') {
          resolve({ status: 'failed', result, error: { code: 'NRX_ERR_CANCELED', message: `action ${action.ref}: command canceled` } });
        } else resolve({ status: returnCode === 0 ? 'succeeded' : 'failed', result });
      };

      child.on('error', (e) => finish(null, null, e));
      child.on('close', (code, signal) => finish(code, signal));
      // A background child (`cmd &`) can hold the pipes open after the command exits; do
      // not wait for it beyond a moment.
      child.on('exit', (code, signal) => {
        settleTimer = setTimeout(() => finish(code, signal), 500);
        settleTimer.unref();
      });
    });
  }
}

function refuse(code: string, message: string): RunResultOk {
  return { status: 'failed', result: null, error: { code, message } };
}

function stopped(ctx: RunContext, result: Record<string, unknown>): RunResultOk {
  return abortedByTimeout(ctx)
    ? { status: 'timeout', result, error: { code: 'NRX_ERR_TIMEOUT', message: 'timed out before the command started' } }
    : { status: 'failed', result, error: { code: 'NRX_ERR_CANCELED', message: 'canceled before the command started' } };
}

/** The engine may abort with an NRX_ERR_TIMEOUT reason; anything else is a cancel. */
function abortedByTimeout(ctx: RunContext): boolean {
  const r: unknown = ctx.signal.reason;
  return isNrxError(r) && r.code === 'NRX_ERR_TIMEOUT';
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Group already gone: try the leader alone, then give up quietly.
    try {
      child.kill(signal);
    } catch {
      /* exited */
    }
  }
}

function commandArgv(action: ActionSpec, params: Record<string, unknown>): string[] {
  const cmd = params.cmd;
  if (typeof cmd !== 'string' || cmd.trim() === '') {
    throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'cmd' must be a non-empty command line`);
  }
  return ['/bin/sh', '-c', cmd];
}

/** StackStorm's script calling convention: positional parameters by `position`, the rest as `--name=value`. */
function scriptArgv(action: ActionSpec, params: Record<string, unknown>, script: string | undefined): string[] {
  if (!script)
    throw new NrxError('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: local-shell-script needs an entry_point`, {
      location: { file: action.file, field: 'entry_point' },
    });
  const runnerOwn = LOCAL_SHELL_SCRIPT_RUNNER.parameters;
  const kwargOp = typeof params.kwarg_op === 'string' ? params.kwarg_op : '--';
  const positional: Array<[number, string]> = [];
  const named: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (name in runnerOwn) continue;
    const pos = action.parameters[name]?.position;
    if (typeof pos === 'number') positional.push([pos, envText(value)]);
    else if (value !== undefined && value !== null) named.push(`${kwargOp}${name}=${envText(value)}`);
  }
  positional.sort((a, b) => a[0] - b[0]);
  const args = [...positional.map((p) => p[1]), ...named];
  // Scripts without the execute bit still run, through sh.
  try {
    accessSync(script, fsConstants.X_OK);
    return [script, ...args];
  } catch {
    return ['/bin/sh', script, ...args];
  }
}

/** How a parameter value looks as an environment variable or argv word. */
function envText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function buildEnv(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext, runnerOwn: Readonly<Record<string, ParamSpec>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // The appliance's own settings (data dir, secret keys) are not the command's business.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NETREFLEX_')) env[k] = v;
  if (params.env !== null && typeof params.env === 'object' && !Array.isArray(params.env)) {
    for (const [k, v] of Object.entries(params.env)) env[k] = envText(v);
  }
  for (const [name, value] of Object.entries(params)) {
    if (name in runnerOwn || value === undefined) continue;
    env[`ST2_ACTION_${name.toUpperCase()}`] = envText(value);
  }
  env.ST2_ACTION_PACK_NAME = action.pack;
  env.ST2_ACTION_EXECUTION_ID = ctx.executionId;
  return env;
}

function timeoutOf(action: ActionSpec, params: Record<string, unknown>): number | null {
  const t = params.timeout;
  if (typeof t === 'number' && Number.isFinite(t)) return t > 0 ? t * 1000 : null;
  return action.timeoutMs ?? 60_000;
}

/** StackStorm strips the trailing newline a command prints, so `echo hi` gives "hi". */
function trimShell(s: string): string {
  return s.replace(/\r?\n$/, '');
}
