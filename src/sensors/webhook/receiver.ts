import type { Logger } from '../../core/log.js';
import { NrxError, describeError } from '../../core/errors.js';
import { makeEvent, type EventEnvelope } from '../../events/envelope.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { checkWebhookCaller } from './caller-auth.js';
import type { WebhookCounters } from './counters.js';
import { decodeWebhook } from './decode.js';
import type { WebhookWithSecret } from './definitions.js';
import type { WebhookRequest } from './generic.js';

export interface WebhookReceiverDeps {
  /** Appliance.emit: records the event and hands it to the rules. */
  emit: (event: EventEnvelope) => Promise<void>;
  /** The trigger registry's check (null: fits); every event is checked before any is emitted. */
  validate: (type: string, payload: unknown) => NrxError | null;
  counters: WebhookCounters;
  log: Pick<Logger, 'warn'>;
}

/**
 * One received request, start to finish: check the caller, decode the body, check every
 * event against its trigger type, emit them. Everything is counted; refusals and malformed
 * bodies are logged rate-limited (never the secret, the signature or the body).
 */
export class WebhookReceiver {
  private readonly refusedLog: RateLimitedLog;
  private readonly malformedLog: RateLimitedLog;

  constructor(private readonly deps: WebhookReceiverDeps) {
    this.refusedLog = new RateLimitedLog(deps.log);
    this.malformedLog = new RateLimitedLog(deps.log);
  }

  /** The emitted events. Throws NRX_ERR_UNAUTHORIZED (refused), NRX_ERR_DECODE (malformed) or the emit failure. */
  async receive(hook: WebhookWithSecret, req: WebhookRequest, from: string | null = null): Promise<EventEnvelope[]> {
    const c = this.deps.counters.of(hook.kind);
    c.received++;
    const caller = checkWebhookCaller(hook.auth, hook.secret, req.headers, req.rawBody);
    if (!caller.ok) {
      c.refused++;
      this.refusedLog.warn({ webhook: hook.name, kind: hook.kind, from, reason: caller.reason }, 'webhook call refused');
      throw new NrxError('NRX_ERR_UNAUTHORIZED', `webhook '${hook.name}' refused the call: ${caller.reason}`, { details: { webhook: hook.name } });
    }
    let events: EventEnvelope[];
    try {
      const decoded = decodeWebhook(hook.name, hook.kind, req);
      // A payload the trigger contract refuses is the sender's fault: malformed, before anything is emitted.
      for (const d of decoded) {
        const invalid = this.deps.validate(d.type, d.payload);
        if (invalid)
          throw new NrxError('NRX_ERR_DECODE', `webhook body: ${d.type}: ${invalid.message}`, {
            ...(invalid.location.field ? { location: { field: invalid.location.field } } : {}),
            details: { type: d.type },
          });
      }
      events = decoded.map((d) => makeEvent(d.type, d.payload, { source: `webhook:${hook.name}`, device: null }));
      c.decoded++;
      for (const d of decoded) {
        if (d.normalised) c.normalised++;
        else c.unknown++;
      }
    } catch (e) {
      c.malformed++;
      const err = e instanceof NrxError ? e : new NrxError('NRX_ERR_DECODE', `webhook body could not be decoded: ${describeError(e).message}`);
      this.malformedLog.warn(
        { webhook: hook.name, kind: hook.kind, from, code: err.code, field: err.location.field },
        `malformed webhook body: ${err.message}`,
      );
      throw err;
    }
    for (let i = 0; i < events.length; i++) {
      try {
        await this.deps.emit(events[i]!);
      } catch (e) {
        c.dropped += events.length - i;
        throw e;
      }
    }
    return events;
  }
}
