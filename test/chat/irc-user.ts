import net from 'node:net';

/**
 * A person in the channel, speaking raw IRC to the server (not through the bot's client code):
 * registers, joins, says lines and waits for what others say.
 */
export class IrcUser {
  private socket!: net.Socket;
  private buf = '';
  readonly heard: Array<{ from: string; target: string; text: string }> = [];
  private waiters: Array<() => void> = [];

  constructor(readonly nick: string) {}

  async connect(host: string, port: number, channel: string): Promise<void> {
    this.socket = net.connect({ host, port });
    this.socket.setEncoding('utf8');
    let joined = false;
    this.socket.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        if (line.startsWith('PING ')) this.socket.write(`PONG ${line.slice(5)}\r\n`);
        const m = /^:([^!\s]+)\S* (\S+) (\S+)(?: :(.*))?$/.exec(line);
        if (m && m[2] === '001') this.socket.write(`JOIN ${channel}\r\n`);
        if (m && m[2] === 'JOIN' && m[1] === this.nick) joined = true;
        if (m && m[2] === 'PRIVMSG') this.heard.push({ from: m[1]!, target: m[3]!, text: m[4] ?? '' });
        for (const w of this.waiters.splice(0)) w();
      }
    });
    this.socket.write(`NICK ${this.nick}\r\nUSER ${this.nick} 0 * :${this.nick}\r\n`);
    await this.until(() => joined, `${this.nick} joined ${channel}`);
  }

  say(target: string, text: string): void {
    this.socket.write(`PRIVMSG ${target} :${text}\r\n`);
  }

  /** Lines heard from `from` since `since`, once `enough` says they suffice. */
  async hear(from: string, enough: (lines: string[]) => boolean, since = 0, ms = 20_000): Promise<string[]> {
    const lines = (): string[] =>
      this.heard
        .slice(since)
        .filter((h) => h.from === from)
        .map((h) => h.text);
    await this.until(() => enough(lines()), `${this.nick} hearing from ${from}; heard: ${JSON.stringify(lines())}`, ms);
    return lines();
  }

  async until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** Leaves; harmless when the server already went away (Ctrl-C of a demo stops ngircd first). */
  close(): void {
    if (!this.socket) return;
    this.socket.on('error', () => {});
    if (this.socket.writable) this.socket.end('QUIT :bye\r\n');
    this.socket.destroy();
  }
}
