import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { describeError } from '../../core/errors.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';
import { loadPackConfig, type PackConfig } from '../../datastore/pack-config.js';
import type { PackConfigStore } from '../../datastore/pack-config-store.js';
import type { ActionSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { CapturedStream } from './output.js';
import { abortedByTimeout, asText, childEnvironment, killGroup } from './process-group.js';
import { PythonChannel, type ActionDatastore, type HostOutcome } from './python-channel.js';
import type { PackInterpreter, PythonEnvironments } from './python-env.js';
import { PackWorkspace } from './pack-workspace.js';
import { resolveRunAs, runnerHome } from './run-as.js';

/** StackStorm's exit code for a process killed by its timeout. */
const TIMEOUT_EXIT_CODE = -9;

export interface PythonRunnerOptions {
  envs: PythonEnvironments;
  kv: ActionDatastore & Partial<Pick<KeyValueStore, 'templateContext'>>;
  /** The appliance's data dir, for `configs/<pack>.yaml`; null: actions get an empty config. */
  dataDir: string | null;
  /** Pack configs with the values set through the API/CLI too (else the file and the schema only). */
  packConfig?: PackConfigStore;
  /** Bytes kept of stdout and of stderr each (default 1 MiB). */
  outputCapBytes?: number;
  /** Time between SIGTERM and SIGKILL when an action is stopped (default 2 s). */
  killGraceMs?: number;
  /**
   * Who actions run as and where their files are read from. Default: like local commands,
   * the unprivileged NETREFLEX_RUNNER_USER (nobody) when the appliance runs as root.
   */
  workspace?: PackWorkspace;
}

export const PYTHON_SCRIPT_RUNNER: RunnerDeclaration = {
  runnerType: 'python-script',
  aliases: [],
  parameters: {
    env: { type: 'object', description: 'Extra environment variables for the Python process.' },
    timeout: { type: 'integer', default: 600, description: 'Seconds before the Python process is killed.' },
    log_level: { type: 'string', default: 'DEBUG', enum: ['AUDIT', 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'], description: 'Level of self.logger.' },
    debug: { type: 'boolean', default: false, description: 'Accepted for StackStorm compatibility; no effect.' },
    content_version: { type: 'string', description: 'Not supported by netreflex (git worktrees of packs); ignored.' },
  },
};

/**
 * StackStorm's python-script runner: one Python process per execution runs the action class
 * in the entry point (`run(**parameters)`), with the pack config as `self.config` and the
 * datastore as `self.action_service`. Parameters, config and datastore traffic go over a
 * private pipe (fd 3), never the command line; stdout and stderr are the action's own.
 * Result: `{result, stdout, stderr, exit_code}`; a returned `(False, x)` fails the execution.
 * The action is arbitrary code with the appliance's rights, like a shell command.
 */
export class PythonScriptRunner implements Runner {
  readonly runnerType = PYTHON_SCRIPT_RUNNER.runnerType;
  readonly aliases = PYTHON_SCRIPT_RUNNER.aliases;
  readonly parameters = PYTHON_SCRIPT_RUNNER.parameters;
  private readonly capBytes: number;
  private readonly killGraceMs: number;
  readonly workspace: PackWorkspace;

  constructor(private readonly opts: PythonRunnerOptions) {
    this.capBytes = opts.outputCapBytes ?? 1024 * 1024;
    this.killGraceMs = opts.killGraceMs ?? 2000;
    this.workspace = opts.workspace ?? new PackWorkspace(resolveRunAs());
  }

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    if (!action.entryPoint)
      return refuse('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: python-script needs an entry_point (a .py file under actions/) in ${action.file}`);
    const packDir = path.dirname(path.dirname(action.file));
    let config: PackConfig;
    try {
      const templates = this.opts.kv.templateContext ? { st2kv: this.opts.kv.templateContext({ pack: action.pack }) } : {};
      config = this.opts.packConfig
        ? await this.opts.packConfig.resolve(action.pack, packDir, templates)
        : this.opts.dataDir
          ? loadPackConfig(this.opts.dataDir, action.pack, packDir, templates)
          : { values: {}, file: null };
    } catch (e) {
      const d = describeError(e);
      return refuse(d.code, `action ${action.ref}: cannot read the pack config: ${d.message}`);
    }
    const interpreter = await this.opts.envs.forPack(action.pack, packDir, ctx.log);
    if (ctx.signal.aborted) return stoppedEarly(ctx);

    const own = this.parameters;
    const actionParams: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) if (!(k in own)) actionParams[k] = v;
    const rel = path.relative(packDir, action.entryPoint);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      return refuse('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: entry point ${action.entryPoint} is outside the pack folder ${packDir}`);
    let child: ChildProcess;
    let loadDir: string;
    try {
      loadDir = this.workspace.packDir(action.pack, packDir);
      const as = this.workspace.runAs;
      const env = buildEnv(action, params, ctx);
      const home = as ? runnerHome(as) : undefined;
      if (as) Object.assign(env, { HOME: home, USER: as.user, LOGNAME: as.user });
      child = spawn(interpreter.python, ['-u', this.workspace.hostScript()], {
        cwd: home ?? packDir,
        env,
        // Node drops the supplementary groups too when uid/gid are given.
        ...(as ? { uid: as.uid, gid: as.gid } : {}),
        // detached: the action leads its own process group, so a timeout stops its children too.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      return refuse('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: cannot start ${interpreter.python}: ${(e as Error).message}`);
    }
    const channel = new PythonChannel(child.stdio[3] as Duplex, this.opts.kv, ctx.log);
    channel.start({
      entry_point: path.join(loadDir, rel),
      pack: action.pack,
      parameters: actionParams,
      config: config.values,
      config_source: config.file,
      log_level: typeof params.log_level === 'string' ? params.log_level : 'DEBUG',
      python_path: [path.join(loadDir, 'actions', 'lib'), path.join(loadDir, 'lib')].filter((p) => existsSync(p)),
    });
    return this.supervise(action, child, channel, interpreter, timeoutOf(action, params), ctx);
  }

  private supervise(
    action: ActionSpec,
    child: ChildProcess,
    channel: PythonChannel,
    interpreter: PackInterpreter,
    timeoutMs: number | null,
    ctx: RunContext,
  ): Promise<RunResultOk> {
    const stdout = new CapturedStream(this.capBytes, (l) => ctx.log(l));
    const stderr = new CapturedStream(this.capBytes, (l) => ctx.log(`stderr: ${l}`));
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));

    return new Promise<RunResultOk>((resolve) => {
      let why: 'timeout' | 'canceled' | null = null;
      let killTimer: NodeJS.Timeout | undefined;
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

      const finish = async (code: number | null, spawnError?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        await channel.settled();
        channel.close();
        stdout.end();
        stderr.end();
        if (spawnError) {
          resolve(refuse('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: cannot start ${interpreter.python}: ${spawnError.message}`));
          return;
        }
        const exitCode = why === 'timeout' ? TIMEOUT_EXIT_CODE : (code ?? 1);
        const outcome = channel.outcome;
        const result: Record<string, unknown> = {
          result: outcome?.op === 'result' ? outcome.result : null,
          stdout: stdout.text(),
          stderr: stderr.text(),
          exit_code: exitCode,
        };
        if (stdout.truncated) result.stdout_truncated = true;
        if (stderr.truncated) result.stderr_truncated = true;
        if (why === 'timeout') {
          const s = timeoutMs !== null ? timeoutMs / 1000 : 0;
          result.error = `Action failed to complete in ${s} seconds`;
          resolve({ status: 'timeout', result, error: { code: 'NRX_ERR_TIMEOUT', message: `action ${action.ref}: Python process killed after ${s} s` } });
        } else if (why === 'canceled') {
          resolve({ status: 'failed', result, error: { code: 'NRX_ERR_CANCELED', message: `action ${action.ref}: canceled` } });
        } else resolve(judge(action, outcome, exitCode, result, interpreter, channel.protocolError));
      };

      child.on('error', (e) => void finish(null, e));
      child.on('close', (code, signal) => void finish(code ?? (signal ? -(osConstants.signals[signal] ?? 1) : null)));
    });
  }
}

/** The final status from the host's outcome and the exit code, as StackStorm decides it. */
function judge(
  action: ActionSpec,
  outcome: HostOutcome | null,
  exitCode: number,
  result: Record<string, unknown>,
  interpreter: PackInterpreter,
  protocolError: string | null,
): RunResultOk {
  if (outcome?.op === 'result') {
    const ok = exitCode === 0 && outcome.status !== false;
    return { status: ok ? 'succeeded' : 'failed', result };
  }
  if (outcome?.op === 'failure') {
    switch (outcome.kind) {
      case 'missing_module':
        return {
          status: 'failed',
          result,
          error: { code: 'NRX_ERR_CONFIG', message: missingModuleMessage(action, outcome.module ?? outcome.message, interpreter) },
        };
      case 'load':
        return { status: 'failed', result, error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: ${outcome.message}` } };
      case 'bad_status':
        return { status: 'failed', result, error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: ${outcome.message}` } };
      default:
        // The action raised: its own failure, traceback in stderr.
        return { status: 'failed', result };
    }
  }
  if (protocolError) return { status: 'failed', result, error: { code: 'NRX_ERR_RUNNER_FAILED', message: `action ${action.ref}: ${protocolError}` } };
  // No word from the host: the action called sys.exit() or the interpreter died.
  return { status: exitCode === 0 ? 'succeeded' : 'failed', result };
}

function missingModuleMessage(action: ActionSpec, module: string, interpreter: PackInterpreter): string {
  const top = module.split('.')[0]!;
  if (/^st2(common|client|actions|reactor)$/.test(top)) {
    return `action ${action.ref} imports ${module}, a part of StackStorm netreflex does not provide (only st2common.runners.base_action.Action and its datastore service are)`;
  }
  const where = interpreter.venv ? `the pack's virtualenv ${interpreter.venv}` : interpreter.python;
  const why = interpreter.problem ? ` ${interpreter.problem}.` : interpreter.venv ? '' : ' The pack has no requirements.txt that names it.';
  return `action ${action.ref} needs Python module '${top}', which ${where} does not have.${why} Install it (Debian packages many as python3-<name>) or list it in the pack's requirements.txt with a package index reachable`;
}

function buildEnv(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): NodeJS.ProcessEnv {
  const env = childEnvironment();
  if (params.env !== null && typeof params.env === 'object' && !Array.isArray(params.env)) {
    // PYTHONPATH is the runner's: a user value would hide the StackStorm compatibility module.
    for (const [k, v] of Object.entries(params.env)) if (k.toUpperCase() !== 'PYTHONPATH') env[k] = asText(v);
  }
  env.ST2_ACTION_PACK_NAME = action.pack;
  env.ST2_ACTION_EXECUTION_ID = ctx.executionId;
  return env;
}

function timeoutOf(action: ActionSpec, params: Record<string, unknown>): number | null {
  const t = params.timeout;
  if (typeof t === 'number' && Number.isFinite(t)) return t > 0 ? t * 1000 : null;
  return action.timeoutMs ?? 600_000;
}

function refuse(code: string, message: string): RunResultOk {
  return { status: 'failed', result: null, error: { code, message } };
}

function stoppedEarly(ctx: RunContext): RunResultOk {
  return abortedByTimeout(ctx)
    ? { status: 'timeout', result: null, error: { code: 'NRX_ERR_TIMEOUT', message: 'timed out before the Python process started' } }
    : { status: 'failed', result: null, error: { code: 'NRX_ERR_CANCELED', message: 'canceled before the Python process started' } };
}
