import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { NrxError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionCounts, type ConnectionLimits } from '../common/connection-gate.js';
import { sensorConnectionBudget } from '../common/descriptors.js';
import { RateLimitedLog } from '../../core/rate-limited-log.js';
import { recvBufferShortfall } from '../common/recv-buffer.js';
import { UdpDropWatch } from '../common/udp-drops.js';
import { SyslogStreamFramer } from './framing.js';
import type { UdpReaderKind } from '../common/udp-batch-reader.js';
import { UdpWorkerHost } from './udp-worker-host.js';
import type { UdpReaderChoice } from './udp-worker-messages.js';
import type { SyslogSensor } from './sensor.js';

export interface UdpOptions {
  host?: string;
  /** 0 picks a free port (tests). Default 5514. */
  port?: number;
  /** Socket receive buffer to ask for; the kernel caps it at net.core.rmem_max (and reports double). Default 32 MiB. */
  recvBufferBytes?: number;
  /**
   * Read the socket on a worker thread (the appliance's default): the datagrams come back a
   * batch at a time, in arrival order, and are decoded here. Without it the socket is read on this thread.
   */
  worker?: boolean;
  /**
   * How the worker thread reads the socket: `recvmmsg` (the native batch reader, built by
   * `npm ci`), `dgram` (Node's, one datagram per callback) or `auto` (default: recvmmsg where
   * it was built, else dgram, said once in the log).
   */
  reader?: UdpReaderChoice;
  /** Longer datagrams are cut to this length and counted (datagramsTruncated). Default 65,535: none is. */
  maxDatagramBytes?: number;
}

export interface StreamOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
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
  /**
   * Connection limits shared by the TCP and TLS listeners (defaults: 1,000 connections, 50 per
   * source, 120 s idle). maxConnections is lowered further to leave file descriptors in reserve.
   */
  connections?: Partial<ConnectionLimits>;
  logger?: Logger;
}

export interface ListenerAddresses {
  udp?: { host: string; port: number; recvBufferBytes: number; requestedRecvBufferBytes: number; reader: UdpReaderKind };
  tcp?: { host: string; port: number };
  tls?: { host: string; port: number };
}

/** 32 MiB: about 30,000 small datagrams, a third of a second of a 100k msg/s storm while the reader is not scheduled. */
const DEFAULT_RECV_BUFFER = 32 * 1024 * 1024;

/**
 * The syslog sockets: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), all feeding one
 * SyslogSensor. UDP gets a large receive buffer because bursts (a flapping core link makes
 * every device log at once) overflow the 208 KiB default in the kernel, where loss is silent.
 */
export class SyslogListener {
  private udp: dgram.Socket | null = null;
  private udpDrops: UdpDropWatch | null = null;
  private udpWorker: UdpWorkerHost | null = null;
  private readerDroppedCount = 0;
  private datagramsTruncatedCount = 0;
  private udpReaderKind: UdpReaderKind | null = null;
  private servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly log: Logger;
  /** Refusals and failed handshakes come by the thousand in an attack: logged rate-limited. */
  private readonly connectionLog: RateLimitedLog;
  private readonly refused = new WeakSet<net.Socket>();
  readonly gate: ConnectionGate;

  constructor(
    private readonly sensor: SyslogSensor,
    private readonly opts: SyslogListenerOptions,
  ) {
    this.log = opts.logger ?? silentLogger;
    this.connectionLog = new RateLimitedLog(this.log);
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connections };
    limits.maxConnections = sensorConnectionBudget(limits.maxConnections);
    this.gate = new ConnectionGate(limits, (source, why) =>
      this.connectionLog.warn(
        { sensor: 'syslog', source, limit: why === 'sensor_limit' ? limits.maxConnections : limits.maxPerSource },
        `syslog connection refused: ${why === 'sensor_limit' ? 'too many connections' : 'too many connections from this source'}`,
      ),
    );
  }

  /**
   * Datagrams the kernel dropped for the UDP socket (receive buffer full) since it was bound: the
   * loss the process cannot see otherwise, read from /proc/net/udp. 0 without /proc.
   */
  kernelDropped(): number {
    return this.udpDrops?.poll() ?? 0;
  }

  /** Datagrams the UDP reader thread read and dropped because decoding was too far behind (0 without the worker). */
  readerDropped(): number {
    return this.readerDroppedCount;
  }

  /** Datagrams longer than maxDatagramBytes, handed on cut to it. */
  datagramsTruncated(): number {
    return this.datagramsTruncatedCount;
  }

  /** How the UDP socket is read (null before start or without UDP): `recvmmsg` (native, a batch per system call) or `dgram`. */
  udpReader(): UdpReaderKind | null {
    return this.udpReaderKind;
  }

  /** Connections open, accepted, refused (per limit) and closed for idleness, for /metrics. */
  connectionCounts(): ConnectionCounts {
    return this.gate.counts();
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
        server.on('tlsClientError', (e, socket) => {
          // the TLS socket wraps the raw one the gate saw (its _parent); a refusal is logged already
          const raw = (socket as tls.TLSSocket & { _parent?: net.Socket })._parent;
          if (!raw || !this.refused.has(raw))
            this.connectionLog.warn({ sensor: 'syslog', source: socket.remoteAddress, err: e.message }, 'syslog TLS handshake failed');
        });
        out.tls = await this.listen(server, o, 'tls', 6514);
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    this.log.info({ sensor: 'syslog', ...out, ...(out.tcp || out.tls ? { connectionLimits: this.gate.limits } : {}) }, 'syslog listening');
    return out;
  }

  private async startUdp(o: UdpOptions): Promise<NonNullable<ListenerAddresses['udp']>> {
    const host = o.host ?? '0.0.0.0';
    const requested = o.recvBufferBytes ?? DEFAULT_RECV_BUFFER;
    if (o.worker) return this.startUdpWorker(o, host, requested);
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: requested });
    this.udp = socket;
    const max = o.maxDatagramBytes ?? 65_535;
    socket.on('message', (msg, rinfo) => {
      if (msg.length > max) {
        msg = msg.subarray(0, max);
        this.datagramsTruncatedCount++;
      }
      this.sensor.handle(msg, rinfo.address);
    });
    socket.on('error', (e) => this.log.error({ sensor: 'syslog', err: e.message }, 'syslog UDP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new NrxError('NRX_ERR_CONFIG', `syslog UDP cannot listen on ${host}:${o.port ?? 5514}: ${e.message}`)));
      socket.bind(o.port ?? 5514, host, () => resolve());
    });
    const granted = socket.getRecvBufferSize();
    this.warnIfCapped(requested, granted);
    const addr = socket.address();
    this.watchDrops(addr.port, host);
    this.udpReaderKind = 'dgram';
    return { host: addr.address, port: addr.port, recvBufferBytes: granted, requestedRecvBufferBytes: requested, reader: 'dgram' };
  }

  private async startUdpWorker(o: UdpOptions, host: string, requested: number): Promise<NonNullable<ListenerAddresses['udp']>> {
    const udpWorker = new UdpWorkerHost({
      host,
      port: o.port ?? 5514,
      recvBufferBytes: requested,
      ...(o.reader ? { reader: o.reader } : {}),
      ...(o.maxDatagramBytes ? { maxDatagramBytes: o.maxDatagramBytes } : {}),
      onTruncated: (count) => {
        this.datagramsTruncatedCount += count;
        this.connectionLog.warn(
          { sensor: 'syslog', truncated: count, total: this.datagramsTruncatedCount, maxDatagramBytes: o.maxDatagramBytes ?? 65_535 },
          'syslog datagrams longer than the largest accepted were cut to it',
        );
      },
      onDatagram: (text, source, receivedAt) => this.sensor.handle(text, source, receivedAt),
      onDropped: (count) => {
        this.readerDroppedCount += count;
        this.connectionLog.warn(
          { sensor: 'syslog', dropped: count, total: this.readerDroppedCount },
          'syslog datagrams dropped: decoding was too far behind the socket (more arrived than the appliance decodes); see docs/storms.md',
        );
      },
      log: this.log,
    });
    const a = await udpWorker.start();
    this.udpWorker = udpWorker;
    this.udpReaderKind = a.reader;
    if (a.fallback)
      this.log.warn(
        { sensor: 'syslog', reader: a.reader, why: a.fallback },
        "syslog UDP is read with Node's dgram, one datagram per call: the native recvmmsg reader is not available (docs/syslog.md, native reader)",
      );
    // forced (SO_RCVBUFFORCE, as root): the buffer may exceed net.core.rmem_max; Linux reports twice what it grants
    if (!(a.forced && a.recvBufferBytes >= requested)) this.warnIfCapped(requested, a.recvBufferBytes);
    this.watchDrops(a.port, host);
    return { host: a.host, port: a.port, recvBufferBytes: a.recvBufferBytes, requestedRecvBufferBytes: requested, reader: a.reader };
  }

  private warnIfCapped(requested: number, granted: number): void {
    const why = recvBufferShortfall(requested, granted);
    if (why) this.log.warn({ sensor: 'syslog', requested, granted }, why);
  }

  private watchDrops(port: number, host: string): void {
    this.udpDrops = new UdpDropWatch(port, host.includes(':') ? 'udp6' : 'udp4', (total, added) =>
      this.connectionLog.warn(
        { sensor: 'syslog', port, dropped: added, total },
        'the kernel dropped syslog datagrams: the receive buffer was full (more arrived than the appliance took in); see docs/storms.md',
      ),
    );
    this.udpDrops.start();
  }

  private async listen(server: net.Server, o: StreamOptions, kind: 'tcp' | 'tls', defaultPort: number): Promise<{ host: string; port: number }> {
    // 'connection' is the raw socket on both servers: admission happens before any TLS work
    server.on('connection', (socket: net.Socket) => {
      if (!this.gate.admit(socket)) {
        this.refused.add(socket);
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (kind === 'tcp') this.onConnection(socket, o);
    });
    if (kind === 'tls') server.on('secureConnection', (socket: tls.TLSSocket) => this.onConnection(socket, o));
    server.on('error', (e) => this.log.error({ sensor: 'syslog', kind, err: e.message }, 'syslog server error'));
    const host = o.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new NrxError('NRX_ERR_CONFIG', `syslog ${kind.toUpperCase()} cannot listen on ${host}:${o.port ?? defaultPort}: ${e.message}`)),
      );
      server.listen(o.port ?? defaultPort, host, () => resolve());
    });
    this.servers.push(server);
    const a = server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  private onConnection(socket: net.Socket, o: StreamOptions): void {
    const source = socket.remoteAddress ?? 'unknown';
    const framer = new SyslogStreamFramer(source, o.maxFrameBytes);
    const deliver = (r: ReturnType<SyslogStreamFramer['push']>): void => {
      for (const frame of r.frames) this.sensor.handle(frame, source);
      for (const err of r.errors) this.sensor.reject(err, source, undefined, true);
    };
    socket.on('data', (chunk: Buffer) => deliver(framer.push(chunk)));
    socket.on('end', () => deliver(framer.end()));
    socket.on('error', (e) => this.log.debug({ sensor: 'syslog', source, err: e.message }, 'syslog connection error'));
  }

  /** Stop listening and drop open connections. */
  async close(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    this.udpDrops?.stop();
    const udpWorker = this.udpWorker;
    this.udpWorker = null;
    if (udpWorker) await udpWorker.close();
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
