import type { ResolvedDevice } from './device.js';
import type { SyslogMessage } from './message.js';
import { normaliserFor, sniffPlatform } from './platforms/index.js';

/** A trigger type and its payload: what `decode syslog` prints and what the sensor wraps in an envelope. */
export interface NormalisedSyslog {
  type: string;
  payload: Record<string, unknown>;
}

export interface NormaliseContext {
  /** The device as identified (inventory name, else hostname, else address). */
  device: ResolvedDevice;
  /** Forced platform (`--platform`), above the inventory's and the sniffed one. */
  platform?: string | null;
}

/**
 * A decoded message -> the most specific trigger type a platform normaliser recognises, else
 * `network.syslog`. Nothing is dropped. Every payload carries device, platform, host (as sent),
 * severity (0-7), message, raw and, when the device sent one, timestamp.
 */
export function normaliseSyslog(msg: SyslogMessage, ctx: NormaliseContext): NormalisedSyslog {
  const platform = ctx.platform ?? ctx.device.platform ?? sniffPlatform(msg);
  const base: Record<string, unknown> = {
    device: ctx.device.name,
    platform: platform ?? 'unknown',
    host: msg.hostname ?? msg.sourceAddress,
    severity: msg.severity,
    message: msg.message,
    raw: msg.raw,
  };
  if (msg.timestamp !== null) base.timestamp = msg.timestamp;
  const found = normaliserFor(platform)?.normalise(msg);
  if (found) {
    const fields = found.fields;
    for (const k in fields) {
      // absent beats null: trigger schemas type these fields as strings
      const v = fields[k];
      if (v !== null && v !== undefined && v !== '') base[k] = v;
    }
    return { type: found.type, payload: base };
  }
  base.facility = msg.facility;
  if (msg.appName !== null) base.program = msg.appName;
  if (msg.procId !== null) base.pid = msg.procId;
  if (msg.hostname !== null) base.hostname = msg.hostname;
  if (msg.msgId !== null) base.msgid = msg.msgId;
  if (Object.keys(msg.structuredData).length > 0) base.structured_data = msg.structuredData;
  return { type: 'network.syslog', payload: base };
}
