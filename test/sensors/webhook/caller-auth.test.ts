import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { checkWebhookCaller, newWebhookSecret, signWebhookBody } from '../../../src/sensors/webhook/caller-auth.js';

const body = Buffer.from('{"alerts":[]}');

describe('webhook caller authentication', () => {
  test('token: the exact secret in X-Netreflex-Token or as a bearer token, nothing else', () => {
    const secret = newWebhookSecret();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(secret, newWebhookSecret());
    assert.deepEqual(checkWebhookCaller('token', secret, { 'x-netreflex-token': secret }, body), { ok: true });
    assert.equal(checkWebhookCaller('token', secret, { 'x-netreflex-token': `${secret}x` }, body).ok, false);
    assert.equal(checkWebhookCaller('token', secret, { 'x-netreflex-token': secret.slice(0, 10) }, body).ok, false);
    assert.equal(checkWebhookCaller('token', secret, {}, body).ok, false);
    assert.deepEqual(
      checkWebhookCaller('token', secret, { authorization: `Bearer ${secret}` }, body),
      { ok: true },
      "Alertmanager's http_config.authorization",
    );
    assert.equal(checkWebhookCaller('token', secret, { authorization: `Basic ${secret}` }, body).ok, false);
    assert.equal(checkWebhookCaller('token', secret, { authorization: 'Bearer nope' }, body).ok, false);
    assert.equal(
      checkWebhookCaller('token', secret, { 'x-hub-signature-256': signWebhookBody(secret, body) }, body).ok,
      false,
      'a token webhook does not take signatures',
    );
  });

  test("hmac: GitHub's X-Hub-Signature-256 or X-Netreflex-Signature over the exact bytes", () => {
    const secret = 's3cret';
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    assert.equal(signWebhookBody(secret, body), `sha256=${hex}`);
    assert.deepEqual(checkWebhookCaller('hmac', secret, { 'x-hub-signature-256': `sha256=${hex}` }, body), { ok: true });
    assert.deepEqual(checkWebhookCaller('hmac', secret, { 'x-netreflex-signature': `sha256=${hex.toUpperCase()}` }, body), { ok: true });
    assert.deepEqual(checkWebhookCaller('hmac', secret, { 'x-netreflex-signature': hex }, body), { ok: true });
    const other = Buffer.from('{"alerts": []}');
    assert.equal(checkWebhookCaller('hmac', secret, { 'x-hub-signature-256': `sha256=${hex}` }, other).ok, false, 'one changed byte');
    assert.equal(checkWebhookCaller('hmac', 'other', { 'x-hub-signature-256': `sha256=${hex}` }, body).ok, false, 'another key');
    assert.equal(checkWebhookCaller('hmac', secret, { 'x-hub-signature-256': 'sha1=abc' }, body).ok, false);
    assert.equal(checkWebhookCaller('hmac', secret, { 'x-netreflex-token': secret }, body).ok, false, 'an hmac webhook does not take the token');
  });
});
