import type { Duplex } from 'node:stream';
import { describeError } from '../../core/errors.js';
import type { KeyValueStore } from '../../datastore/keyvalue.js';

/** What a Python action may do in the datastore: StackStorm's action_service, system scope only. */
export type ActionDatastore = Pick<KeyValueStore, 'get' | 'set' | 'delete' | 'list'>;

/** The last word of the Python host: a result, or why there is none. */
export type HostOutcome =
  | { op: 'result'; status: boolean | null; result: unknown }
  | { op: 'failure'; kind: 'missing_module' | 'load' | 'exception' | 'bad_status'; message: string; module?: string };

/** One message may not exceed this (a result, a datastore value); a runaway action cannot exhaust memory. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const SCOPE = 'system';

/**
 * The appliance's end of the JSON-lines channel on the Python process's fd 3: sends the start
 * message, answers datastore requests in order, and keeps the host's final outcome.
 */
export class PythonChannel {
  outcome: HostOutcome | null = null;
  /** Set when the host broke the protocol (bad JSON, oversize line). */
  protocolError: string | null = null;
  private buffer = '';
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Duplex,
    private readonly kv: ActionDatastore,
    private readonly log: (line: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    // The host exiting closes its end; a write after that must not crash the appliance.
    socket.on('error', () => {});
  }

  start(message: Record<string, unknown>): void {
    this.socket.write(`${JSON.stringify({ op: 'start', ...message })}\n`);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void> {
    return this.queue;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_BYTES && !this.buffer.includes('\n')) {
      this.protocolError = `a message from the action exceeds ${MAX_LINE_BYTES} bytes`;
      this.buffer = '';
      this.close();
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.protocolError = 'the action host sent a line that is not JSON';
        continue;
      }
      // Answer in arrival order: the host waits for each reply before its next request.
      this.queue = this.queue.then(() => this.handle(msg));
    }
  }

  private async handle(msg: Record<string, unknown>): Promise<void> {
    if (msg.op === 'result' || msg.op === 'failure') {
      this.outcome = msg as unknown as HostOutcome;
      return;
    }
    const id = msg.id;
    try {
      const value = await this.request(msg);
      this.reply({ id, ok: true, value });
    } catch (e) {
      this.reply({ id, ok: false, error: describeError(e).message });
    }
  }

  private async request(msg: Record<string, unknown>): Promise<unknown> {
    const name = typeof msg.name === 'string' ? msg.name : '';
    switch (msg.op) {
      case 'kv.get':
        return (await this.kv.get(SCOPE, name, { decrypt: msg.decrypt === true }))?.value ?? null;
      case 'kv.set': {
        const ttl = typeof msg.ttl === 'number' ? msg.ttl : undefined;
        await this.kv.set(SCOPE, name, typeof msg.value === 'string' ? msg.value : String(msg.value), {
          encrypt: msg.encrypt === true,
          ...(ttl !== undefined ? { ttlSeconds: ttl } : {}),
        });
        this.log(`datastore: set ${SCOPE}/${name}${msg.encrypt === true ? ' (encrypted)' : ''}`);
        return true;
      }
      case 'kv.delete': {
        const existed = await this.kv.delete(SCOPE, name);
        this.log(`datastore: delete ${SCOPE}/${name}`);
        return existed;
      }
      case 'kv.list': {
        const prefix = typeof msg.prefix === 'string' ? msg.prefix : '';
        return (await this.kv.list(SCOPE, prefix)).map((k) => ({ name: k.key, value: k.value, secret: k.secret, scope: SCOPE, expire_timestamp: k.expiresAt }));
      }
      default:
        throw new Error(`unknown request ${JSON.stringify(msg.op)}`);
    }
  }

  private reply(msg: Record<string, unknown>): void {
    if (!this.socket.destroyed) this.socket.write(`${JSON.stringify(msg)}\n`);
  }
}
