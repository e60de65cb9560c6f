import { describeValue, fieldOf, isPlainObject, malformed } from './malformed.js';
import type { DecodedEvent } from './decoded.js';

/**
 * Prometheus Alertmanager's webhook (body version 4) -> one event per alert:
 * `prometheus.alert_firing` or `prometheus.alert_resolved`, with the alert's labels,
 * annotations, times, fingerprint and generatorURL, and the group's receiver and externalURL.
 *
 * An alert's status falls back to the group's (senders that fill only the group's); an alert
 * with neither, or without an alertname label, makes the whole body malformed rather than
 * half-delivered, so the sender sees one clear 400 naming the alert.
 */
export function decodeAlertmanagerBody(body: unknown): DecodedEvent[] {
  if (!isPlainObject(body)) throw malformed('', `an Alertmanager body must be a JSON object (got ${describeValue(body)})`);
  if (body.version !== undefined && body.version !== '4')
    throw malformed('version', `only Alertmanager webhook version "4" is understood (got ${describeValue(body.version)})`);
  const alerts = body.alerts;
  if (!Array.isArray(alerts)) throw malformed('alerts', `is required: the list of alerts (got ${describeValue(alerts)})`);
  const groupStatus = optionalStatus(body.status, 'status');
  const group = {
    receiver: optionalString(body.receiver, 'receiver'),
    externalURL: optionalString(body.externalURL, 'externalURL'),
    groupKey: optionalString(body.groupKey, 'groupKey'),
    commonLabels: optionalObject(body.commonLabels, 'commonLabels') ?? {},
  };
  return alerts.map((a, i) => decodeAlert(a, fieldOf('alerts', i), groupStatus, group));
}

function decodeAlert(
  alert: unknown,
  at: string,
  groupStatus: 'firing' | 'resolved' | null,
  group: { receiver: string | null; externalURL: string | null; groupKey: string | null; commonLabels: Record<string, unknown> },
): DecodedEvent {
  if (!isPlainObject(alert)) throw malformed(at, `an alert must be an object (got ${describeValue(alert)})`);
  const status = optionalStatus(alert.status, fieldOf(at, 'status')) ?? groupStatus;
  if (status === null) throw malformed(fieldOf(at, 'status'), 'is required (firing or resolved), on the alert or its group');
  const labels = optionalObject(alert.labels, fieldOf(at, 'labels'));
  if (labels === null) throw malformed(fieldOf(at, 'labels'), "is required: the alert's labels");
  const alertname = labels.alertname;
  if (typeof alertname !== 'string' || alertname === '')
    throw malformed(fieldOf(fieldOf(at, 'labels'), 'alertname'), `is required (got ${describeValue(alertname)})`);
  const payload: Record<string, unknown> = {
    alertname,
    status,
    labels,
    annotations: optionalObject(alert.annotations, fieldOf(at, 'annotations')) ?? {},
    startsAt: optionalString(alert.startsAt, fieldOf(at, 'startsAt')),
    endsAt: optionalString(alert.endsAt, fieldOf(at, 'endsAt')),
    fingerprint: optionalString(alert.fingerprint, fieldOf(at, 'fingerprint')),
    generatorURL: optionalString(alert.generatorURL, fieldOf(at, 'generatorURL')),
    ...group,
  };
  if (typeof labels.severity === 'string') payload.severity = labels.severity;
  if (payload.startsAt === null) delete payload.startsAt;
  if (payload.endsAt === null) delete payload.endsAt;
  return { type: status === 'firing' ? 'prometheus.alert_firing' : 'prometheus.alert_resolved', normalised: true, payload };
}

function optionalStatus(v: unknown, field: string): 'firing' | 'resolved' | null {
  if (v === undefined || v === null) return null;
  if (v === 'firing' || v === 'resolved') return v;
  throw malformed(field, `must be firing or resolved (got ${describeValue(v)})`);
}

function optionalString(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw malformed(field, `must be a string (got ${describeValue(v)})`);
  return v;
}

function optionalObject(v: unknown, field: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v)) throw malformed(field, `must be an object (got ${describeValue(v)})`);
  return v;
}
