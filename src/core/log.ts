import { Writable } from 'node:stream';
import pino from 'pino';
import { NrxError } from './errors.js';

/** Structured logs (pino) on stderr. NETREFLEX_LOG_LEVEL sets the level, NETREFLEX_LOG_FORMAT the format. */
export type Logger = pino.Logger;

/** pretty: one readable line per record (a person at a terminal); json: JSON lines (journald, a collector). */
export type LogFormat = 'pretty' | 'json';

/** auto (the default) is pretty on a terminal and JSON otherwise. */
export function logFormatFor(asked: string | undefined = process.env.NETREFLEX_LOG_FORMAT, isTTY = Boolean(process.stderr.isTTY)): LogFormat {
  if (asked === undefined || asked === '' || asked === 'auto') return isTTY ? 'pretty' : 'json';
  if (asked === 'pretty' || asked === 'json') return asked;
  throw new NrxError('NRX_ERR_CONFIG', `log format '${asked}' (--log-format or NETREFLEX_LOG_FORMAT) is not one of auto, pretty, json`);
}

/** fastify logs every request at info; on an operator's terminal they drown the events, so they go to debug. */
const REQUEST_MESSAGES = new Set(['incoming request', 'request completed']);
const INFO = 30;

export function createLogger(name = 'netreflex', level = process.env.NETREFLEX_LOG_LEVEL ?? 'info', format: LogFormat = logFormatFor()): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: ['*.password', '*.secret', '*.token', 'parameters.*'], censor: '********' },
      hooks: {
        logMethod(args, method, lvl) {
          if (lvl === INFO && args.some((a) => typeof a === 'string' && REQUEST_MESSAGES.has(a))) return (this.debug as (...a: unknown[]) => void)(...args);
          return method.apply(this, args);
        },
      },
    },
    format === 'pretty' ? prettyLines(process.stderr) : pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 20: '\x1b[90m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
/** Record fields every line has or that say nothing to a person reading it. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'reqId']);

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** `12:03:04.120 WARN  rule could not start its action  rule=net.bgp event=01k...` */
export function prettyLine(record: Record<string, unknown>, colour = false): string {
  const level = Number(record.level);
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(record)
    // a value the message already names (the narrator's execution id, rule, event type) is said once
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined && !(typeof v === 'string' && String(record.msg ?? '').includes(v)))
    .map(([k, v]) => `${k}=${fieldValue(v)}`)
    .join(' ');
  const name = LEVELS[level] ?? String(level);
  const tag = colour && COLOURS[level] ? `${COLOURS[level]}${name}\x1b[0m` : name;
  return `${time} ${tag} ${String(record.msg ?? '')}${fields ? `  ${fields}` : ''}`;
}

/** A pino destination that writes each JSON record as one readable line. */
function prettyLines(out: NodeJS.WriteStream): Writable {
  const colour = Boolean(out.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          out.write(`${prettyLine(JSON.parse(line) as Record<string, unknown>, colour)}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
