/** Plain tables for people, JSON for scripts. No colour codes unless stdout is a TTY and NO_COLOR is unset. */
import { NrxError } from '../core/errors.js';

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

const STATUS_COLOR: Record<string, string> = {
  succeeded: '\x1b[32m',
  failed: '\x1b[31m',
  timeout: '\x1b[31m',
  abandoned: '\x1b[31m',
  canceled: '\x1b[33m',
  running: '\x1b[36m',
  delayed: '\x1b[33m',
  pending: '\x1b[35m',
  paused: '\x1b[33m',
};

export function colorStatus(s: string): string {
  if (!useColor()) return s;
  const c = STATUS_COLOR[s];
  return c ? `${c}${s}\x1b[0m` : s;
}

export { table } from '../core/text-table.js';

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** `key=value` arguments as StackStorm's CLI takes them; JSON values ([..], {..}) are parsed. */
export function parseKeyValues(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0) throw new NrxError('NRX_ERR_USAGE', `expected key=value, got '${a}'`);
    const key = a.slice(0, i);
    const raw = a.slice(i + 1);
    let value: unknown = raw;
    if (/^\s*[[{]/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    setPath(out, key, value);
  }
  return out;
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Values for event payloads: numbers and booleans are typed, like JSON. */
export function typedValues(kv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kv)) {
    if (typeof v === 'string' && /^(-?\d+(\.\d+)?|true|false|null)$/.test(v)) out[k] = JSON.parse(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = typedValues(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}
