import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseChannel {
  send(event: string, data: unknown): void;
  close(): void;
  readonly closed: boolean;
  /** Runs once, when the client goes away or close() is called. */
  onClose(fn: () => void): void;
}

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events over a hijacked reply: `event: <name>` + one JSON `data:` line per
 * message. A comment line every 15 s keeps proxies from closing an idle stream.
 */
export function openSse(req: FastifyRequest, reply: FastifyReply): SseChannel {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': netreflex stream\n\n');
  const closers: Array<() => void> = [];
  let closed = false;
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers.splice(0)) {
      try {
        fn();
      } catch {
        // cleanup of one subscriber must not stop the others
      }
    }
  };
  req.raw.on('close', finish);
  raw.on('close', finish);
  return {
    send(event, data) {
      if (closed) return;
      raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (closed) return;
      finish();
      raw.end();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
  };
}
