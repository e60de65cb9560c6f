import type { Duplex } from 'node:stream';
import { NrxError, isNrxError } from '../../src/core/errors.js';
import { FrameDecoder, encodeMessage, type Framing } from './netconf-framing.js';
import {
  CAP_BASE_10,
  CAP_BASE_11,
  type CommitOptions,
  type Datastore,
  type EditConfigOptions,
  type Filter,
  type NetconfData,
  type NetconfSession,
  type RpcOptions,
  type RpcReply,
} from '../contract/netconf.js';
import {
  cancelCommitXml,
  closeSessionXml,
  commitXml,
  discardChangesXml,
  editConfigXml,
  getConfigXml,
  getXml,
  lockXml,
  unlockXml,
  validateXml,
} from './netconf-operations.js';
import { describeRpcErrors, helloXml, parseHello, parseServerMessage, rpcXml } from './netconf-xml.js';

/**
 * One NETCONF session over any byte stream (the ssh2 `netconf` subsystem channel in
 * production, an in-memory pair in tests): hello and capability exchange, framing chosen from
 * both hellos, message-id matching, per-RPC timeouts, rpc-error -> NrxError.
 */

export interface SessionOptions {
  /** Names the device in every error. */
  device: string;
  /** Default per-RPC timeout (ms). */
  rpcTimeoutMs?: number;
  /** How long to wait for the server's hello (ms). */
  helloTimeoutMs?: number;
  /** Offer base:1.1 (chunked framing). Default true; false pins base:1.0 for broken servers. */
  offerBase11?: boolean;
  /** Called once when the stream is gone, whatever the cause. */
  onClosed?: () => void;
  /** Pause between the hellos and the first RPC under chunked framing (ms). Default 25. */
  helloSettleMs?: number;
}

const HELLO_SETTLE_MS = 25;

interface Waiter {
  operation: string;
  resolve: (r: RpcReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NetconfStreamSession implements NetconfSession {
  readonly device: string;
  readonly capabilities: readonly string[];
  readonly sessionId: number | null;
  readonly framing: Framing;
  private readonly stream: Duplex;
  private readonly decoder: FrameDecoder;
  private readonly rpcTimeoutMs: number;
  private readonly waiters = new Map<string, Waiter>();
  private nextMessageId = 1;
  private closedError: NrxError | null = null;
  private readonly onClosed?: () => void;
  /**
   * No RPC is written before this time (ms). yuma123's netconf-subsystem can read our <hello> and
   * a first RPC sent right after the server's hello in one read; netconfd then looks for the old
   * end-of-message framing in the chunked RPC and never answers (seen as a 60 s timeout on the
   * first RPC under load). A short pause after the hellos lets the subsystem take our hello alone.
   */
  private readonly firstRpcAt: number;
  /** Frames written during that pause, in order. */
  private held: Array<string | Buffer> | null = null;

  private constructor(
    stream: Duplex,
    decoder: FrameDecoder,
    hello: { capabilities: string[]; sessionId: number | null },
    framing: Framing,
    opts: SessionOptions,
  ) {
    this.stream = stream;
    this.decoder = decoder;
    this.device = opts.device;
    this.capabilities = hello.capabilities;
    this.sessionId = hello.sessionId;
    this.framing = framing;
    this.rpcTimeoutMs = opts.rpcTimeoutMs ?? 60_000;
    this.onClosed = opts.onClosed;
    this.firstRpcAt = framing === 'chunked' ? Date.now() + (opts.helloSettleMs ?? HELLO_SETTLE_MS) : 0;
    stream.on('data', (b: Buffer) => this.onBytes(b));
    stream.on('error', (e: Error) =>
      this.shutDown(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.device}: NETCONF session failed: ${e.message}`, { cause: e })),
    );
    stream.on('close', () => this.shutDown(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.device}: NETCONF session closed by the device`)));
    stream.on('end', () => this.shutDown(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.device}: NETCONF session closed by the device`)));
  }

  /** Exchange hellos on an open stream and return the session, framed as both sides allow. */
  static open(stream: Duplex, opts: SessionOptions): Promise<NetconfStreamSession> {
    const decoder = new FrameDecoder({ label: opts.device });
    const ours = opts.offerBase11 === false ? [CAP_BASE_10] : [CAP_BASE_10, CAP_BASE_11];
    return new Promise<NetconfStreamSession>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new NrxError('NRX_ERR_DEVICE_TIMEOUT', `${opts.device}: no NETCONF <hello> within ${opts.helloTimeoutMs ?? 10_000} ms`)),
        opts.helloTimeoutMs ?? 10_000,
      );
      const cleanup = (): void => {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.off('close', onGone);
        stream.off('error', onGone);
      };
      const fail = (e: Error): void => {
        cleanup();
        discard(stream);
        reject(e);
      };
      const onGone = (e?: Error): void =>
        fail(
          new NrxError('NRX_ERR_CONNECTION_LOST', `${opts.device}: the session closed before the NETCONF <hello>${e instanceof Error ? `: ${e.message}` : ''}`),
        );
      const onData = (b: Buffer): void => {
        let messages: string[];
        try {
          messages = decoder.push(b);
        } catch (e) {
          fail(e as Error);
          return;
        }
        if (messages.length === 0) return;
        cleanup();
        try {
          const hello = parseHello(messages[0]!, opts.device);
          const framing: Framing = hello.capabilities.includes(CAP_BASE_11) && ours.includes(CAP_BASE_11) ? 'chunked' : 'eom';
          if (!hello.capabilities.includes(CAP_BASE_10) && framing === 'eom')
            throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${opts.device}: the server offers neither base:1.0 nor base:1.1 that we both speak`);
          if (framing === 'chunked') decoder.useChunked();
          const session = new NetconfStreamSession(stream, decoder, hello, framing, opts);
          if (messages.length > 1) throw new NrxError('NRX_ERR_NETCONF_FRAMING', `${opts.device}: the server sent a message before our first RPC`);
          resolve(session);
        } catch (e) {
          discard(stream);
          reject(e);
        }
      };
      stream.on('data', onData);
      stream.once('close', onGone);
      stream.once('error', onGone);
      // Both sides send their hello at once (RFC 6241 8.1); ours is always end-of-message framed.
      stream.write(encodeMessage('eom', helloXml(ours)));
    });
  }

  hasCapability(uriPrefix: string): boolean {
    return this.capabilities.some((c) => c === uriPrefix || c.startsWith(`${uriPrefix}?`) || c.startsWith(uriPrefix));
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Send any RPC body (the XML inside `<rpc>`); resolves with the reply, rejects on rpc-error. */
  rpc(body: string, operation = 'rpc', opts: RpcOptions = {}): Promise<RpcReply> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (opts.signal?.aborted) return Promise.reject(new NrxError('NRX_ERR_CANCELED', `${this.device}: NETCONF ${operation} canceled`));
    const id = String(this.nextMessageId++);
    const timeoutMs = opts.timeoutMs ?? this.rpcTimeoutMs;
    return new Promise<RpcReply>((resolve, reject) => {
      const onAbort = (): void => settle(new NrxError('NRX_ERR_CANCELED', `${this.device}: NETCONF ${operation} canceled`));
      const settle = (e: Error | null, r?: RpcReply): void => {
        clearTimeout(timer);
        this.waiters.delete(id);
        opts.signal?.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve(r!);
      };
      const timer = setTimeout(
        () => settle(new NrxError('NRX_ERR_DEVICE_TIMEOUT', `${this.device}: no reply to NETCONF ${operation} (message-id ${id}) within ${timeoutMs} ms`)),
        timeoutMs,
      );
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(id, { operation, timer, resolve: (r) => settle(null, r), reject: (e) => settle(e) });
      this.send(encodeMessage(this.framing, rpcXml(id, body)));
    });
  }

  /** Write a frame now, or in order once the pause after the hellos is over. */
  private send(frame: string | Buffer): void {
    if (this.held === null && Date.now() >= this.firstRpcAt) {
      this.stream.write(frame);
      return;
    }
    if (this.held === null) {
      this.held = [];
      setTimeout(() => {
        const frames = this.held ?? [];
        this.held = null;
        if (this.closedError === null) for (const f of frames) this.stream.write(f);
      }, this.firstRpcAt - Date.now());
    }
    this.held.push(frame);
  }

  async get(filter?: Filter, opts?: RpcOptions): Promise<NetconfData> {
    return dataOf(await this.rpc(getXml(filter), 'get', opts));
  }

  async getConfig(source: Datastore = 'running', filter?: Filter, opts?: RpcOptions): Promise<NetconfData> {
    return dataOf(await this.rpc(getConfigXml(source, filter), `get-config ${source}`, opts));
  }

  async editConfig(config: string, options: EditConfigOptions = {}, opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(editConfigXml(config, options), `edit-config ${options.target ?? 'running'}`, opts);
  }

  async lock(target: Datastore = 'candidate', opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(lockXml(target), `lock ${target}`, opts);
  }

  async unlock(target: Datastore = 'candidate', opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(unlockXml(target), `unlock ${target}`, opts);
  }

  async commit(options: CommitOptions = {}, opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(commitXml(options), options.confirmed ? 'confirmed-commit' : 'commit', opts);
  }

  async cancelCommit(persistId?: string, opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(cancelCommitXml(persistId), 'cancel-commit', opts);
  }

  async discardChanges(opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(discardChangesXml(), 'discard-changes', opts);
  }

  async validate(source: Datastore | { config: string } = 'candidate', opts?: RpcOptions): Promise<RpcReply> {
    return this.rpc(validateXml(source), 'validate', opts);
  }

  /** close-session, then end the stream; safe to call twice or on a dead session. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (!this.closedError) {
      try {
        await this.rpc(closeSessionXml(), 'close-session', { timeoutMs });
      } catch {
        // A server that drops the session before answering close-session has still closed it.
      }
    }
    this.shutDown(new NrxError('NRX_ERR_CONNECTION_LOST', `${this.device}: NETCONF session was closed`));
    this.stream.end();
  }

  private onBytes(b: Buffer): void {
    let messages: string[];
    try {
      messages = this.decoder.push(b);
    } catch (e) {
      this.shutDown(e as NrxError);
      discard(this.stream);
      return;
    }
    for (const xml of messages) this.onMessage(xml);
  }

  private onMessage(xml: string): void {
    let msg;
    try {
      msg = parseServerMessage(xml, this.device);
    } catch (e) {
      // Without a readable message-id nobody can tell which RPC this answered: the session is unusable.
      this.shutDown(isNrxError(e) ? e : new NrxError('NRX_ERR_NETCONF_FRAMING', `${this.device}: unreadable reply: ${(e as Error).message}`));
      discard(this.stream);
      return;
    }
    if (msg.kind === 'notification') return;
    const reply = msg.reply;
    let waiter = reply.messageId !== null ? this.waiters.get(reply.messageId) : undefined;
    // Servers answer a malformed rpc without a message-id; with one RPC in flight it is that one's.
    if (!waiter && reply.messageId === null && this.waiters.size === 1) waiter = [...this.waiters.values()][0];
    if (!waiter) return;
    const errors = reply.errors.filter((e) => e.severity === 'error');
    if (errors.length) {
      const first = errors[0]!;
      waiter.reject(
        new NrxError('NRX_ERR_NETCONF_RPC', `${this.device}: NETCONF ${waiter.operation} failed: ${describeRpcErrors(errors)}`, {
          details: {
            device: this.device,
            operation: waiter.operation,
            errorTag: first.tag,
            errorType: first.type,
            errorPath: first.path ?? null,
            errorMessage: first.message ?? null,
            errors: reply.errors,
          },
        }),
      );
    } else {
      waiter.resolve(reply);
    }
  }

  private shutDown(reason: NrxError): void {
    if (this.closedError) return;
    this.closedError = reason;
    for (const w of [...this.waiters.values()]) w.reject(reason);
    this.waiters.clear();
    this.onClosed?.();
  }
}

function dataOf(reply: RpcReply): NetconfData {
  const body = reply.parsed['rpc-reply'] as Record<string, unknown> | undefined;
  const data = body && typeof body.data === 'object' && body.data !== null ? (body.data as Record<string, unknown>) : {};
  return { xml: reply.dataXml ?? '', data };
}

/** Drop a stream we gave up on; a late 'error' from it must not become an uncaught exception. */
function discard(stream: Duplex): void {
  stream.on('error', () => undefined);
  stream.destroy();
}
