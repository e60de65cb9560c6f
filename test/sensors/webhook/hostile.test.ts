import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/log.js';
import { signWebhookBody } from '../../../src/sensors/webhook/caller-auth.js';
import { WebhookCounters } from '../../../src/sensors/webhook/counters.js';
import { decodeWebhook, WEBHOOK_KINDS, type WebhookKind } from '../../../src/sensors/webhook/decode.js';
import { WebhookReceiver } from '../../../src/sensors/webhook/receiver.js';
import { fixture, flatForm, notification, osloEnvelope, registry } from './webhook-fixtures.js';

/**
 * Hostile bodies for every decoder: random bytes, random JSON, and real bodies with one value
 * swapped for garbage or cut short. A decoder either gives events or throws NRX_ERR_DECODE.
 */

const RUNS = 300;

const realBodies: Record<WebhookKind, unknown[]> = {
  generic: [fixture('netbox-site-created.json')],
  neutron: [
    notification('networks.json', 'network.create.end'),
    osloEnvelope(notification('ports.json', 'instance-create.port.create.end')),
    [flatForm(notification('subnets.json', 'subnet.delete.end')), notification('routers.json', 'router.update.end')],
  ],
  alertmanager: [fixture('prom2teams/with_common_items.json'), fixture('prom2teams/all_ok_multiple.json')],
};

/** Every (container, key) in a JSON value, so one can be replaced. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): typeof out {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      out.push([v, i]);
      slots(v[i], out);
    }
  } else if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots(child, out);
    }
  }
  return out;
}

function mutated(body: unknown, pick: number, garbage: unknown): unknown {
  const copy = structuredClone(body);
  const all = slots(copy);
  if (all.length === 0) return garbage;
  const [container, key] = all[pick % all.length]!;
  (container as Record<string | number, unknown>)[key] = garbage;
  return copy;
}

const jsonHeaders = { 'content-type': 'application/json' };

function decodesOrRefuses(kind: WebhookKind, raw: Buffer): void {
  try {
    const events = decodeWebhook('fuzz', kind, { method: 'POST', headers: jsonHeaders, query: {}, rawBody: raw });
    for (const e of events) {
      assert.equal(typeof e.type, 'string');
      assert.ok(e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload));
      JSON.stringify(e.payload); // storable
    }
  } catch (e) {
    if (!(e instanceof NrxError) || e.code !== 'NRX_ERR_DECODE') throw e;
    assert.ok(e.message.length > 0);
  }
}

describe('webhook decoders against hostile bodies', () => {
  for (const kind of WEBHOOK_KINDS) {
    test(`${kind}: random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses(kind, Buffer.from(bytes))),
        { numRuns: RUNS },
      );
    });

    test(`${kind}: random JSON`, () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => decodesOrRefuses(kind, Buffer.from(JSON.stringify(v)))),
        { numRuns: RUNS },
      );
    });

    test(`${kind}: real bodies with one value replaced or the bytes cut short`, () => {
      const bodies = realBodies[kind];
      fc.assert(
        fc.property(fc.nat(bodies.length - 1), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.nat(), (which, pick, garbage, cut) => {
          const m = mutated(bodies[which], pick, garbage);
          decodesOrRefuses(kind, Buffer.from(JSON.stringify(m)));
          const text = Buffer.from(JSON.stringify(bodies[which]));
          decodesOrRefuses(kind, text.subarray(0, cut % (text.length + 1)));
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('the receiver: every accepted event fits its trigger type; every body is counted once', async () => {
    const triggers = registry();
    const counters = new WebhookCounters();
    const emitted: string[] = [];
    const receiver = new WebhookReceiver({
      emit: async (e) => void emitted.push(e.type),
      validate: (t, p) => triggers.validate(t, p),
      counters,
      log: silentLogger,
    });
    const hooks = Object.fromEntries(WEBHOOK_KINDS.map((k) => [k, { name: k, kind: k, auth: 'hmac' as const, secret: 'k', createdAt: '', createdBy: null }]));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WEBHOOK_KINDS), fc.nat(), fc.nat(), fc.jsonValue({ maxDepth: 3 }), async (kind, which, pick, garbage) => {
        const bodies = realBodies[kind];
        const raw = Buffer.from(JSON.stringify(mutated(bodies[which % bodies.length], pick, garbage)));
        try {
          const events = await receiver.receive(hooks[kind]!, {
            method: 'POST',
            headers: { ...jsonHeaders, 'x-netreflex-signature': signWebhookBody('k', raw) },
            query: {},
            rawBody: raw,
          });
          for (const e of events) assert.equal(triggers.validate(e.type, e.payload), null);
        } catch (e) {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_DECODE', String(e));
        }
      }),
      { numRuns: RUNS },
    );
    for (const kind of WEBHOOK_KINDS) {
      const c = counters.of(kind).snapshot();
      assert.equal(c.received, c.decoded + c.malformed, `${kind}: ${JSON.stringify(c)}`);
      assert.equal(c.refused, 0);
      assert.equal(c.dropped, 0);
    }
    const all = WEBHOOK_KINDS.map((k) => counters.of(k).snapshot());
    assert.ok(all.some((c) => c.decoded > 0) && all.some((c) => c.malformed > 0), 'the mutations give both accepted and refused bodies');
    assert.equal(
      emitted.length,
      WEBHOOK_KINDS.reduce((n, k) => n + counters.of(k).normalised + counters.of(k).unknown, 0),
    );
  });
});
