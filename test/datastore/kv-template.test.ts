import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { renderCondition, renderString, renderValue } from '../../src/core/template.js';
import { withDatastore } from './helpers.js';

describe('st2kv in templates', () => {
  test('system keys render, plain and dotted, in text and as expression-only values', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'domain', 'lab.example.net');
      await kv.set('system', 'dc1.ntp', '10.1.0.1');
      await kv.set('system', 'dc1.site.rack', 'r12');
      const ctx = { st2kv: kv.templateContext() };
      assert.equal(renderString('{{ st2kv.system.domain }}', ctx), 'lab.example.net');
      assert.equal(renderString('ntp server {{ st2kv.system.dc1.ntp }} prefer', ctx), 'ntp server 10.1.0.1 prefer');
      assert.equal(renderString('{{ st2kv.system.dc1.site.rack }}', ctx), 'r12');
      assert.equal(renderString("{{ st2kv.system['dc1.ntp'] }}", ctx), '10.1.0.1');
      // Expression-only templates return the plain string, not the lookup object.
      const v = renderValue({ server: '{{ st2kv.system.dc1.ntp }}' }, ctx) as { server: unknown };
      assert.equal(typeof v.server, 'string');
      assert.equal(v.server, '10.1.0.1');
      assert.equal(JSON.stringify(v), '{"server":"10.1.0.1"}');
    });
  });

  test('a value read after a change shows the new value (keys are read when used)', async () => {
    await withDatastore(async ({ kv }) => {
      const ctx = { st2kv: kv.templateContext() };
      assert.equal(renderString('{{ st2kv.system.hold }}', ctx), null);
      await kv.set('system', 'hold', '30s');
      assert.equal(renderString('{{ st2kv.system.hold }}', ctx), '30s');
    });
  });

  test('a missing key is null as an expression and empty in text; conditions see the plain value', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'maintenance', 'yes');
      const ctx = { st2kv: kv.templateContext() };
      assert.equal(renderString('{{ st2kv.system.nope }}', ctx), null);
      assert.equal(renderString('[{{ st2kv.system.nope.deeper }}]', ctx), '[]');
      assert.equal(renderCondition('{{ st2kv.system.nope }}', ctx), false);
      assert.equal(renderCondition('{{ st2kv.system.maintenance }}', ctx), true);
      assert.equal(renderCondition("{{ st2kv.system.maintenance == 'yes' }}", ctx), true);
      assert.equal(renderString("{% if st2kv.system.maintenance == 'yes' %}skip{% else %}run{% endif %}", ctx), 'skip');
    });
  });

  test('filters receive the plain value', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'hostname', 'leaf01');
      const ctx = { st2kv: kv.templateContext() };
      assert.equal(renderString('{{ st2kv.system.hostname | upper }}', ctx), 'LEAF01');
      assert.equal(renderString('{{ st2kv.system.hostname | length }}', ctx), 6);
      assert.deepEqual(renderValue({ cmd: 'ping -c1 {{ st2kv.system.hostname }}' }, ctx), { cmd: `NRX_V1='leaf01'\nping -c1 "\${NRX_V1}"` });
    });
  });

  test('user and pack scopes follow the user and pack given', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('user:alice', 'favourite', 'spine01');
      await kv.set('user:bob', 'favourite', 'spine02');
      await kv.set('pack:network', 'timeout', '30');
      assert.equal(renderString('{{ st2kv.user.favourite }}', { st2kv: kv.templateContext({ user: 'alice' }) }), 'spine01');
      assert.equal(renderString('{{ st2kv.user.favourite }}', { st2kv: kv.templateContext({ user: 'bob' }) }), 'spine02');
      assert.equal(renderString('{{ st2kv.pack.timeout }}', { st2kv: kv.templateContext({ pack: 'network' }) }), '30');
      assert.throws(
        () => renderString('{{ st2kv.user.favourite }}', { st2kv: kv.templateContext() }),
        (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_TEMPLATE' && /st2kv\.user\.favourite is not available/.test(e.message),
      );
    });
  });

  test('a secret renders as its ciphertext token; | decrypt_kv gives the plaintext', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'tacacs_key', 'Tac4cs!', { encrypt: true });
      await kv.set('user:alice', 'enable', 'En4ble', { encrypt: true });
      const ctx = { st2kv: kv.templateContext({ user: 'alice' }) };
      const token = renderString('{{ st2kv.system.tacacs_key }}', ctx) as string;
      assert.match(token, /^nrx:v1:[0-9a-f]{8}:/);
      assert.ok(!renderString('key {{ st2kv.system.tacacs_key }}', ctx)!.toString().includes('Tac4cs!'));
      assert.equal(renderString('{{ st2kv.system.tacacs_key | decrypt_kv }}', ctx), 'Tac4cs!');
      assert.equal(renderString('tacacs-server key {{ st2kv.system.tacacs_key | decrypt_kv }}', ctx), 'tacacs-server key Tac4cs!');
      assert.equal(renderString('{{ st2kv.user.enable | decrypt_kv }}', ctx), 'En4ble');
      // A token carried through a workflow variable still decrypts later (the context's st2kv decrypts).
      assert.equal(renderString('{{ pw | decrypt_kv }}', { ...ctx, pw: token }), 'Tac4cs!');
      assert.equal(renderString('{{ st2kv.system.missing | decrypt_kv }}', ctx), null);
      assert.equal(renderString("{{ 'plain' | decrypt_kv }}", ctx), 'plain');
    });
  });

  test('st2kv is explicit: a template without it reads no datastore and cannot decrypt', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'domain', 'lab.example.net');
      await kv.set('system', 'pw', 'Sup3rS3cret', { encrypt: true });
      const token = renderString('{{ st2kv.system.pw }}', { st2kv: kv.templateContext() }) as string;
      // A datastore opened in this process lends nothing to templates that were not given it.
      assert.equal(renderString('[{{ st2kv.system.domain }}]', {}), '[]');
      assert.throws(
        () => renderString('{{ pw | decrypt_kv }}', { pw: token }),
        (e: unknown) =>
          e instanceof NrxError && e.code === 'NRX_ERR_TEMPLATE' && /decrypt_kv needs the datastore/.test(e.message) && !e.message.includes('Sup3rS3cret'),
      );
    });
  });

  test('two datastores in one process: each st2kv reads and decrypts with its own', async () => {
    await withDatastore(async (one) => {
      await withDatastore(async (two) => {
        await one.kv.set('system', 'site', 'dc1');
        await two.kv.set('system', 'site', 'dc2');
        await one.kv.set('system', 'pw', 'first-secret', { encrypt: true });
        await two.kv.set('system', 'pw', 'second-secret', { encrypt: true });
        assert.equal(renderString('{{ st2kv.system.site }} {{ st2kv.system.pw | decrypt_kv }}', { st2kv: one.kv.templateContext() }), 'dc1 first-secret');
        assert.equal(renderString('{{ st2kv.system.site }} {{ st2kv.system.pw | decrypt_kv }}', { st2kv: two.kv.templateContext() }), 'dc2 second-secret');
        // A token of one datastore is not opened by the other's key.
        const foreign = renderString('{{ st2kv.system.pw }}', { st2kv: one.kv.templateContext() });
        assert.throws(
          () => renderString('{{ pw | decrypt_kv }}', { st2kv: two.kv.templateContext(), pw: foreign }),
          (e: unknown) => e instanceof NrxError && !e.message.includes('first-secret'),
        );
      });
    });
  });

  test('reads can go through the caller (a workflow records them)', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'site', 'dc1');
      const seen: string[] = [];
      const st2kv = kv.templateContext({ through: (scope, key, read) => (seen.push(`${scope}/${key}`), key === 'site' ? 'recorded' : read()) });
      assert.equal(renderString('{{ st2kv.system.site }}', { st2kv }), 'recorded');
      assert.equal(renderString('{{ st2kv.system.other }}', { st2kv }), null);
      assert.deepEqual(seen, ['system/site', 'system/other']);
    });
  });

  test('serialising a context with st2kv never exposes a plaintext secret', async () => {
    await withDatastore(async ({ kv }) => {
      await kv.set('system', 'pw', 'Sup3rS3cret', { encrypt: true });
      const st2kv = kv.templateContext();
      const text = JSON.stringify({ st2kv, pw: (st2kv.system as Record<string, unknown>).pw });
      assert.ok(!text.includes('Sup3rS3cret'));
      assert.match(text, /nrx:v1:/);
    });
  });
});
