import { decodeAlertmanagerBody } from './alertmanager.js';
import type { DecodedEvent } from './decoded.js';
import { decodeGenericWebhook, type WebhookRequest } from './generic.js';
import { parseJsonBody } from './malformed.js';
import { decodeNeutronBody } from './neutron.js';

export const WEBHOOK_KINDS = ['generic', 'neutron', 'alertmanager'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/**
 * A received request -> the events it carries, by the webhook's kind. Pure: throws
 * NRX_ERR_DECODE naming the field for a body it cannot use, never anything else.
 */
export function decodeWebhook(name: string, kind: WebhookKind, req: WebhookRequest): DecodedEvent[] {
  switch (kind) {
    case 'generic':
      return [decodeGenericWebhook(name, req)];
    case 'neutron':
      return decodeNeutronBody(parseJsonBody(req.rawBody));
    case 'alertmanager':
      return decodeAlertmanagerBody(parseJsonBody(req.rawBody));
  }
}
