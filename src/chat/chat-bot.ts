import type { AliasExecutor } from '../api/alias-execution.js';
import type { AuditLog } from '../auth/audit-log.js';
import type { Principal } from '../auth/roles.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { reportSwallowed } from '../core/swallowed-errors.js';
import type { ChatAdapter, ChatMessage } from './adapter.js';

export interface ChatBotOptions {
  adapter: ChatAdapter;
  /** The same alias execution as POST /api/v1/aliasexecution. */
  executor: AliasExecutor;
  /** Chat user -> netreflex user; whoever is not listed is refused. */
  users: Record<string, string>;
  /** The netreflex user's role and grants now (null: no such user). */
  principalOf(user: string): Promise<Principal | null>;
  /** What starts a command in a channel (`!`). Private messages need none. */
  prefix: string;
  /** Where announcements without a channel go. */
  defaultChannel: string;
  audit?: Pick<AuditLog, 'record'>;
  log: Logger;
}

/**
 * A chat bot that knows no chat protocol (the adapter does) and no alias format (the executor
 * does): it maps the chat user to a netreflex user, hands the command over, answers with the
 * ack or the refusal, and posts what is announced on route chatops (alias results,
 * chatops.post_message).
 */
export class ChatBot {
  private readonly users: Map<string, string>;

  constructor(private readonly opts: ChatBotOptions) {
    // IRC nicks are case-insensitive; so is the mapping
    this.users = new Map(Object.entries(opts.users).map(([chat, user]) => [chat.toLowerCase(), user]));
  }

  get adapterName(): string {
    return this.opts.adapter.name;
  }

  async start(): Promise<void> {
    await this.opts.adapter.start((m) => void this.onMessage(m));
  }

  async stop(): Promise<void> {
    await this.opts.adapter.stop();
  }

  /** A core.announcement's payload on route chatops: `message`, and `channel`, `user`, `whisper` as StackStorm's post_message has them. */
  async announce(payload: Record<string, unknown>): Promise<void> {
    if (typeof payload.message !== 'string' || payload.message === '') return;
    const user = typeof payload.user === 'string' && payload.user !== '' ? payload.user : null;
    if (payload.whisper === true && user) return this.opts.adapter.post(user, payload.message);
    const channel = typeof payload.channel === 'string' && payload.channel !== '' ? payload.channel : this.opts.defaultChannel;
    await this.opts.adapter.post(channel, user ? `${user}: ${payload.message}` : payload.message);
  }

  /** One line of the bot's own to the default channel. */
  async notice(text: string): Promise<void> {
    await this.opts.adapter.post(this.opts.defaultChannel, text);
  }

  private async onMessage(m: ChatMessage): Promise<void> {
    const { prefix } = this.opts;
    const text = m.text.trim();
    if (!m.direct && !text.startsWith(prefix)) return;
    const command = (text.startsWith(prefix) ? text.slice(prefix.length) : text).trim();
    if (command === '') return;
    const reply = (s: string): Promise<void> => this.opts.adapter.post(m.replyTo, m.direct ? s : `${m.user}: ${s}`);
    try {
      if (command === 'help') return await reply(this.help());
      const user = this.users.get(m.user.toLowerCase());
      if (!user) {
        await this.record(m, command, null, 403);
        return await reply(`refused: ${m.user} is not mapped to a netreflex operator (the chatops pack's bot.users)`);
      }
      const principal = await this.opts.principalOf(user);
      if (!principal) {
        await this.record(m, command, null, 403);
        return await reply(`refused: ${m.user} is mapped to '${user}', which is not a netreflex user`);
      }
      let status = 201;
      let target: string | null = null;
      try {
        const run = await this.opts.executor.execute(principal, { command, chatUser: m.user, sourceChannel: m.replyTo });
        target = run.execution.id;
        if (run.message) await reply(run.message);
      } catch (e) {
        const d = describeError(e);
        status = d.code === 'NRX_ERR_FORBIDDEN' ? 403 : d.code === 'NRX_ERR_ALIAS_NO_MATCH' ? 404 : 400;
        await reply(d.code === 'NRX_ERR_FORBIDDEN' ? `refused: ${d.message}` : d.message);
      } finally {
        await this.record(m, command, principal, status, target);
      }
    } catch (error) {
      reportSwallowed({ where: 'chat_bot', error, log: this.opts.log, msg: `${this.opts.adapter.name}: a chat command could not be answered` });
    }
  }

  private help(): string {
    const lines = this.opts.executor
      .listAliases()
      .filter((a) => a.enabled)
      .flatMap((a) => a.formats.map((f) => `${this.opts.prefix}${f.display} - ${a.description}`));
    return lines.length ? lines.join('\n') : 'no commands: no pack has action aliases';
  }

  /** Chat commands are writes like API calls: the audit log has them, with the chat user. */
  private async record(m: ChatMessage, command: string, p: Principal | null, status: number, target: string | null = null): Promise<void> {
    await this.opts.audit?.record({
      time: new Date().toISOString(),
      user: p?.user ?? null,
      role: p?.role ?? null,
      method: 'CHAT',
      route: this.opts.adapter.name,
      target,
      status,
      sourceIp: null,
      detail: { chat_user: m.user, where: m.replyTo, command },
    });
  }
}
