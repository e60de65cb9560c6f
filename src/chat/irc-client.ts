import net from 'node:net';
import tls from 'node:tls';
import { NrxError } from '../core/errors.js';

/**
 * The part of IRC (RFC 1459/2812) a bot needs: register, answer PING, join channels, read and
 * send PRIVMSG. A few hundred lines of protocol do not justify irc-framework's dependency tree
 * (it pulls in its own middleware, socks, iconv and core-js); what the bot needs is small and
 * is tested here against a real server (ngircd).
 */
export interface IrcOptions {
  host: string;
  port: number;
  nick: string;
  tls?: boolean;
  password?: string | null;
  channels: string[];
  /** How long registering and joining may take. */
  connectTimeoutMs?: number;
  /** Lines sent at once before the send queue paces itself (servers penalise floods). */
  burst?: number;
  /** Gap between paced lines. */
  lineGapMs?: number;
}

/** One parsed line from the server. */
export interface IrcLine {
  prefix: string | null;
  command: string;
  params: string[];
}

export interface IrcPrivmsg {
  /** The sender's nick. */
  nick: string;
  /** user@host, as the server reports it. */
  mask: string;
  /** A channel, or our own nick for a private message. */
  target: string;
  text: string;
}

/** Channel names the server accepts, and nothing that could smuggle a second command in. */
const CHANNEL = /^[#&][^\s,\x00-\x1f]{1,49}$/;
const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/;
/** Bytes of text in one PRIVMSG, leaving room for the prefix the server adds (512 in all). */
const MAX_TEXT_BYTES = 400;

export function parseIrcLine(line: string): IrcLine | null {
  let rest = line;
  if (rest.startsWith('@')) rest = rest.slice(rest.indexOf(' ') + 1); // IRCv3 tags: not used
  let prefix: string | null = null;
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    prefix = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  const params: string[] = [];
  const trailingAt = rest.indexOf(' :');
  const head = trailingAt >= 0 ? rest.slice(0, trailingAt) : rest;
  const words = head.split(' ').filter(Boolean);
  const command = words.shift();
  if (!command) return null;
  params.push(...words);
  if (trailingAt >= 0) params.push(rest.slice(trailingAt + 2));
  return { prefix, command: command.toUpperCase(), params };
}

/** Text as PRIVMSG lines: one per line of text, long lines cut on character boundaries, control bytes that end a command removed. */
export function messageLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/[\x00\r]/g, '');
    if (line === '') continue;
    let cur = '';
    for (const ch of line) {
      if (Buffer.byteLength(cur + ch) > MAX_TEXT_BYTES) {
        out.push(cur);
        cur = '';
      }
      cur += ch;
    }
    if (cur) out.push(cur);
  }
  return out;
}

export function checkChannel(channel: string): string {
  if (!CHANNEL.test(channel)) throw new NrxError('NRX_ERR_CONFIG', `IRC channel ${JSON.stringify(channel)} is not a channel name (#name, no spaces or commas)`);
  return channel;
}

export class IrcClient {
  private socket: net.Socket | null = null;
  private buffer = '';
  /** Lines waiting for their turn; `sent` settles the post whose last line it is. */
  private readonly queue: Array<{ line: string; sent?: { resolve(): void; reject(e: Error): void } }> = [];
  private tokens: number;
  private pump: NodeJS.Timeout | null = null;
  private messageHandlers: Array<(m: IrcPrivmsg) => void> = [];
  private closeHandlers: Array<(why: string) => void> = [];
  private closing = false;
  /** The nick the server gave us (another when the wanted one was taken). */
  nick: string;

  constructor(private readonly opts: IrcOptions) {
    if (!NICK.test(opts.nick)) throw new NrxError('NRX_ERR_CONFIG', `IRC nick ${JSON.stringify(opts.nick)} is not a valid nick`);
    opts.channels.forEach(checkChannel);
    this.nick = opts.nick;
    this.tokens = opts.burst ?? 4;
  }

  onMessage(fn: (m: IrcPrivmsg) => void): void {
    this.messageHandlers.push(fn);
  }

  /** Called once when the connection ends without close() (the adapter reconnects). */
  onClose(fn: (why: string) => void): void {
    this.closeHandlers.push(fn);
  }

  /** Connect, register and join every channel; resolves when the server confirmed the joins. */
  connect(): Promise<void> {
    const { host, port } = this.opts;
    const where = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const pending = new Set(this.opts.channels.map((c) => c.toLowerCase()));
      let settled = false;
      const done = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.closing = true;
          this.socket?.destroy();
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(
        () => done(new NrxError('NRX_ERR_CHAT', `IRC server ${where}: not registered and joined within ${(this.opts.connectTimeoutMs ?? 15_000) / 1000} s`)),
        this.opts.connectTimeoutMs ?? 15_000,
      );
      const socket = this.opts.tls ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
      this.socket = socket;
      socket.setEncoding('utf8');
      socket.setKeepAlive(true, 60_000);
      socket.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
        if (this.opts.password) this.sendNow(`PASS ${this.opts.password}`);
        this.sendNow(`NICK ${this.nick}`);
        this.sendNow(`USER ${this.opts.nick} 0 * :netreflex`);
      });
      socket.on('data', (chunk: string) => {
        this.buffer += chunk;
        if (this.buffer.length > 64 * 1024) this.buffer = this.buffer.slice(-8192); // a line longer than any IRC line: drop it
        let nl: number;
        while ((nl = this.buffer.indexOf('\n')) >= 0) {
          const raw = this.buffer.slice(0, nl).replace(/\r$/, '');
          this.buffer = this.buffer.slice(nl + 1);
          const line = parseIrcLine(raw);
          if (!line) continue;
          this.handle(line, {
            registered: () => {
              for (const c of this.opts.channels) this.sendNow(`JOIN ${c}`);
              if (pending.size === 0) done();
            },
            joined: (channel) => {
              pending.delete(channel.toLowerCase());
              if (pending.size === 0) done();
            },
            refused: (why) => done(new NrxError('NRX_ERR_CHAT', `IRC server ${where}: ${why}`)),
          });
        }
      });
      socket.on('error', (e) => done(new NrxError('NRX_ERR_CHAT', `IRC server ${where}: ${e.message}`, { cause: e })));
      socket.on('close', () => {
        this.stopPump();
        // lines not written are not said: their posts fail, to be tried again on the next connection
        for (const q of this.queue.splice(0))
          q.sent?.reject(new NrxError('NRX_ERR_CHAT_DOWN', `IRC server ${where}: connection closed before the message was sent`));
        if (!settled) done(new NrxError('NRX_ERR_CHAT', `IRC server ${where} closed the connection while registering`));
        else if (!this.closing) for (const fn of this.closeHandlers) fn(`IRC server ${where} closed the connection`);
      });
    });
  }

  /**
   * Send text to a channel or nick, one PRIVMSG per line, paced. Throws at once for a target that
   * is not one; the promise resolves once the last line is written to the connection, or fails
   * with NRX_ERR_CHAT_DOWN when the connection ends before.
   */
  say(target: string, text: string): Promise<void> {
    if (!CHANNEL.test(target) && !NICK.test(target)) throw new NrxError('NRX_ERR_CHAT', `cannot send to ${JSON.stringify(target)}: not a channel or nick`);
    const lines = messageLines(text);
    const sent = new Promise<void>((resolve, reject) => {
      lines.forEach((line, i) => this.queue.push({ line: `PRIVMSG ${target} :${line}`, ...(i === lines.length - 1 ? { sent: { resolve, reject } } : {}) }));
      if (lines.length === 0) resolve();
    });
    this.drain();
    return sent;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopPump();
    const s = this.socket;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end(`QUIT :netreflex stopping\r\n`);
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }

  private handle(line: IrcLine, on: { registered(): void; joined(channel: string): void; refused(why: string): void }): void {
    const fromNick = line.prefix?.split('!')[0] ?? '';
    switch (line.command) {
      case 'PING':
        this.sendNow(`PONG :${line.params.at(-1) ?? ''}`);
        break;
      case '001':
        this.nick = line.params[0] ?? this.nick;
        on.registered();
        break;
      case '433': // nick in use: try another, as clients do
        if (this.nick.length >= 30) on.refused(`nick ${this.opts.nick} and its variants are taken`);
        else this.sendNow(`NICK ${(this.nick = `${this.nick}_`)}`);
        break;
      case '464':
      case '465':
      case '471':
      case '473':
      case '474':
      case '475':
        on.refused(line.params.slice(1).join(' '));
        break;
      case 'ERROR':
        on.refused(line.params.join(' '));
        break;
      case 'JOIN':
        if (fromNick === this.nick && line.params[0]) on.joined(line.params[0]);
        break;
      case 'PRIVMSG': {
        const [target, text] = line.params;
        if (!target || text === undefined || text.startsWith('\x01')) break; // CTCP (VERSION, ACTION...) is not a command
        const mask = line.prefix?.split('!')[1] ?? '';
        for (const fn of this.messageHandlers) fn({ nick: fromNick, mask, target, text });
        break;
      }
      default:
        break;
    }
  }

  private sendNow(line: string, sent?: { resolve(): void; reject(e: Error): void }): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      sent?.reject(new NrxError('NRX_ERR_CHAT_DOWN', `IRC server ${this.opts.host}:${this.opts.port}: not connected`));
      return;
    }
    socket.write(`${line}\r\n`, (err) =>
      err ? sent?.reject(new NrxError('NRX_ERR_CHAT_DOWN', `IRC server ${this.opts.host}:${this.opts.port}: ${err.message}`)) : sent?.resolve(),
    );
  }

  private drain(): void {
    while (this.queue.length && this.tokens > 0) {
      this.tokens--;
      const q = this.queue.shift()!;
      this.sendNow(q.line, q.sent);
    }
    if (!this.pump && (this.queue.length || this.tokens < (this.opts.burst ?? 4))) {
      this.pump = setInterval(() => {
        this.tokens = Math.min(this.opts.burst ?? 4, this.tokens + 1);
        if (this.queue.length) this.drain();
        else if (this.tokens >= (this.opts.burst ?? 4)) this.stopPump();
      }, this.opts.lineGapMs ?? 500);
      this.pump.unref();
    }
  }

  private stopPump(): void {
    if (this.pump) clearInterval(this.pump);
    this.pump = null;
  }
}
