import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { decodeAlertmanagerBody } from '../../../src/sensors/webhook/alertmanager.js';
import { fixture, registry } from './webhook-fixtures.js';

const triggers = registry();

function decodeOk(body: unknown) {
  const events = decodeAlertmanagerBody(body);
  for (const e of events) assert.equal(triggers.validate(e.type, e.payload), null, `${e.type} payload fits its trigger type`);
  return events;
}

function fieldOfError(body: unknown): string | undefined {
  try {
    decodeAlertmanagerBody(body);
  } catch (e) {
    assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_DECODE', String(e));
    return e.location.field;
  }
  assert.fail('expected a decode error');
}

describe('Alertmanager webhook v4', () => {
  test('a resolved alert -> prometheus.alert_resolved with labels, annotations, times and the group fields', () => {
    const [e, ...rest] = decodeOk(fixture('prom2teams/all_ok.json'));
    assert.equal(rest.length, 0);
    assert.equal(e!.type, 'prometheus.alert_resolved');
    assert.deepEqual(e!.payload, {
      alertname: 'DiskSpace',
      status: 'resolved',
      severity: 'severe',
      labels: { alertname: 'DiskSpace', device: 'rootfs', fstype: 'rootfs', instance: 'cs30.evilcorp', mountpoint: '/', severity: 'severe' },
      annotations: { description: 'disk usage 93% on rootfs device', summary: 'Disk usage alert on CS30.evilcorp' },
      startsAt: '2017-05-09T07:01:37.803000Z',
      endsAt: '2017-05-09T07:08:37.818278Z',
      fingerprint: 'dd19ae3d4e06ac55',
      generatorURL: 'my.prometheusserver.url',
      receiver: 'test_webhook',
      externalURL: 'my.prometheusalertmanager.url',
      groupKey: null,
      commonLabels: {},
    });
  });

  test('one event per alert, each with its own status', () => {
    const body = fixture('prom2teams/all_ok_multiple.json') as { alerts: Array<Record<string, unknown>> };
    body.alerts[0]!.status = 'firing';
    const events = decodeOk(body);
    assert.deepEqual(
      events.map((e) => [e.type, (e.payload.labels as Record<string, string>).instance]),
      [
        ['prometheus.alert_firing', 'cs30.evilcorp'],
        ['prometheus.alert_resolved', 'cs31.evilcorp'],
      ],
    );
    assert.equal(events[0]!.payload.startsAt, '2017-05-09T07:01:37.803000000Z', 'nanosecond times are kept as sent');
  });

  test('group key and common labels are carried; extra labels and annotations kept', () => {
    const [e] = decodeOk(fixture('prom2teams/with_common_items.json'));
    assert.equal(e!.payload.groupKey, '{}/{alertname="CPUThrottlingHigh"}:{}');
    assert.equal((e!.payload.commonLabels as Record<string, string>).namespace, 'monitoring');
    assert.equal(e!.payload.externalURL, 'http://ot-mon-prometheus-operator-alertmanager.monitoring:9093');
    const [labels] = decodeOk(fixture('prom2teams/all_ok_extra_labels.json'));
    assert.equal((labels!.payload.labels as Record<string, string>).pod_name, 'erase');
    const [ann] = decodeOk(fixture('prom2teams/all_ok_extra_annotations.json'));
    assert.match((ann!.payload.annotations as Record<string, string>).runbook_url!, /^https:/);
  });

  test('optional fields may be missing: fingerprint, instance label, description', () => {
    const [noFp] = decodeOk(fixture('prom2teams/without_fingerprint.json'));
    assert.equal(noFp!.payload.fingerprint, null);
    const [noInstance] = decodeOk(fixture('prom2teams/without_instance_field.json'));
    assert.equal((noInstance!.payload.labels as Record<string, string>).instance, undefined);
    const [noOptional] = decodeOk(fixture('prom2teams/without_optional_field.json'));
    assert.equal(noOptional!.payload.fingerprint, null);
  });

  test('an alert without status (on it or its group) or alertname is malformed, naming the alert', () => {
    assert.equal(fieldOfError(fixture('prom2teams/without_mandatory_field.json')), 'alerts[0].status');
    const body = fixture('prom2teams/without_mandatory_field.json') as Record<string, unknown>;
    body.status = 'firing';
    assert.equal(fieldOfError(body), 'alerts[0].labels.alertname');
  });

  test('the group status stands in for an alert without one', () => {
    const body = fixture('prom2teams/all_ok.json') as { status: string; alerts: Array<Record<string, unknown>> };
    delete body.alerts[0]!.status;
    body.status = 'firing';
    assert.equal(decodeOk(body)[0]!.type, 'prometheus.alert_firing');
  });

  test('malformed bodies name the field', () => {
    assert.equal(fieldOfError([]), undefined);
    assert.equal(fieldOfError({ version: '3', alerts: [] }), 'version');
    assert.equal(fieldOfError({ version: '4' }), 'alerts');
    assert.equal(fieldOfError({ alerts: [null] }), 'alerts[0]');
    assert.equal(fieldOfError({ alerts: [{ status: 'pending', labels: { alertname: 'x' } }] }), 'alerts[0].status');
    assert.equal(fieldOfError({ status: 'firing', alerts: [{ labels: { alertname: 'x' }, startsAt: 5 }] }), 'alerts[0].startsAt');
    assert.equal(fieldOfError({ status: 'firing', alerts: [{ labels: 'x' }] }), 'alerts[0].labels');
    assert.equal(fieldOfError({ status: 'firing', receiver: {}, alerts: [] }), 'receiver');
  });
});
