import { randomBytes } from 'node:crypto';
import ssh2, { type ClientChannel } from 'ssh2';
import { NrxError } from '../../src/core/errors.js';
import type { HostKeyDecision, HostKeyPolicy } from './known-hosts.js';
import { connectWithoutDelay, loginConfig, type SshLogin } from './ssh-login.js';

/**
 * Commands on a server over SSH exec channels (what `ssh host 'command'` does): separate stdout
 * and stderr, an exit status, no prompt scraping. For Linux hosts (StackStorm's remote-shell
 * runners); network devices use the CLI session in ssh-cli.ts. The host key is checked
 * against known_hosts exactly as for devices.
 */

export interface SshExecOptions extends Omit<SshLogin, 'keepaliveIntervalMs'> {
  /** How the host is named in errors: its inventory name or the address as given. */
  label: string;
}

export interface ExecOptions {
  /** Written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The command line is a POSIX shell's: it first tells its process group (sshd makes each
   * session's shell a group leader), so a timeout or cancel can kill everything it started.
   * Without it only the SSH `signal` request is tried, which reaches the shell but not its children.
   */
  posixShell?: boolean;
}

export interface ExecOutcome {
  /** Exit status; null when the command ended by a signal or was stopped. */
  code: number | null;
  signal: string | null;
  /** 'timeout' or 'aborted' when we stopped it. */
  stoppedBy: 'timeout' | 'aborted' | null;
}

const { Client } = ssh2;

export class SshExecConnection {
  hostKey: HostKeyDecision | undefined;
  private readonly client = new Client();
  private closed = false;

  private constructor(private readonly opts: SshExecOptions) {}

  static async open(opts: SshExecOptions): Promise<SshExecConnection> {
    const c = new SshExecConnection(opts);
    await c.connect();
    return c;
  }

  private get label(): string {
    return `host ${this.opts.label} (${this.opts.host}:${this.opts.port})`;
  }

  private connect(): Promise<void> {
    const o = this.opts;
    const { config, hostKeyError } = loginConfig(this.client, o, o.label, (decision) => (this.hostKey = decision));
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error & { level?: string; code?: string }): void => {
        this.client.removeListener('ready', onReady);
        this.closed = true;
        reject(hostKeyError() ?? this.connectError(err));
      };
      const onReady = (): void => {
        this.client.removeListener('error', onError);
        this.client.on('error', () => void (this.closed = true));
        this.client.on('close', () => void (this.closed = true));
        resolve();
      };
      this.client.once('error', onError);
      this.client.once('ready', onReady);
      try {
        connectWithoutDelay(this.client, config);
      } catch (e) {
        // ssh2 throws synchronously on a key it cannot parse.
        this.client.removeListener('error', onError);
        this.client.removeListener('ready', onReady);
        reject(new NrxError('NRX_ERR_AUTH', `${this.label}: ${(e as Error).message}`));
      }
    });
  }

  private connectError(err: Error & { level?: string; code?: string }): NrxError {
    const o = this.opts;
    if (err.level === 'client-authentication')
      return new NrxError(
        'NRX_ERR_AUTH',
        `${this.label}: authentication failed for user '${o.username}' (${[o.password !== undefined ? 'password' : '', o.privateKey ? 'key' : ''].filter(Boolean).join(', ') || 'no secret'})`,
      );
    if (err.level === 'client-timeout')
      return new NrxError('NRX_ERR_DEVICE_TIMEOUT', `${this.label}: no SSH handshake within ${(o.connectTimeoutMs ?? 15_000) / 1000} s`);
    return new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `${this.label}: cannot connect: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '));
  }

  /** Run one command line (the remote user's shell interprets it) and wait for its exit status. */
  exec(command: string, opts: ExecOptions = {}): Promise<ExecOutcome> {
    if (this.closed) return Promise.reject(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.label}: the connection is closed`));
    const marker = opts.posixShell ? `NRX-PGID-${randomBytes(6).toString('hex')}:` : null;
    const line = marker ? `printf '%s%s\\n' '${marker}' "$$" >&2; ${command}` : command;
    return new Promise<ExecOutcome>((resolve, reject) => {
      this.client.exec(line, (err, channel: ClientChannel) => {
        if (err) {
          reject(new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `${this.label}: the server refused to run a command: ${err.message}`));
          return;
        }
        let code: number | null = null;
        let signal: string | null = null;
        let stoppedBy: ExecOutcome['stoppedBy'] = null;
        let pgid: number | null = null;
        let settled = false;
        let stderrHead: Buffer | null = marker ? Buffer.alloc(0) : null;
        const settle = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve({ code: stoppedBy ? null : code, signal, stoppedBy });
        };
        const stop = (why: 'timeout' | 'aborted'): void => {
          if (stoppedBy) return;
          stoppedBy = why;
          void this.kill(channel, pgid).finally(() => {
            channel.close();
            // A command that ignores all of this must not hold the execution: give up waiting.
            setTimeout(settle, 3000).unref();
          });
        };
        const timer = opts.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
        const onAbort = (): void => stop('aborted');
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        if (opts.signal?.aborted) stop('aborted');
        channel.on('data', (d: Buffer) => opts.onStdout?.(d));
        channel.stderr.on('data', (d: Buffer) => {
          if (stderrHead === null) return void opts.onStderr?.(d);
          // The first stderr line is ours (the process group); everything after it is the command's.
          stderrHead = Buffer.concat([stderrHead, d]);
          const nl = stderrHead.indexOf(0x0a);
          if (nl === -1 && stderrHead.length < 256) return;
          const first = stderrHead.subarray(0, nl === -1 ? stderrHead.length : nl).toString('utf8');
          const rest = nl === -1 ? Buffer.alloc(0) : stderrHead.subarray(nl + 1);
          stderrHead = null;
          if (first.startsWith(marker!)) pgid = Number(first.slice(marker!.length)) || null;
          else opts.onStderr?.(Buffer.from(`${first}\n`));
          if (rest.length) opts.onStderr?.(rest);
        });
        channel.on('exit', (c: number | null, s?: string) => {
          code = typeof c === 'number' ? c : null;
          signal = s ?? null;
        });
        channel.on('close', settle);
        if (opts.stdin !== undefined) channel.end(opts.stdin);
        else channel.end();
      });
    });
  }

  /** Kill what a command started: its whole process group when known, else signal the session. */
  private async kill(channel: ClientChannel, pgid: number | null): Promise<void> {
    try {
      // OpenSSH >= 7.9 delivers this to the session's shell.
      channel.signal('KILL');
    } catch {
      /* channel already closing */
    }
    if (pgid === null || pgid <= 1 || this.closed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000);
      this.client.exec(`kill -KILL -- -${pgid} 2>/dev/null || kill -KILL ${pgid} 2>/dev/null; true`, (err, ch) => {
        if (err) {
          clearTimeout(t);
          resolve();
          return;
        }
        ch.on('close', () => {
          clearTimeout(t);
          resolve();
        });
        ch.resume();
        ch.stderr.resume();
        ch.end();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
    });
  }
}
