import type net from 'node:net';

/** How many stream connections a sensor keeps, and for how long a silent one may stay. */
export interface ConnectionLimits {
  /** Open connections across all of the sensor's stream listeners (TCP and TLS together). */
  maxConnections: number;
  /** Open connections from one source: an IPv4 address, or an IPv6 /64 (one host's usual allotment). */
  maxPerSource: number;
  /** Close a connection that sent nothing for this long, TLS handshake included; 0 = never. */
  idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 1000, maxPerSource: 50, idleTimeoutMs: 120_000 };

/** What the gate counts, exported in /metrics next to the sensor's message counters. */
export interface ConnectionCounts {
  connections_open: number;
  connections_accepted: number;
  connections_refused_sensor_limit: number;
  connections_refused_source_limit: number;
  connections_closed_idle: number;
}

export type Refusal = 'sensor_limit' | 'source_limit';

/**
 * Admission control for a sensor's TCP/TLS connections. A syslog port is reachable without
 * credentials, so without a cap anyone can hold it open until the process runs out of file
 * descriptors and the API stops accepting. Each connection is admitted or refused (closed at
 * once) when it arrives, before any TLS handshake, and released when it closes.
 */
export class ConnectionGate {
  private open = 0;
  private readonly perSource = new Map<string, number>();
  private accepted = 0;
  private refusedSensor = 0;
  private refusedSource = 0;
  private closedIdle = 0;

  constructor(
    readonly limits: ConnectionLimits,
    private readonly onRefused: (source: string, why: Refusal) => void = () => {},
  ) {}

  /** Take `socket` in (true) or destroy it (false). An admitted socket gets the idle timeout. */
  admit(socket: net.Socket): boolean {
    const source = sourceKey(socket.remoteAddress ?? 'unknown');
    const fromSource = this.perSource.get(source) ?? 0;
    const why: Refusal | null = this.open >= this.limits.maxConnections ? 'sensor_limit' : fromSource >= this.limits.maxPerSource ? 'source_limit' : null;
    if (why) {
      if (why === 'sensor_limit') this.refusedSensor++;
      else this.refusedSource++;
      socket.on('error', () => {});
      socket.destroy();
      this.onRefused(source, why);
      return false;
    }
    this.open++;
    this.accepted++;
    this.perSource.set(source, fromSource + 1);
    socket.once('close', () => this.release(source));
    if (this.limits.idleTimeoutMs > 0) {
      // on a TLS server this is the raw socket; the TLS socket's reads refresh its timer
      socket.setTimeout(this.limits.idleTimeoutMs, () => {
        this.closedIdle++;
        socket.destroy();
      });
    }
    return true;
  }

  private release(source: string): void {
    this.open--;
    const n = (this.perSource.get(source) ?? 1) - 1;
    if (n > 0) this.perSource.set(source, n);
    else this.perSource.delete(source);
  }

  counts(): ConnectionCounts {
    return {
      connections_open: this.open,
      connections_accepted: this.accepted,
      connections_refused_sensor_limit: this.refusedSensor,
      connections_refused_source_limit: this.refusedSource,
      connections_closed_idle: this.closedIdle,
    };
  }
}

/**
 * The unit a per-source limit counts: an IPv4 address (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), else the IPv6 /64, since one host can use any address of its /64.
 */
export function sourceKey(address: string): string {
  const a = address.toLowerCase();
  if (!a.includes(':')) return a;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = a.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
