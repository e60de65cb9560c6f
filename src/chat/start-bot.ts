import { AliasExecutor, CHATOPS_ROUTE } from '../api/alias-execution.js';
import type { Appliance } from '../appliance.js';
import type { AuthService } from '../auth/auth-service.js';
import { NrxError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { PackConfigStore } from '../datastore/pack-config-store.js';
import type { Subscription } from '../events/bus.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { QueuedAnnouncement } from '../events/nats-chat-queue.js';
import { parseDuration } from '../core/duration.js';
import { aliasesOf } from '../packs/alias-index.js';
import type { ChatAdapter } from './adapter.js';
import { ChatBot } from './chat-bot.js';
import { IrcAdapter } from './irc-adapter.js';
import { checkChannel } from './irc-client.js';
import { DEFAULT_MAX_ANNOUNCEMENT_AGE_MS, QueuedAnnouncements } from './queued-announcements.js';

/** An announcement the chat bot posts: on route chatops (alias results, chatops.post_message). */
export function isChatAnnouncement(e: EventEnvelope): boolean {
  const p = e.payload;
  return e.type === 'core.announcement' && p.route === CHATOPS_ROUTE && typeof p.payload === 'object' && p.payload !== null;
}

/** The chatops pack's `bot` section, checked. */
export interface BotConfig {
  adapter: 'irc';
  prefix: string;
  users: Record<string, string>;
  notifyChannel: string | null;
  /** Announcements of a cluster's chat queue older than this when the bot could post them are skipped. */
  maxAnnouncementAgeMs: number;
  irc: { host: string; port: number; tls: boolean; nick: string; password: string | null; channels: string[] };
}

export interface RunningBot {
  bot: ChatBot;
  stop(): Promise<void>;
}

const fail = (key: string, why: string): NrxError =>
  new NrxError('NRX_ERR_PACK_CONFIG_INVALID', `pack chatops: ${key} ${why} (netreflex pack config chatops ${key}=..., or configs/chatops.yaml)`);

/** Null when the bot is not enabled. Throws NRX_ERR_PACK_CONFIG_INVALID naming the key. */
export function botConfig(values: Record<string, unknown>): BotConfig | null {
  const bot = (values.bot ?? {}) as Record<string, unknown>;
  if (bot.enabled !== true) return null;
  const irc = (bot.irc ?? {}) as Record<string, unknown>;
  const users: Record<string, string> = {};
  for (const [chat, user] of Object.entries((bot.users ?? {}) as Record<string, unknown>)) {
    if (typeof user !== 'string' || user === '') throw fail(`bot.users.${chat}`, 'must name a netreflex user');
    users[chat] = user;
  }
  const channels = Array.isArray(irc.channels) ? irc.channels : ['#netreflex'];
  if (channels.length === 0 || !channels.every((c) => typeof c === 'string')) throw fail('bot.irc.channels', 'must be a list of channel names');
  for (const c of channels as string[]) {
    try {
      checkChannel(c);
    } catch (e) {
      throw fail('bot.irc.channels', (e as Error).message);
    }
  }
  const port = irc.port ?? 6667;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw fail('bot.irc.port', 'must be a port number');
  const prefix = typeof bot.prefix === 'string' && bot.prefix !== '' ? bot.prefix : '!';
  const notifyChannel = typeof bot.notify_channel === 'string' && bot.notify_channel !== '' ? bot.notify_channel : null;
  let maxAnnouncementAgeMs = DEFAULT_MAX_ANNOUNCEMENT_AGE_MS;
  if (bot.max_announcement_age !== undefined && bot.max_announcement_age !== null)
    try {
      maxAnnouncementAgeMs = parseDuration(bot.max_announcement_age);
    } catch (e) {
      throw fail('bot.max_announcement_age', (e as Error).message);
    }
  return {
    adapter: 'irc',
    prefix,
    users,
    notifyChannel,
    maxAnnouncementAgeMs,
    irc: {
      host: typeof irc.host === 'string' ? irc.host : '127.0.0.1',
      port: port as number,
      tls: irc.tls === true,
      nick: typeof irc.nick === 'string' ? irc.nick : 'netreflex',
      password: typeof irc.password === 'string' && irc.password !== '' ? irc.password : null,
      channels: channels as string[],
    },
  };
}

export interface StartBotDeps {
  appliance: Appliance;
  auth: AuthService;
  log: Logger;
  /** The API's base URL, for links when the pack config has no api_url. */
  apiUrl: string | null;
  /** Tests hand in their own adapter; otherwise the configured one is made. */
  adapter?: ChatAdapter;
  /**
   * Where the announcements come from: a cluster's chat queue, which keeps those made on every
   * node until the bot that runs has posted them (default this process's bus, which carries this
   * process's own while the bot runs).
   */
  chatQueue?: (handle: (a: QueuedAnnouncement) => Promise<void>) => Promise<{ stop(): Promise<void> }>;
}

/**
 * Start the chat bot when the chatops pack's config enables it (`bot.enabled: true`): read the
 * config, connect, and post what is announced on route chatops. Null when the pack is not
 * loaded or the bot is off.
 */
export async function startChatBot(deps: StartBotDeps): Promise<RunningBot | null> {
  const { appliance, log } = deps;
  const pack = appliance.content.loaded.packs.find((p) => p.ref === 'chatops');
  if (!pack) return null;
  const store = new PackConfigStore(appliance.kv, appliance.dataDir);
  const values = (await store.resolve('chatops', pack.path, { st2kv: appliance.kv.templateContext({ pack: 'chatops' }) })).values;
  const cfg = botConfig(values);
  if (!cfg) return null;
  const base = (typeof values.api_url === 'string' && values.api_url !== '' ? values.api_url : deps.apiUrl)?.replace(/\/+$/, '') ?? null;
  const executor = new AliasExecutor({
    aliases: () => aliasesOf(appliance.content.loaded.packs),
    engine: appliance.engine,
    inventory: appliance.inventory,
    emit: (e) => appliance.emit(e),
    executionUrl: (id) => (base ? `${base}/api/v1/executions/${id}` : null),
  });
  const adapter = deps.adapter ?? new IrcAdapter({ ...cfg.irc }, log);
  const bot = new ChatBot({
    adapter,
    executor,
    users: cfg.users,
    prefix: cfg.prefix,
    defaultChannel: cfg.notifyChannel ?? cfg.irc.channels[0]!,
    principalOf: async (name) => {
      const u = await deps.auth.getUser(name);
      return u ? { user: u.name, role: u.role, grants: u.grants, via: 'chat' } : null;
    },
    audit: deps.auth.audit,
    log,
  });
  await bot.start();
  const post = async (event: EventEnvelope): Promise<void> => {
    if (isChatAnnouncement(event))
      await bot
        .announce((event.payload as { payload: Record<string, unknown> }).payload)
        .catch((e) => log.warn({ err: (e as Error).message }, 'chat bot could not post an announcement'));
  };
  let sub: { stop(): Promise<void> } | null = null;
  try {
    if (deps.chatQueue) {
      // one at a time, in the order they were made; acked once posted
      const queued = new QueuedAnnouncements({
        post: (e) => (isChatAnnouncement(e) ? bot.announce((e.payload as { payload: Record<string, unknown> }).payload) : Promise.resolve()),
        notice: (text) => bot.notice(text),
        maxAgeMs: cfg.maxAnnouncementAgeMs,
        log,
      });
      const s = await deps.chatQueue((a) => queued.handle(a));
      sub = {
        stop: async () => {
          queued.stop();
          await s.stop();
        },
      };
    } else {
      const s: Subscription = await appliance.bus.subscribe('chatops-bot', async (d) => {
        await post(d.event);
        d.ack();
      });
      sub = { stop: () => s.unsubscribe() };
    }
  } catch (e) {
    await bot.stop();
    throw e;
  }
  return {
    bot,
    async stop() {
      await sub?.stop().catch(() => {});
      await bot.stop();
    },
  };
}
