import type { TriggerInstanceRecord } from '../store/records.js';
import type { ApiClient } from './api-client.js';

export interface EventTailOptions {
  type?: string;
  device?: string;
  max?: string;
  json?: boolean;
}

/** Payload fields the line already shows or that repeat the raw input (the time, the device, the whole syslog line). */
const NOT_SHOWN = new Set(['raw', 'device', 'host', 'platform', 'timestamp', 'severity', 'message']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** An event's type, device and payload fields (key=value; the syslog message only when there are no fields, as for network.syslog). */
export function eventSummary(e: Pick<TriggerInstanceRecord, 'type' | 'device' | 'payload'>): string {
  const payload = (e.payload ?? {}) as Record<string, unknown>;
  let fields = Object.entries(payload).filter(([k]) => !NOT_SHOWN.has(k));
  if (fields.length === 0 && payload.message !== undefined) fields = [['message', payload.message]];
  return `${e.type}  ${e.device ?? '-'}  ${fields.map(([k, v]) => `${k}=${value(v)}`).join(' ')}`.trimEnd();
}

/** One event as one line a person reads: `12:03:04.120  network.bgp_peer_state_changed  leaf1  peer=10.0.12.2 state=idle` */
export function eventLine(e: TriggerInstanceRecord): string {
  const time = new Date(e.time);
  return `${Number.isNaN(time.getTime()) ? String(e.time) : time.toISOString().slice(11, 23)}  ${eventSummary(e)}`;
}

/** `event tail`: events live as the appliance receives them, one line each (or one JSON object each) until Ctrl-C or --max. */
export async function followEvents(client: ApiClient, opts: EventTailOptions): Promise<void> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const query = {
    kinds: 'event',
    ...(opts.type ? { type: opts.type } : {}),
    ...(opts.device ? { device: opts.device } : {}),
    ...(opts.max ? { max: Number(opts.max) } : {}),
  };
  try {
    await client.tailStream(
      query,
      (m) => {
        if (m.event !== 'event') return;
        const e = m.data as TriggerInstanceRecord;
        process.stdout.write(`${opts.json ? JSON.stringify(e) : eventLine(e)}\n`);
      },
      abort.signal,
    );
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
