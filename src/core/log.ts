import pino from 'pino';

/** Structured logs (pino, JSON lines on stderr). NETREFLEX_LOG_LEVEL sets the level. */
export type Logger = pino.Logger;

export function createLogger(name = 'netreflex', level = process.env.NETREFLEX_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: ['*.password', '*.secret', '*.token', 'parameters.*'], censor: '********' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
