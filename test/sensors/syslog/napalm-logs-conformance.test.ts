import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, test } from 'node:test';
import { registerBuiltins } from '../../../src/events/builtin-triggers.js';
import { TriggerRegistry } from '../../../src/events/trigger-registry.js';
import { decodeSyslog } from '../../../src/sensors/syslog/decode.js';
import { identifyDevice } from '../../../src/sensors/syslog/device.js';
import { normaliseSyslog } from '../../../src/sensors/syslog/normalise.js';

/**
 * napalm-logs (the reference for vendor syslog -> structured data) ships one test fixture per
 * platform, message type and case (tests/config/<os>/<TYPE>/<case>/syslog.msg). fixtures.json
 * holds every one of them for the platforms netreflex covers (eos, ios, iosxr, junos, nxos,
 * netiron, sonic; not huawei, fortinet, infinera), each with the trigger type it must become and
 * the fields that matter. Types with no netreflex trigger (alarms, NAT sessions, prefix limits...)
 * are expected as network.syslog. Goal: >= 95% of the mapped ones normalised.
 */
interface Fixture {
  os: string;
  tag: string;
  case: string;
  source: string;
  line: string;
  type: string;
  fields: Record<string, unknown>;
  note?: string;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/napalm-logs/fixtures.json', import.meta.url), 'utf8')) as Fixture[];
const mapped = fixtures.filter((f) => f.type !== 'network.syslog');
const unmapped = fixtures.filter((f) => f.type === 'network.syslog');
const registry = new TriggerRegistry();
registerBuiltins(registry);
const GOAL = 0.95;

function normalise(f: Fixture, platform: string | null) {
  const msg = decodeSyslog(f.line, { receivedAt: '2026-11-22T00:10:00Z', sourceAddress: '192.0.2.9' });
  return normaliseSyslog(msg, { device: identifyDevice(null, msg.hostname, msg.sourceAddress), platform });
}

/** Why a fixture missed, or null when its type and every expected field came out right. */
function miss(f: Fixture, platform: string | null): string | null {
  let ev;
  try {
    ev = normalise(f, platform);
  } catch (e) {
    return `decode error: ${(e as Error).message}`;
  }
  if (ev.type !== f.type) return `got ${ev.type}, expected ${f.type}`;
  for (const [k, v] of Object.entries(f.fields)) {
    if (!isDeepStrictEqual(ev.payload[k], v)) return `${k} = ${JSON.stringify(ev.payload[k])}, expected ${JSON.stringify(v)}`;
  }
  const err = registry.validate(ev.type, ev.payload);
  return err ? `payload breaks the ${ev.type} schema: ${err.message}` : null;
}

interface Score {
  hits: number;
  total: number;
  perOs: Map<string, { hits: number; total: number }>;
  misses: string[];
}

function score(platformOf: (f: Fixture) => string | null): Score {
  const s: Score = { hits: 0, total: 0, perOs: new Map(), misses: [] };
  for (const f of mapped) {
    const why = miss(f, platformOf(f));
    const os = s.perOs.get(f.os) ?? { hits: 0, total: 0 };
    os.total++;
    s.total++;
    if (why === null) {
      os.hits++;
      s.hits++;
    } else s.misses.push(`${f.os}/${f.tag}/${f.case}: ${why}`);
    s.perOs.set(f.os, os);
  }
  return s;
}

function report(label: string, s: Score): string {
  const per = [...s.perOs].map(([os, c]) => `${os} ${c.hits}/${c.total}`).join(', ');
  const pct = ((100 * s.hits) / s.total).toFixed(1);
  return [`${label}: ${s.hits}/${s.total} = ${pct}% (${per})`, ...(s.misses.length ? s.misses.map((m) => `  miss ${m}`) : ['  no misses'])].join('\n');
}

describe('napalm-logs conformance: its own fixtures for the message types that map to a trigger type', () => {
  test('the fixture file covers every platform the issue names, each entry with its source', () => {
    assert.deepEqual([...new Set(fixtures.map((f) => f.os))].sort(), ['eos', 'ios', 'iosxr', 'junos', 'netiron', 'nxos', 'sonic']);
    for (const f of fixtures) {
      assert.match(f.source, /^napalm-automation\/napalm-logs tests\/config\/\S+\/syslog\.msg$/, `${f.os}/${f.tag}/${f.case}`);
      assert.ok(f.line.startsWith('<'), `${f.source}: a syslog line with its PRI`);
    }
    assert.ok(mapped.length >= 80, `only ${mapped.length} mapped fixtures`);
  });

  test(`platform sniffed from the line (no inventory): >= ${GOAL * 100}% normalised`, (t) => {
    const s = score(() => null);
    const text = report('sniffed', s);
    t.diagnostic(text);
    console.log(text);
    assert.ok(s.hits / s.total >= GOAL, text);
  });

  test(`platform from the inventory, by napalm-logs' own OS names (aliases): >= ${GOAL * 100}% normalised`, (t) => {
    const s = score((f) => f.os);
    const text = report('inventory platform', s);
    t.diagnostic(text);
    console.log(text);
    assert.ok(s.hits / s.total >= GOAL, text);
  });

  test('message types with no trigger type stay network.syslog, with the raw line', () => {
    for (const f of unmapped) {
      for (const platform of [null, f.os]) {
        const ev = normalise(f, platform);
        assert.equal(ev.type, 'network.syslog', `${f.source} (platform ${platform})`);
        assert.equal(ev.payload.raw, f.line.replace(/[\r\n\0]+$/, ''));
        assert.equal(registry.validate(ev.type, ev.payload), null);
      }
    }
  });
});
