import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { NrxError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { SyslogStreamFramer } from './framing.js';
import type { SyslogSensor } from './sensor.js';

export interface UdpOptions {
  host?: string;
  /** 0 picks a free port (tests). Default 5514. */
  port?: number;
  /** Socket receive buffer to ask for; the kernel caps it at net.core.rmem_max (and reports double). Default 8 MiB. */
  recvBufferBytes?: number;
}

export interface StreamOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
  /** Close a connection silent for this long (default 10 minutes; 0 = never). */
  idleTimeoutMs?: number;
}

export interface TlsOptions extends StreamOptions {
  certFile: string;
  keyFile: string;
  /** CA bundle to verify client certificates against (with requestCert). */
  caFile?: string;
  requestCert?: boolean;
}

export interface SyslogListenerOptions {
  udp?: UdpOptions | false;
  tcp?: StreamOptions | false;
  tls?: TlsOptions | false;
  logger?: Logger;
}

export interface ListenerAddresses {
  udp?: { host: string; port: number; recvBufferBytes: number; requestedRecvBufferBytes: number };
  tcp?: { host: string; port: number };
  tls?: { host: string; port: number };
}

const DEFAULT_RECV_BUFFER = 8 * 1024 * 1024;

/**
 * The syslog sockets: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), all feeding one
 * SyslogSensor. UDP gets a large receive buffer because bursts (a flapping core link makes
 * every device log at once) overflow the 208 KiB default in the kernel, where loss is silent.
 */
export class SyslogListener {
  private udp: dgram.Socket | null = null;
  private servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly log: Logger;

  constructor(
    private readonly sensor: SyslogSensor,
    private readonly opts: SyslogListenerOptions,
  ) {
    this.log = opts.logger ?? silentLogger;
  }

  async start(): Promise<ListenerAddresses> {
    const out: ListenerAddresses = {};
    try {
      if (this.opts.udp) out.udp = await this.startUdp(this.opts.udp);
      if (this.opts.tcp) out.tcp = await this.listen(net.createServer(), this.opts.tcp, 'tcp', 5514);
      if (this.opts.tls) {
        const o = this.opts.tls;
        const server = tls.createServer({
          cert: readConfigFile(o.certFile, 'tls.certFile'),
          key: readConfigFile(o.keyFile, 'tls.keyFile'),
          ...(o.caFile ? { ca: readConfigFile(o.caFile, 'tls.caFile') } : {}),
          requestCert: o.requestCert ?? false,
          rejectUnauthorized: o.requestCert ?? false,
        });
        server.on('tlsClientError', (e, socket) => this.log.warn({ sensor: 'syslog', source: socket.remoteAddress, err: e.message }, 'syslog TLS handshake failed'));
        out.tls = await this.listen(server, o, 'tls', 6514, 'secureConnection');
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    this.log.info({ sensor: 'syslog', ...out }, 'syslog listening');
    return out;
  }

  private async startUdp(o: UdpOptions): Promise<NonNullable<ListenerAddresses['udp']>> {
    const host = o.host ?? '0.0.0.0';
    const requested = o.recvBufferBytes ?? DEFAULT_RECV_BUFFER;
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: requested });
    this.udp = socket;
    socket.on('message', (msg, rinfo) => this.sensor.handle(msg, rinfo.address));
    socket.on('error', (e) => this.log.error({ sensor: 'syslog', err: e.message }, 'syslog UDP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new NrxError('NRX_ERR_CONFIG', `syslog UDP cannot listen on ${host}:${o.port ?? 5514}: ${e.message}`)));
      socket.bind(o.port ?? 5514, host, () => resolve());
    });
    const granted = socket.getRecvBufferSize();
    // Linux reports twice what it reserves for payload; less than asked means rmem_max capped it.
    if (granted < requested) this.log.warn({ sensor: 'syslog', requested, granted }, 'UDP receive buffer smaller than asked: raise net.core.rmem_max');
    const addr = socket.address();
    return { host: addr.address, port: addr.port, recvBufferBytes: granted, requestedRecvBufferBytes: requested };
  }

  private async listen(server: net.Server, o: StreamOptions, kind: 'tcp' | 'tls', defaultPort: number, event = 'connection'): Promise<{ host: string; port: number }> {
    server.on(event, (socket: net.Socket) => this.onConnection(socket, o));
    server.on('error', (e) => this.log.error({ sensor: 'syslog', kind, err: e.message }, 'syslog server error'));
    const host = o.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new NrxError('NRX_ERR_CONFIG', `syslog ${kind.toUpperCase()} cannot listen on ${host}:${o.port ?? defaultPort}: ${e.message}`)));
      server.listen(o.port ?? defaultPort, host, () => resolve());
    });
    this.servers.push(server);
    const a = server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  private onConnection(socket: net.Socket, o: StreamOptions): void {
    const source = socket.remoteAddress ?? 'unknown';
    const framer = new SyslogStreamFramer(source, o.maxFrameBytes);
    this.sockets.add(socket);
    const idle = o.idleTimeoutMs ?? 600_000;
    if (idle > 0) socket.setTimeout(idle, () => socket.destroy());
    const deliver = (r: ReturnType<SyslogStreamFramer['push']>): void => {
      for (const frame of r.frames) this.sensor.handle(frame, source);
      for (const err of r.errors) this.sensor.reject(err, source, undefined, true);
    };
    socket.on('data', (chunk: Buffer) => deliver(framer.push(chunk)));
    socket.on('end', () => deliver(framer.end()));
    socket.on('error', (e) => this.log.debug({ sensor: 'syslog', source, err: e.message }, 'syslog connection error'));
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Stop listening and drop open connections. */
  async close(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function readConfigFile(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new NrxError('NRX_ERR_CONFIG', `syslog ${field} ${file} cannot be read: ${(e as Error).message}`, { location: { field } });
  }
}
