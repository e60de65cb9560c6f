import { NrxError } from '../../core/errors.js';

/** Which header a message had: RFC 5424, RFC 3164 (BSD, with vendor variations), or none we recognise. */
export type SyslogFormat = '5424' | '3164' | 'unknown';

/** RFC 5424 structured data: SD-ID -> param name -> value (escapes resolved; a repeated name keeps the last value). */
export type StructuredData = Record<string, Record<string, string>>;

/** One syslog message, decoded. Pure data: no I/O, no device knowledge yet. */
export interface SyslogMessage {
  format: SyslogFormat;
  /** 0-23 from PRI; RFC 3164's default (1, user) when the PRI was missing. */
  facility: number;
  /** 0-7 from PRI; RFC 3164's default (5, notice) when the PRI was missing. */
  severity: number;
  /** Whether the message carried a PRI at all. */
  hasPri: boolean;
  /** Device time as ISO 8601 UTC, or null when the message had none we could read. */
  timestamp: string | null;
  hostname: string | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 tag (program) before `[pid]:`. */
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredData;
  /** The free text (MSG): leading spaces and a UTF-8 BOM stripped, trailing CR/LF/NUL stripped. */
  message: string;
  /** Cisco `service sequence-numbers` counter, when present. */
  sequence: number | null;
  /** IOS-XR node (`RP/0/RSP0/CPU0`) that logged the message, when present. */
  node: string | null;
  /** The whole line as received (trailing CR/LF/NUL stripped). */
  raw: string;
  sourceAddress: string;
  receivedAt: string;
}

export interface DecodeOptions {
  /** When the message arrived (ISO string, Date or epoch ms): the reference for a missing year and zone. */
  receivedAt: string | Date | number;
  /** Address the datagram or connection came from. */
  sourceAddress: string;
  /** Infer the device's UTC offset when a zone-less timestamp is off from receivedAt by a whole quarter hour (default true). */
  inferZone?: boolean;
}

export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export const SEVERITY_NAMES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;

/** Longest message accepted: RFC 5426 allows datagrams up to 64 KiB; anything larger is hostile. */
export const MAX_MESSAGE_BYTES = 65_536;

/** The one error the decoder throws: what is wrong and where (byte/character offset). */
export function decodeError(what: string, offset: number, sourceAddress: string): NrxError {
  return new NrxError('NRX_ERR_DECODE', `syslog from ${sourceAddress || 'unknown source'}: ${what} at offset ${offset}`, {
    details: { format: 'syslog', offset, source: sourceAddress },
  });
}
