import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped for one UDP socket because its receive buffer was full: the
 * `drops` column of /proc/net/udp (udp6 for IPv6), the loss no counter in the process sees.
 * Null where there is no /proc (not Linux) or the socket is not listed.
 */
export function udpSocketDrops(port: number, family: 'udp4' | 'udp6', procDir = '/proc/net'): number | null {
  let text: string;
  try {
    text = readFileSync(`${procDir}/${family === 'udp6' ? 'udp6' : 'udp'}`, 'latin1');
  } catch {
    return null;
  }
  return dropsForPort(text, port);
}

/** The drops of the sockets bound to `port` in a /proc/net/udp table (summed: SO_REUSEPORT may list several). */
export function dropsForPort(table: string, port: number): number | null {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let found = false;
  let drops = 0;
  const lines = table.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i]!.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (cols.length < 13 || !cols[1]!.endsWith(hexPort)) continue;
    const n = Number(cols[cols.length - 1]);
    if (!Number.isFinite(n)) continue;
    found = true;
    drops += n;
  }
  return found ? drops : null;
}

/**
 * Polls a socket's kernel drops every `everyMs` and reports growth: `onDrops(total, added)`.
 * The timer does not keep the process alive.
 */
export class UdpDropWatch {
  private timer: NodeJS.Timeout | null = null;
  /** Dropped by the kernel since the watch started. */
  dropped = 0;
  private base: number | null = null;

  constructor(
    private readonly port: number,
    private readonly family: 'udp4' | 'udp6',
    private readonly onDrops: (total: number, added: number) => void,
    private readonly everyMs = 1_000,
  ) {}

  start(): void {
    this.base = udpSocketDrops(this.port, this.family);
    this.timer = setInterval(() => this.poll(), this.everyMs);
    this.timer.unref();
  }

  /** Read the count now (also done by the timer); returns the drops since start. */
  poll(): number {
    const now = udpSocketDrops(this.port, this.family);
    if (now === null || this.base === null) return this.dropped;
    const total = now - this.base;
    if (total > this.dropped) {
      const added = total - this.dropped;
      this.dropped = total;
      this.onDrops(total, added);
    }
    return this.dropped;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
