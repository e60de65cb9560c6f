/** UDP collectors for tests: everything that arrives on a loopback port, with a way to wait for a match. */
import { createSocket, type Socket } from 'node:dgram';
import { waitFor } from './run.js';

export interface UdpCollector {
  port: number;
  datagrams: Buffer[];
  /** Datagrams as UTF-8 text (syslog). */
  texts(): string[];
  /** How many datagrams arrived so far: pass it to waitFor to ignore what came before an action. */
  mark(): number;
  waitFor(what: string, match: (d: Buffer) => boolean, opts?: { after?: number; timeoutMs?: number }): Promise<Buffer>;
  close(): Promise<void>;
}

export function collectUdp(port = 0): Promise<UdpCollector> {
  return new Promise((resolve, reject) => {
    const sock: Socket = createSocket('udp4');
    const datagrams: Buffer[] = [];
    sock.on('message', (d) => datagrams.push(d));
    sock.once('error', reject);
    sock.bind(port, '127.0.0.1', () => {
      resolve({
        port: sock.address().port,
        datagrams,
        texts: () => datagrams.map((d) => d.toString('utf8')),
        mark: () => datagrams.length,
        waitFor: (what, match, { after = 0, timeoutMs = 15_000 } = {}) =>
          waitFor(`a datagram with ${what} on udp/${sock.address().port}`, () => datagrams.slice(after).find(match), timeoutMs, 50),
        close: () => new Promise<void>((r) => sock.close(() => r())),
      });
    });
  });
}
