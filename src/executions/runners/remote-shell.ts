import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RemoteHostResolver, RemoteLogin } from '../../../drivers/access/targets.js';
import { SshExecConnection, type ExecOutcome } from '../../../drivers/transports/ssh-exec.js';
import { describeError, NrxError } from '../../core/errors.js';
import { shellQuote } from '../../core/template.js';
import type { ActionSpec, ParamSpec, Runner, RunContext, RunResultOk } from '../action.js';
import { CapturedStream } from './output.js';
import { abortedByTimeout, asText } from './process-group.js';
import { REMOTE_SHELL_CMD_RUNNER, REMOTE_SHELL_SCRIPT_RUNNER } from './remote-shell-parameters.js';

/** How to log in to one host. */
export interface RemoteShellOptions {
  /** Bytes kept of each host's stdout and stderr (default 1 MiB). */
  outputCapBytes?: number;
  connectTimeoutMs?: number;
  /** Hosts worked on at once when `parallel` is true (default 20). */
  maxParallel?: number;
}

/** StackStorm's per-host result. */
export interface HostResult {
  stdout: string;
  stderr: string;
  return_code: number | null;
  succeeded: boolean;
  failed: boolean;
  timed_out?: boolean;
  error?: string;
  error_code?: string;
}

/** What runs on every host: the command line (given the uploaded script's path) and the script. */
interface RunPlan {
  hosts: string[];
  command: (scriptPath: string | null) => string;
  script: { name: string; body: Buffer; dir: string } | null;
}

const TIMEOUT_EXIT_CODE = -9;
/** ssh's own exit status when it could not connect or log in. */
const CONNECT_FAILED_CODE = 255;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REMOTE_TMP = /\/netreflex-[A-Za-z0-9]{8,}$/;

/**
 * StackStorm's remote-shell-cmd and remote-shell-script (core.remote): a command or the action's
 * script on every host in `hosts`, over SSH with host keys checked against known_hosts.
 * Result: `{<host>: {stdout, stderr, return_code, succeeded, failed}}`; the execution succeeds
 * when every host does. `cmd` is the operator's command line (its template values were
 * already shell-quoted); every other parameter reaches the host as a quoted
 * `ST2_ACTION_<NAME>` variable (and, for scripts, a quoted argument), never as shell syntax.
 */
export class RemoteShellRunner implements Runner {
  readonly aliases: readonly string[] = [];
  readonly parameters: Readonly<Record<string, ParamSpec>>;
  private readonly capBytes: number;

  constructor(
    readonly runnerType: 'remote-shell-cmd' | 'remote-shell-script',
    private readonly hosts: RemoteHostResolver,
    private readonly opts: RemoteShellOptions = {},
  ) {
    this.capBytes = opts.outputCapBytes ?? 1024 * 1024;
    this.parameters = (runnerType === 'remote-shell-cmd' ? REMOTE_SHELL_CMD_RUNNER : REMOTE_SHELL_SCRIPT_RUNNER).parameters;
  }

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    let plan: RunPlan;
    try {
      plan = this.plan(action, params);
    } catch (e) {
      const d = describeError(e);
      return { status: 'failed', result: null, error: { code: d.code, message: d.message } };
    }
    const timeoutMs = typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout * 1000 : (action.timeoutMs ?? 60_000);
    const results: Record<string, HostResult> = {};
    const one = async (entry: string): Promise<void> => {
      results[entry] = await this.onHost(entry, params, plan, timeoutMs, ctx);
    };
    const limit = params.parallel === false ? 1 : Math.max(1, this.opts.maxParallel ?? 20);
    const queue = [...plan.hosts];
    await Promise.all(
      Array.from({ length: Math.min(limit, queue.length) }, async () => {
        for (let h = queue.shift(); h !== undefined; h = queue.shift()) await one(h);
      }),
    );
    // Keys in the order the hosts were given.
    const ordered: Record<string, HostResult> = {};
    for (const h of plan.hosts) ordered[h] = results[h]!;
    return summarise(action, ordered, ctx);
  }

  private plan(action: ActionSpec, params: Record<string, unknown>): RunPlan {
    if (params.sudo === true)
      throw new NrxError(
        'NRX_ERR_PARAM_INVALID',
        `action ${action.ref}: parameter 'sudo' is not supported by netreflex (log in as a user with the rights the command needs)`,
      );
    if (typeof params.bastion_host === 'string' && params.bastion_host !== '')
      throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'bastion_host' is not supported by netreflex`);
    const hosts = parseHosts(params.hosts);
    if (hosts.length === 0)
      throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'hosts' names no host`, { location: { field: 'hosts' } });
    const prefix = environmentPrefix(action, params, this.parameters);
    if (this.runnerType === 'remote-shell-cmd') {
      const cmd = params.cmd;
      if (typeof cmd !== 'string' || cmd.trim() === '')
        throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'cmd' must be a non-empty command line`, { location: { field: 'cmd' } });
      return { hosts, command: () => `${prefix}${cmd}`, script: null };
    }
    if (!action.entryPoint)
      throw new NrxError('NRX_ERR_RUNNER_FAILED', `action ${action.ref}: remote-shell-script needs an entry_point`, {
        location: { file: action.file, field: 'entry_point' },
      });
    const body = readFileSync(action.entryPoint);
    const args = scriptArguments(action, params).map(shellQuote).join(' ');
    const dir = typeof params.dir === 'string' && params.dir !== '' ? params.dir : '/tmp';
    return {
      hosts,
      command: (scriptPath: string | null) => `${prefix}${shellQuote(scriptPath)}${args ? ` ${args}` : ''}`,
      script: { name: path.basename(action.entryPoint), body, dir },
    };
  }

  private async onHost(entry: string, params: Record<string, unknown>, plan: RunPlan, timeoutMs: number, ctx: RunContext): Promise<HostResult> {
    const say = (l: string) => ctx.log(`${entry}: ${l}`);
    let conn: SshExecConnection;
    try {
      const login = await this.login(entry, params);
      if (ctx.signal.aborted) return failedHost(abortedByTimeout(ctx) ? 'NRX_ERR_TIMEOUT' : 'NRX_ERR_CANCELED', 'stopped before connecting');
      conn = await SshExecConnection.open({
        label: entry,
        ...login,
        knownHostsFile: this.hosts.knownHostsFile,
        hostKeyPolicy: this.hosts.hostKeyPolicy,
        ...(this.opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.opts.connectTimeoutMs } : {}),
      });
    } catch (e) {
      const d = describeError(e);
      say(`${d.code}: ${d.message}`);
      return failedHost(d.code, d.message);
    }
    const stdout = new CapturedStream(this.capBytes, say);
    const stderr = new CapturedStream(this.capBytes, (l) => say(`stderr: ${l}`));
    let remoteDir: string | null = null;
    try {
      let scriptPath: string | null = null;
      if (plan.script) {
        remoteDir = await upload(conn, plan.script);
        scriptPath = `${remoteDir}/${plan.script.name}`;
      }
      const out = await conn.exec(plan.command(scriptPath), {
        onStdout: (c) => stdout.push(c),
        onStderr: (c) => stderr.push(c),
        timeoutMs,
        signal: ctx.signal,
        posixShell: true,
      });
      stdout.end();
      stderr.end();
      return hostResult(out, stdout, stderr, timeoutMs);
    } catch (e) {
      const d = describeError(e);
      say(`${d.code}: ${d.message}`);
      return { ...failedHost(d.code, d.message), stdout: stdout.text(), stderr: stderr.text() };
    } finally {
      if (remoteDir && REMOTE_TMP.test(remoteDir)) await conn.exec(`rm -rf -- ${shellQuote(remoteDir)}`, { timeoutMs: 10_000 }).catch(() => {});
      await conn.close();
    }
  }

  /** Inventory hosts log in with the inventory's credential; explicit parameters override it. */
  private async login(entry: string, params: Record<string, unknown>): Promise<RemoteLogin> {
    const { name, port } = splitHostPort(entry);
    const fromInventory = await this.hosts.inventoryHost(name);
    const explicit: Partial<RemoteLogin> = {};
    if (typeof params.credential === 'string' && params.credential !== '') Object.assign(explicit, await this.hosts.credential(params.credential));
    if (typeof params.username === 'string' && params.username !== '') explicit.username = params.username;
    if (typeof params.password === 'string' && params.password !== '') explicit.password = params.password;
    if (typeof params.private_key === 'string' && params.private_key !== '') {
      if (!params.private_key.includes('PRIVATE KEY'))
        throw new NrxError(
          'NRX_ERR_PARAM_INVALID',
          "parameter 'private_key' must be the key itself (-----BEGIN ... PRIVATE KEY-----), not a path: netreflex does not read key files named by a parameter",
          { location: { field: 'private_key' } },
        );
      explicit.privateKey = params.private_key;
    }
    if (typeof params.passphrase === 'string' && params.passphrase !== '') explicit.passphrase = params.passphrase;
    if (fromInventory) return { ...fromInventory, ...explicit, ...(port !== null ? { port } : {}) };
    if (!explicit.username || (explicit.password === undefined && explicit.privateKey === undefined)) {
      throw new NrxError(
        'NRX_ERR_AUTH',
        `host ${name} is not in the inventory and the action gives no login for it (username with password or private_key, or credential: NAME)`,
      );
    }
    const defaultPort = typeof params.port === 'number' ? params.port : 22;
    return { host: name, port: port ?? defaultPort, username: explicit.username, ...pick(explicit) };
  }
}

function pick(l: Partial<RemoteLogin>): Partial<RemoteLogin> {
  return {
    ...(l.password !== undefined ? { password: l.password } : {}),
    ...(l.privateKey !== undefined ? { privateKey: l.privateKey } : {}),
    ...(l.passphrase !== undefined ? { passphrase: l.passphrase } : {}),
  };
}

/** `hosts` as StackStorm takes it: "a, b" or ["a", "b"]; duplicates once. */
export function parseHosts(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw.map((h) => asText(h)) : typeof raw === 'string' ? raw.split(',') : [];
  return [...new Set(list.map((h) => h.trim()).filter(Boolean))];
}

/** `name`, `name:2222`, `[2001:db8::1]:2222`; a bare IPv6 address has no port. */
export function splitHostPort(entry: string): { name: string; port: number | null } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return { name: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : null };
  const m = /^([^:]+):(\d+)$/.exec(entry);
  if (m) return { name: m[1]!, port: Number(m[2]) };
  return { name: entry, port: null };
}

/** `export ST2_ACTION_X='...' ...; cd -- '<cwd>' && ` with every value quoted as one shell word. */
function environmentPrefix(action: ActionSpec, params: Record<string, unknown>, own: Readonly<Record<string, ParamSpec>>): string {
  const vars: Array<[string, string]> = [];
  if (params.env !== null && typeof params.env === 'object' && !Array.isArray(params.env)) {
    for (const [k, v] of Object.entries(params.env)) {
      if (!ENV_NAME.test(k))
        throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: env name ${JSON.stringify(k)} is not a valid variable name`, {
          location: { field: `env.${k}` },
        });
      vars.push([k, asText(v)]);
    }
  }
  for (const [name, value] of Object.entries(params)) {
    if (name in own || value === undefined || action.parameters[name]?.secret) continue;
    vars.push([`ST2_ACTION_${name.toUpperCase()}`, asText(value)]);
  }
  const exports = vars.length ? `export ${vars.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} && ` : '';
  const cd = typeof params.cwd === 'string' && params.cwd !== '' ? `cd -- ${shellQuote(params.cwd)} && ` : '';
  return exports + cd;
}

/** StackStorm's script calling convention: positional parameters by `position`, the rest `--name=value`. */
function scriptArguments(action: ActionSpec, params: Record<string, unknown>): string[] {
  const own = REMOTE_SHELL_SCRIPT_RUNNER.parameters;
  const kwargOp = typeof params.kwarg_op === 'string' ? params.kwarg_op : '--';
  const positional: Array<[number, string]> = [];
  const named: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (name in own) continue;
    const pos = action.parameters[name]?.position;
    if (typeof pos === 'number') positional.push([pos, asText(value)]);
    else if (value !== undefined && value !== null) named.push(`${kwargOp}${name}=${asText(value)}`);
  }
  positional.sort((a, b) => a[0] - b[0]);
  return [...positional.map((p) => p[1]), ...named];
}

/** Copy the script into a fresh private folder on the host; returns the folder. */
async function upload(conn: SshExecConnection, script: { name: string; body: Buffer; dir: string }): Promise<string> {
  const file = `"$d"/${shellQuote(script.name)}`;
  let out = '';
  const r = await conn.exec(
    `umask 077 && d=$(mktemp -d ${shellQuote(script.dir)}/netreflex-XXXXXXXX) && cat > ${file} && chmod 700 ${file} && printf '%s' "$d"`,
    {
      stdin: script.body,
      onStdout: (c) => void (out += c.toString('utf8')),
      timeoutMs: 30_000,
    },
  );
  const dir = out.trim();
  if (r.code !== 0 || !REMOTE_TMP.test(dir))
    throw new NrxError('NRX_ERR_RUNNER_FAILED', `cannot copy ${script.name} to ${script.dir} on the host (exit ${String(r.code)})`);
  return dir;
}

function hostResult(out: ExecOutcome, stdout: CapturedStream, stderr: CapturedStream, timeoutMs: number): HostResult {
  const timedOut = out.stoppedBy === 'timeout';
  const code = timedOut ? TIMEOUT_EXIT_CODE : out.code;
  const ok = out.stoppedBy === null && code === 0;
  const r: HostResult = { stdout: trimShell(stdout.text()), stderr: trimShell(stderr.text()), return_code: code, succeeded: ok, failed: !ok };
  if (timedOut) {
    r.timed_out = true;
    r.error = `command killed after ${timeoutMs / 1000} s`;
  } else if (out.stoppedBy === 'aborted') r.error = 'stopped';
  else if (out.signal) r.error = `ended by signal ${out.signal}`;
  return r;
}

function failedHost(code: string, message: string): HostResult {
  return { stdout: '', stderr: '', return_code: CONNECT_FAILED_CODE, succeeded: false, failed: true, error: message, error_code: code };
}

function summarise(action: ActionSpec, results: Record<string, HostResult>, ctx: RunContext): RunResultOk {
  const entries = Object.entries(results);
  if (ctx.signal.aborted) {
    return abortedByTimeout(ctx)
      ? { status: 'timeout', result: results, error: { code: 'NRX_ERR_TIMEOUT', message: `action ${action.ref}: timed out` } }
      : { status: 'failed', result: results, error: { code: 'NRX_ERR_CANCELED', message: `action ${action.ref}: canceled` } };
  }
  const failed = entries.filter(([, r]) => r.failed);
  if (failed.length === 0) return { status: 'succeeded', result: results };
  if (entries.some(([, r]) => r.timed_out)) {
    return {
      status: 'timeout',
      result: results,
      error: {
        code: 'NRX_ERR_TIMEOUT',
        message: `action ${action.ref}: timed out on ${entries
          .filter(([, r]) => r.timed_out)
          .map(([h]) => h)
          .join(', ')}`,
      },
    };
  }
  const unreachable = failed.filter(([, r]) => r.error_code);
  if (unreachable.length === 0) return { status: 'failed', result: results };
  const [host, first] = unreachable[0]!;
  return {
    status: 'failed',
    result: results,
    error: {
      code: first.error_code!,
      message: `action ${action.ref}: ${unreachable.length} of ${entries.length} host(s) could not run the command; ${host}: ${first.error}`,
    },
  };
}

/** StackStorm strips the trailing newline a command prints. */
function trimShell(s: string): string {
  return s.replace(/\r?\n$/, '');
}
