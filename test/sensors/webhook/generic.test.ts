import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { decodeGenericWebhook, type WebhookRequest } from '../../../src/sensors/webhook/generic.js';
import { fixtureBytes, registry } from './webhook-fixtures.js';

const triggers = registry();

function req(body: string | Buffer, headers: WebhookRequest['headers'] = {}, query: Record<string, unknown> = {}): WebhookRequest {
  return { method: 'post', headers, query, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

describe('generic webhook', () => {
  test('a NetBox webhook body -> core.webhook with the parsed body, query and safe headers', () => {
    const e = decodeGenericWebhook(
      'netbox',
      req(
        fixtureBytes('netbox-site-created.json'),
        {
          'content-type': 'application/json',
          'user-agent': 'python-requests/2.31',
          'x-netreflex-token': 'the-secret',
          authorization: 'Bearer abc',
          cookie: 'sid=1',
          'x-hub-signature-256': 'sha256=00',
        },
        { site: 'dc1' },
      ),
    );
    assert.equal(e.type, 'core.webhook');
    assert.equal(triggers.validate(e.type, e.payload), null);
    assert.equal(e.payload.url, 'netbox');
    assert.equal(e.payload.method, 'POST');
    assert.deepEqual(e.payload.query, { site: 'dc1' });
    assert.deepEqual(e.payload.headers, { 'content-type': 'application/json', 'user-agent': 'python-requests/2.31' });
    const body = e.payload.body as Record<string, unknown>;
    assert.equal(body.event, 'created');
    assert.equal((body.data as Record<string, unknown>).slug, 'site-1');
  });

  test('forms become objects, text stays text, an empty body is {}', () => {
    const form = decodeGenericWebhook('f', req('a=1&b=x&b=y', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }));
    assert.deepEqual(form.payload.body, { a: '1', b: ['x', 'y'] });
    assert.equal(decodeGenericWebhook('t', req('link down on r1', { 'content-type': 'text/plain' })).payload.body, 'link down on r1');
    assert.deepEqual(decodeGenericWebhook('e', req('')).payload.body, {});
    assert.deepEqual(decodeGenericWebhook('j', req('{"a":[1]}', { 'content-type': 'application/vnd.api+json' })).payload.body, { a: [1] });
  });

  test('bad JSON, bad UTF-8 and runaway nesting are malformed, naming the body', () => {
    for (const [body, type, why] of [
      ['{"a":', 'application/json', /not JSON/],
      [Buffer.from([0xff, 0xfe, 0x00]), 'text/plain', /UTF-8/],
      ['['.repeat(65) + ']'.repeat(65), 'application/json', /deeper than 64/],
    ] as const) {
      assert.throws(
        () => decodeGenericWebhook('x', req(body, { 'content-type': type })),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_DECODE' && why.test(e.message) && e.location.field !== undefined,
      );
    }
    assert.doesNotThrow(() => decodeGenericWebhook('x', req('['.repeat(64) + ']'.repeat(64), { 'content-type': 'application/json' })));
  });
});
