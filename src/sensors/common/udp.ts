import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { reportSwallowed } from '../../core/swallowed-errors.js';

/** Bind a UDP socket with a large receive buffer (IPv6 when the host is an IPv6 address). */
export function bindUdp(
  host: string,
  port: number,
  recvBufferBytes = 16 * 1024 * 1024,
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo) => void,
): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: recvBufferBytes });
    s.once('error', reject);
    s.on('message', onMessage);
    s.bind(port, host, () => {
      s.off('error', reject);
      // a runtime socket error (ICMP, buffer) must not crash the appliance, nor pass unseen
      s.on('error', (error) =>
        reportSwallowed({ where: 'udp_socket', error, msg: 'UDP socket error; the socket keeps listening', fields: { address: host, port } }),
      );
      resolve(s);
    });
  });
}

/** The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets; Linux only, else undefined). */
export function udpReceiveBufferErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    const i = names.indexOf('RcvbufErrors');
    return i > 0 ? Number(values[i]) : undefined;
  } catch {
    return undefined;
  }
}

/** The socket half of a UDP sensor: bind with a large buffer, hand each datagram to `receive`, close. */
export abstract class UdpListener {
  private socket?: dgram.Socket;

  /** One datagram through the sensor's pipeline; public so tests and replays can skip the socket. */
  abstract receive(msg: Buffer, from: { address: string; port: number }): void;

  protected async listen(host: string, port: number, recvBufferBytes?: number): Promise<{ address: string; port: number }> {
    const s = await bindUdp(host, port, recvBufferBytes, (msg, rinfo) => this.receive(msg, rinfo));
    this.socket = s;
    const a = s.address();
    return { address: a.address, port: a.port };
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}
