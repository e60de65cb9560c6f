import { NrxError } from '../core/errors.js';
import { reportSwallowed } from '../core/swallowed-errors.js';
import type { Logger } from '../core/log.js';
import type { ChatAdapter, ChatMessage } from './adapter.js';
import { IrcClient, type IrcOptions } from './irc-client.js';

/** The bot on an IRC server: one connection, re-established with a growing pause when it drops. */
export class IrcAdapter implements ChatAdapter {
  readonly name: string;
  private client: IrcClient | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: IrcOptions,
    private readonly log: Logger,
  ) {
    this.name = `irc${opts.tls ? 's' : ''}://${opts.host}:${opts.port}`;
  }

  async start(onMessage: (m: ChatMessage) => void): Promise<void> {
    await this.connect(onMessage);
  }

  /** Fails with NRX_ERR_CHAT_DOWN while the connection is down (reconnecting). */
  async post(to: string, text: string): Promise<void> {
    if (!this.client) throw new NrxError('NRX_ERR_CHAT_DOWN', `${this.name}: not connected (reconnecting)`);
    await this.client.say(to, text);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.close();
  }

  private async connect(onMessage: (m: ChatMessage) => void, attempt = 0): Promise<void> {
    const client = new IrcClient(this.opts);
    client.onMessage((m) => {
      const direct = m.target === client.nick;
      onMessage({ replyTo: direct ? m.nick : m.target, user: m.nick, text: m.text, direct });
    });
    client.onClose((why) => {
      if (this.client === client) this.client = null;
      if (this.stopped) return;
      this.log.warn({ adapter: this.name }, `${why}; reconnecting`);
      this.reconnect(onMessage, 0);
    });
    await client.connect();
    this.client = client;
    if (attempt > 0) this.log.info({ adapter: this.name }, 'chat bot reconnected');
  }

  private reconnect(onMessage: (m: ChatMessage) => void, attempt: number): void {
    const delay = Math.min(30_000, 1000 * 2 ** attempt);
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.connect(onMessage, attempt + 1).catch((error) => {
        reportSwallowed({ where: 'chat_reconnect', error, log: this.log, msg: `${this.name}: reconnect failed; trying again` });
        this.reconnect(onMessage, attempt + 1);
      });
    }, delay);
    this.retry.unref();
  }
}
