import { createHash } from 'node:crypto';
import { NrxError } from '../../src/core/errors.js';
import { CliDriver } from '../cli-driver.js';
import type { CliMode, CliSession, Driver, RunOptions, RunOutput } from '../contract/cli.js';
import { requirePlatform } from '../platforms/registry.js';
import { SshCliSession } from '../transports/ssh-cli.js';
import type { Lease, SessionPool } from './session-pool.js';
import type { DeviceTarget } from './targets.js';

/**
 * CLI drivers whose SSH session comes from a pool. The driver sees an ordinary CliSession;
 * closing it hands the session back, still good only when nothing went wrong: no transport
 * error, no command in flight (a cancel), and the prompt back in the mode the login left it
 * in (a candidate left open in config mode is the next user's surprise, so that session closes).
 */

interface PooledSsh {
  readonly ssh: SshCliSession;
  /** The mode right after login (privileged, after enable where the platform needs it). */
  readonly loginMode: CliMode;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/**
 * Sessions are shared only between targets that would open the very same session: device,
 * address, platform, user and secrets (as a hash, never in clear), host-key checking.
 */
export function cliPoolKey(t: DeviceTarget): string {
  const secrets = createHash('sha256')
    .update(JSON.stringify([t.password ?? null, t.privateKey ?? null, t.enableSecret ?? null]))
    .digest('base64');
  return JSON.stringify(['ssh-cli', t.name, t.hostname, t.port, t.platform, t.username, secrets, t.knownHostsFile, t.hostKeyPolicy]);
}

export function pooledCliDriver(pool: SessionPool, t: DeviceTarget): Driver {
  const platform = requirePlatform(t.platform);
  return new CliDriver(t.name, platform, async () => {
    const lease = await pool.acquire<PooledSsh>(cliPoolKey(t), async () => {
      const ssh = await SshCliSession.open({
        device: t.name,
        host: t.hostname,
        port: t.port,
        platform,
        username: t.username,
        knownHostsFile: t.knownHostsFile,
        hostKeyPolicy: t.hostKeyPolicy,
        ...(t.password !== undefined ? { password: t.password } : {}),
        ...(t.privateKey !== undefined ? { privateKey: t.privateKey } : {}),
        ...(t.enableSecret !== undefined ? { enableSecret: t.enableSecret } : {}),
        ...(t.connectTimeoutMs !== undefined ? { connectTimeoutMs: t.connectTimeoutMs } : {}),
      });
      return {
        ssh,
        loginMode: ssh.mode,
        get isOpen() {
          return ssh.isOpen;
        },
        close: () => ssh.close(),
      };
    });
    return new LentCliSession(lease, t.name, t.commandTimeoutMs);
  });
}

/** One lease of a pooled session, as the driver uses it: commands one at a time, in order. */
class LentCliSession implements CliSession {
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private failed = false;
  private returned = false;

  constructor(
    private readonly lease: Lease<PooledSsh>,
    private readonly device: string,
    private readonly commandTimeoutMs: number | undefined,
  ) {}

  get mode(): CliMode {
    return this.lease.session.ssh.mode;
  }

  get basePrompt(): string {
    return this.lease.session.ssh.basePrompt;
  }

  run(command: string, opts: RunOptions = {}): Promise<RunOutput> {
    const next = this.queue.then(() => this.runNow(command, opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(command: string, opts: RunOptions): Promise<RunOutput> {
    if (this.returned)
      throw new NrxError('NRX_ERR_CONNECTION_LOST', `device ${this.device}: the session was handed back; '${opts.secret ? '(secret)' : command}' was not sent`);
    this.inFlight++;
    try {
      const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
      return await this.lease.session.ssh.run(command, { ...opts, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    } catch (e) {
      // Timeout, lost connection, session closed: whatever state the CLI is in now is unknown.
      this.failed = true;
      throw e;
    } finally {
      this.inFlight--;
    }
  }

  /** The body of a paste (load replace). */
  write(text: string): void {
    try {
      this.lease.session.ssh.write(text);
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.returned) return;
    this.returned = true;
    const s = this.lease.session;
    await this.lease.release(!this.failed && this.inFlight === 0 && s.isOpen && s.ssh.mode === s.loginMode);
  }
}
