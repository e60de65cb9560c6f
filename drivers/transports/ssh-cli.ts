import ssh2, { type ClientChannel } from 'ssh2';
import { NrxError } from '../../src/core/errors.js';
import type { HostKeyDecision, HostKeyPolicy } from './known-hosts.js';
import type { CliMode, CliSession, RunOptions, RunOutput } from '../contract/cli.js';
import type { Platform } from '../platforms/platform.js';
import { answerHostKeysPromptly, connectWithoutDelay, loginConfig } from './ssh-login.js';
import { cleanTerminalText, escapeRegex, lastLine } from './terminal.js';

/**
 * CLI over an ssh2 shell channel, scrapli's channel layer: learn the base prompt on connect,
 * turn paging off, then one command at a time, reading until a prompt of this device comes back.
 * One session serves many commands. Mode changes are the driver's business; the session only
 * reports which mode the last prompt shows.
 */

export interface SshCliOptions {
  /** The inventory name, used in every error message. */
  device: string;
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  platform: Platform;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  /** Secret for `enable` when the login lands in user exec mode. */
  enableSecret?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

const TAIL = 2048;
// ssh2 is CommonJS: its classes come through the default export under ESM.
const { Client } = ssh2;

export class SshCliSession implements CliSession {
  basePrompt = '';
  mode: CliMode = 'privileged';
  hostKey: HostKeyDecision | undefined;
  private client = new Client();
  private channel: ClientChannel | undefined;
  private closed = false;
  private pending: { onChunk(text: string): void; fail(e: NrxError): void } | undefined;
  private modePatterns: Array<[CliMode, RegExp]> = [];

  private constructor(private readonly opts: SshCliOptions) {}

  static async open(opts: SshCliOptions): Promise<SshCliSession> {
    const s = new SshCliSession(opts);
    await s.connect();
    return s;
  }

  private get label(): string {
    return `device ${this.opts.device} (${this.opts.host}:${this.opts.port})`;
  }

  /** False once the session was closed, timed out mid-command or lost its connection. */
  get isOpen(): boolean {
    return !this.closed;
  }

  private async connect(): Promise<void> {
    const o = this.opts;
    const { config, hostKeyError } = loginConfig(this.client, o, o.device, (decision) => (this.hostKey = decision));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error & { level?: string; code?: string }): void => {
        this.client.removeListener('ready', onReady);
        reject(hostKeyError() ?? this.connectError(err));
      };
      const onReady = (): void => {
        this.client.removeListener('error', onError);
        resolve();
      };
      this.client.once('error', onError);
      this.client.once('ready', onReady);
      // Interactive traffic: with Nagle on, a delayed ACK adds ~40 ms to login steps and commands.
      answerHostKeysPromptly(this.client);
      connectWithoutDelay(this.client, config);
    });
    // Later errors (keepalive timeout, reset) end the session and fail the command in flight.
    this.client.on('error', (err) => this.lost(`${err.message}`));
    this.client.on('close', () => this.lost('the SSH connection closed'));
    this.channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.client.shell({ term: 'vt100', cols: 511, rows: 200 }, (err, ch) =>
        err ? reject(new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `${this.label}: shell refused: ${err.message}`)) : resolve(ch),
      );
    });
    this.channel.on('data', (d: Buffer) => this.pending?.onChunk(d.toString('utf8')));
    this.channel.stderr.on('data', (d: Buffer) => this.pending?.onChunk(d.toString('utf8')));
    this.channel.on('close', () => this.lost('the device closed the shell'));
    try {
      await this.learnPrompt();
      if (this.mode === 'exec' && o.platform.enable) await this.enable();
      for (const cmd of o.platform.onOpen) await this.run(cmd);
    } catch (e) {
      this.client.end();
      throw e;
    }
  }

  private connectError(err: Error & { level?: string; code?: string }): NrxError {
    const o = this.opts;
    if (err.level === 'client-authentication')
      return new NrxError(
        'NRX_ERR_AUTH',
        `${this.label}: authentication failed for user '${o.username}' (${o.password !== undefined ? 'password' : ''}${o.privateKey ? ' key' : ''})`,
      );
    if (err.level === 'client-timeout')
      return new NrxError('NRX_ERR_DEVICE_TIMEOUT', `${this.label}: no SSH handshake within ${(o.connectTimeoutMs ?? 15_000) / 1000} s`);
    return new NrxError('NRX_ERR_DEVICE_UNREACHABLE', `${this.label}: cannot connect: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '));
  }

  /** The first prompt after login teaches the base (`r1` of `r1#`), from which each mode's pattern follows. */
  private async learnPrompt(): Promise<void> {
    const end = this.opts.platform.promptEnd;
    const { prompt } = await this.read(
      '(login)',
      { matcher: (tail) => (end.test(lastLine(tail)) ? lastLine(tail) : null) },
      this.opts.connectTimeoutMs ?? 15_000,
    );
    let base = prompt.replace(/\s+$/, '').replace(end, '');
    base = base.replace(/\((config[^)]*)\)$/, '');
    this.basePrompt = base;
    const suffix = this.opts.platform.promptSuffix;
    const order: CliMode[] = ['config', 'privileged', 'exec'];
    this.modePatterns = order.filter((m) => suffix[m] !== undefined).map((m) => [m, new RegExp(`^${escapeRegex(base)}(?:${suffix[m]})\\s*$`)]);
    this.mode = this.modeOf(prompt) ?? 'privileged';
  }

  private modeOf(line: string): CliMode | undefined {
    for (const [mode, re] of this.modePatterns) if (re.test(line)) return mode;
    return undefined;
  }

  private async enable(): Promise<void> {
    const en = this.opts.platform.enable!;
    const r = await this.run(en.command, { expect: en.passwordPrompt });
    if (en.passwordPrompt.test(r.prompt)) await this.run(this.opts.enableSecret ?? this.opts.password ?? '', { secret: true });
    if (this.mode !== 'privileged')
      throw new NrxError('NRX_ERR_AUTH', `${this.label}: '${en.command}' did not reach privileged mode (prompt ${JSON.stringify(r.prompt)})`);
  }

  /** Send one command and read until the device's prompt; the echo and the prompt are removed. */
  async run(command: string, opts: RunOptions = {}): Promise<RunOutput> {
    if (this.closed)
      throw new NrxError('NRX_ERR_CONNECTION_LOST', `${this.label}: the session is closed; '${opts.secret ? '(secret)' : command}' was not sent`);
    const started = performance.now();
    const expect = opts.expect;
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 30_000;
    const echo = opts.secret !== true;
    const matcher = (tail: string): string | null => {
      const line = lastLine(tail);
      if (this.modeOf(line)) return line;
      if (expect?.test(tail)) return expect.exec(tail)![0];
      return null;
    };
    const reading = this.read(opts.secret ? '(secret)' : command, { matcher, onData: opts.onData, skipEcho: echo }, timeoutMs);
    this.write(`${command}\n`);
    const { raw, prompt } = await reading;
    const mode = this.modeOf(prompt);
    if (mode) this.mode = mode;
    return { output: this.trimOutput(raw, command, prompt, echo), prompt, elapsedMs: performance.now() - started };
  }

  /** Write without waiting (the body of a paste). */
  write(text: string): void {
    if (this.closed || !this.channel) throw new NrxError('NRX_ERR_CONNECTION_LOST', `${this.label}: the session is closed`);
    this.channel.write(text);
  }

  private read(
    command: string,
    how: { matcher(tail: string): string | null; onData?: (chunk: string) => void; skipEcho?: boolean },
    timeoutMs: number,
  ): Promise<{ raw: string; prompt: string }> {
    if (this.closed) return Promise.reject(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.label}: the session is closed; '${command}' was not sent`));
    if (this.pending) return Promise.reject(new NrxError('NRX_ERR_RUNNER_FAILED', `${this.label}: '${command}' sent while another command is running`));
    const pager = this.opts.platform.pager;
    // The same pager text anywhere in the output, to remove it once the command is done.
    const pagerAnywhere = pager ? new RegExp(`[ \\t]*(?:${pager.source.replace(/(\\s\*)?\$$/, '')})[ \\t]*`, 'g') : undefined;
    return new Promise((resolve, reject) => {
      const chunks: string[] = [];
      let tail = '';
      let echoHeld: string | undefined = how.skipEcho ? '' : undefined;
      const timer = setTimeout(() => {
        this.pending = undefined;
        // Mid-command the session's state is unknown: close it rather than misread the next answer.
        this.closeQuietly();
        reject(
          new NrxError(
            'NRX_ERR_DEVICE_TIMEOUT',
            `${this.label}: no prompt within ${timeoutMs / 1000} s after '${command}' (last output: ${JSON.stringify(cleanTerminalText(tail).slice(-120))})`,
            { details: { device: this.opts.device, command } },
          ),
        );
      }, timeoutMs);
      this.pending = {
        onChunk: (text) => {
          chunks.push(text);
          tail = (tail + text).slice(-TAIL);
          const clean = cleanTerminalText(tail);
          if (how.onData) {
            // Stream what follows the echoed command line, chunk by chunk (no re-reading of long outputs).
            let fresh = cleanTerminalText(text);
            if (echoHeld !== undefined) {
              echoHeld += fresh;
              const nl = echoHeld.indexOf('\n');
              fresh = nl < 0 ? '' : echoHeld.slice(nl + 1);
              if (nl >= 0) echoHeld = undefined;
            }
            if (fresh) how.onData(fresh);
          }
          if (pager && pager.test(clean)) {
            chunks.push('\n');
            tail = '';
            this.channel?.write(' ');
            return;
          }
          const prompt = how.matcher(clean);
          if (prompt !== null) {
            clearTimeout(timer);
            this.pending = undefined;
            const raw = cleanTerminalText(chunks.join(''));
            resolve({ raw: pagerAnywhere ? raw.replace(pagerAnywhere, '') : raw, prompt });
          }
        },
        fail: (e) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(e);
        },
      };
    });
  }

  private trimOutput(raw: string, command: string, prompt: string, echo: boolean): string {
    let lines = raw.split('\n');
    // The echo: the first line holding the command (a device may repeat its prompt before it).
    if (echo && lines.length > 0 && (command === '' || lines[0]!.trimEnd().endsWith(command.trim()))) lines = lines.slice(1);
    if (lines.length > 0 && lines[lines.length - 1]!.trim() === prompt.trim()) lines.pop();
    const prefix = this.opts.platform.promptPrefixLine;
    if (prefix && lines.length > 0 && prefix.test(lines[lines.length - 1]!.trim())) lines.pop();
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines.join('\n');
  }

  private lost(why: string): void {
    const wasOpen = !this.closed;
    this.closed = true;
    if (wasOpen)
      this.pending?.fail(
        new NrxError('NRX_ERR_CONNECTION_LOST', `${this.label}: ${why} while a command was running`, { details: { device: this.opts.device } }),
      );
  }

  private closeQuietly(): void {
    this.closed = true;
    this.client.end();
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
