/**
 * Security issue #8, item 2 (everything but templates): what a user writes is bounded.
 * Each test performs the attack the report describes, through the API where the report
 * says it came through the API, and asserts the safe outcome, that the attack was
 * answered fast, and that health kept answering within 100 ms while it ran.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { compileSafeRegex, REGEX_LIMITS } from '../../src/core/safe-regex.js';
import { renderString } from '../../src/core/template.js';
import { parseYaml } from '../../src/core/yaml.js';
import { compileGlob } from '../../src/criteria/glob.js';
import { loadPacks } from '../../src/packs/pack-loader.js';
import { parseOrquesta } from '../../src/workflows/orquesta/spec.js';
import { harness, type Harness } from '../api/harness.js';

const HEALTH_BUDGET_MS = 100;
const PROBE_EVERY_MS = 5;

interface HealthSample {
  p99Ms: number;
  probes: number;
}

/**
 * Ask for health every few ms until `until` settles. A request's latency counts from when
 * the client meant to send it, so time the event loop spent blocked (which also delays the
 * client's timer here) is counted, as a real client would see it.
 */
async function probeHealth(h: Harness, until: Promise<unknown>): Promise<HealthSample> {
  const latencies: number[] = [];
  let done = false;
  void until.finally(() => (done = true)).catch(() => {});
  let due = performance.now();
  while (!done) {
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/health' });
    latencies.push(performance.now() - due);
    assert.equal(r.statusCode, 200);
    due = performance.now() + PROBE_EVERY_MS;
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  const sorted = latencies.sort((a, b) => a - b);
  return { p99Ms: sorted[Math.ceil(sorted.length * 0.99) - 1] ?? 0, probes: sorted.length };
}

/**
 * Run `attack` while health is probed, after probing a quiet moment as a control: tests
 * share the machine's cores with other test files, whose load delays any answer a little;
 * the attack must not add more than the budget on top of that.
 */
async function underAttack<T>(h: Harness, attack: () => Promise<T>): Promise<{ result: T; ms: number; health: HealthSample; quiet: HealthSample }> {
  const quiet = await probeHealth(h, new Promise((resolve) => setTimeout(resolve, 300)));
  let ended!: () => void;
  const probing = probeHealth(h, new Promise<void>((resolve) => (ended = resolve)));
  const t0 = performance.now();
  try {
    const result = await attack();
    const ms = performance.now() - t0;
    ended();
    return { result, ms, health: await probing, quiet };
  } finally {
    ended();
  }
}

function assertHealthy(r: { health: HealthSample; quiet: HealthSample }): void {
  assert.ok(r.health.probes >= 1, 'health was probed during the attack');
  const allowed = HEALTH_BUDGET_MS + r.quiet.p99Ms;
  assert.ok(
    r.health.p99Ms < allowed,
    `health p99 was ${r.health.p99Ms.toFixed(1)} ms over ${r.health.probes} requests during the attack (quiet: ${r.quiet.p99Ms.toFixed(1)} ms)`,
  );
}

const scratch: string[] = [];
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('security: bounded regexes, YAML aliases and workflow validation', () => {
  let h: Harness;
  let packsDir: string;
  before(async () => {
    packsDir = mkdtempSync(path.join(tmpdir(), 'nrx-limits-packs-'));
    scratch.push(packsDir);
    // an installed pack becomes runnable: its actions join the appliance's action map
    h = await harness({
      packsDir,
      reloadContent: async () => {
        for (const [ref, a] of loadPacks([packsDir]).actions) h.appliance.content.loaded.actions.set(ref, a);
      },
    });
  });
  after(async () => h.close());

  const ruleTester = (rule: string, event: object) =>
    h.app.inject({ method: 'POST', url: '/api/v1/rules/test', headers: h.as('observer'), payload: { rule, event } });

  test("regex criterion ^(a+)+$ on 34 a's answers in linear time", async () => {
    const rule = `name: redos\npack: demo\ntrigger: {type: core.event}\ncriteria:\n  trigger.text: {type: regex, pattern: '^(a+)+$'}\naction: {ref: core.noop}\n`;
    await ruleTester(rule.replace('^(a+)+$', '^a'), { trigger: 'core.event', payload: { text: 'a' } }); // a first request pays for warming up
    const r = await underAttack(h, () => ruleTester(rule, { trigger: 'core.event', payload: { text: `${'a'.repeat(34)}!` } }));
    assert.equal(r.result.statusCode, 200, r.result.body);
    assert.deepEqual([r.result.json().exitCode, r.result.json().matched], [1, false]);
    assert.ok(r.ms < 2000, `the rule tester took ${r.ms.toFixed(0)} ms`);
    assertHealthy(r);
    // and the same pattern still matches what it should
    const yes = await ruleTester(rule, { trigger: 'core.event', payload: { text: 'a'.repeat(34) } });
    assert.equal(yes.json().exitCode, 0);
  });

  test('regex time grows linearly with the value, not exponentially', () => {
    const re = compileSafeRegex('^(a+)+$');
    const time = (n: number): number => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) re.test(`${'a'.repeat(n)}!`);
      return performance.now() - t0;
    };
    time(1000); // warm up
    const small = time(2000);
    const large = time(16_000);
    // 8x the input: linear is ~8x; backtracking would never finish
    assert.ok(large < Math.max(small, 1) * 40, `2,000 chars: ${small.toFixed(1)} ms, 16,000 chars: ${large.toFixed(1)} ms`);
  });

  test('a regex RE2 cannot run in linear time is refused when the rule is made, naming file, field and construct', async () => {
    const rule = `name: backref\npack: demo\ntrigger: {type: core.event}\ncriteria:\n  trigger.text:\n    type: regex\n    pattern: '(?P<w>\\w+) (?P=w)'\naction: {ref: core.noop}\n`;
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/rules', headers: h.as('admin'), payload: { rule } });
    assert.equal(r.statusCode, 400, r.body);
    const body = r.json();
    assert.deepEqual([body.code, body.file, body.line, body.field], ['NRX_ERR_RULE_INVALID', 'api:rules/backref', 7, 'criteria.trigger.text.pattern']);
    assert.match(body.message, /backreference \(\?P=name\) is not supported/);
    const look = await ruleTester(rule.replace("'(?P<w>\\w+) (?P=w)'", "'Down(?! admin)'"), { trigger: 'core.event', payload: { text: 'x' } });
    assert.equal(look.json().exitCode, 2);
    assert.match(look.json().error.message, /negative lookahead/);
  });

  test('a regex over its work budget does not match and says why, instead of running long', async () => {
    const rule = `name: costly\npack: demo\ntrigger: {type: core.event}\ncriteria:\n  trigger.text: {type: regex, pattern: '[ab]*a[ab]{200}x'}\naction: {ref: core.noop}\n`;
    const text = 'ab'.repeat(200_000);
    const r = await underAttack(h, () => ruleTester(rule, { trigger: 'core.event', payload: { text } }));
    assert.equal(r.result.json().exitCode, 1);
    assert.match(JSON.stringify(r.result.json().failures), /too costly for a value of 400000 characters/);
    assertHealthy(r);
    assert.throws(
      () => compileSafeRegex('[ab]{999}'.repeat(6)),
      (e: unknown) => e instanceof NrxError && /too large: \d+ RE2 instructions \(at most 5000\)/.test(e.message) && REGEX_LIMITS.programSize === 5000,
    );
  });

  test('template regex filters run on the same engine: a backtracking pattern answers at once', () => {
    const t0 = performance.now();
    assert.equal(renderString("{{ text | regex_search('^(a+)+$') }}", { text: `${'a'.repeat(40)}!` }), false);
    assert.equal(renderString("{{ text | regex_replace('(a+)+b', 'x') }}", { text: `${'a'.repeat(40)}!` }), `${'a'.repeat(40)}!`);
    assert.ok(performance.now() - t0 < 200);
    assert.equal(renderString("{{ 'Gi0/1' | regex_match('Gi\\\\d') }}", {}), true);
    assert.equal(renderString("{{ 'a1b22' | regex_replace('(\\\\d+)', '[$1]') }}", {}), 'a[1]b[22]');
    assert.throws(
      () => renderString("{{ 'x' | regex_search('(?=x)') }}", {}),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_TEMPLATE' && /lookahead/.test(e.message),
    );
  });

  test('a wildcard with many stars matches without backtracking', () => {
    const g = compileGlob(`${'*a'.repeat(12)}*b`);
    const t0 = performance.now();
    assert.equal(g.test('a'.repeat(5_000)), false);
    assert.ok(performance.now() - t0 < 200, `took ${performance.now() - t0} ms`);
    assert.equal(g.test(`${'a'.repeat(20)}b`), true);
  });

  const bomb = (): string => {
    const names = 'abcdefghi';
    const levels = [`${names[0]}: &${names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
    for (let i = 1; i < names.length; i++)
      levels.push(
        `${names[i]}: &${names[i]} [${Array(10)
          .fill(`*${names[i - 1]}`)
          .join(', ')}]`,
      );
    return `name: bomb\npack: demo\ntrigger: {type: core.event}\naction:\n  ref: core.echo\n  parameters:\n    ${levels.join('\n    ')}\n    message: "{{ trigger.x }}"\n`;
  };

  test('YAML alias bomb in rule parameters is refused with file and line', async () => {
    const r = await underAttack(h, () => h.app.inject({ method: 'POST', url: '/api/v1/rules', headers: h.as('admin'), payload: { rule: bomb() } }));
    assert.equal(r.result.statusCode, 400, r.result.body);
    const body = r.result.json();
    assert.equal(body.code, 'NRX_ERR_YAML_SYNTAX');
    assert.equal(body.file, 'api:rules/new');
    assert.ok(Number.isInteger(body.line) && body.line >= 8 && body.line <= 16, `line ${body.line}`);
    assert.match(body.message, /YAML aliases expand the document by more than 1,000,000 characters/);
    assert.ok(r.ms < 2000, `answered in ${r.ms.toFixed(0)} ms`);
    assertHealthy(r);
    assert.equal(h.appliance.rules.get('demo.bomb'), undefined);
    // the observer's rule tester refuses it the same way
    const tester = await ruleTester(bomb(), { trigger: 'core.event', payload: { x: 1 } });
    assert.deepEqual([tester.json().exitCode, tester.json().error.code], [2, 'NRX_ERR_YAML_SYNTAX']);
  });

  test('YAML aliases: a self-referencing alias and too many aliases are refused; merge keys still work', () => {
    const refuse = (text: string, pattern: RegExp, line: number) =>
      assert.throws(
        () => parseYaml(text, 'inventory.yaml'),
        (e: unknown) =>
          e instanceof NrxError &&
          e.code === 'NRX_ERR_YAML_SYNTAX' &&
          pattern.test(e.message) &&
          e.location.file === 'inventory.yaml' &&
          e.location.line === line,
      );
    refuse('ok: 1\nloop: &l [*l]\n', /refers to a node that contains it/, 2);
    refuse(`s: &s x\nl:\n${'  - *s\n'.repeat(1001)}`, /more than 1000/, 1003);
    const hosts = Array.from({ length: 500 }, (_, i) => `  h${i}:\n    <<: *defaults\n    hostname: 10.0.${i >> 8}.${i & 255}\n`).join('');
    const doc = parseYaml(`defaults: &defaults {platform: frr, port: 22}\nhosts:\n${hosts}`, 'inventory.yaml').doc as {
      hosts: Record<string, { platform: string }>;
    };
    assert.equal(doc.hosts.h499!.platform, 'frr');
  });

  /** version 1.0 orquesta: start -> t0 -> t1 -> ... -> t{n-1} -> t0, entered only when ctx(go). */
  const cycle = (n: number): string => {
    let y = 'version: 1.0\ninput:\n  - go: false\ntasks:\n  start:\n    action: core.noop\n    next:\n      - when: <% ctx(go) %>\n        do: t0\n';
    for (let i = 0; i < n; i++) y += `  t${i}:\n    action: core.noop\n    next:\n      - when: <% succeeded() %>\n        do: t${(i + 1) % n}\n`;
    return y;
  };

  test('a 10,000-task workflow cycle validates in under a second', () => {
    // CPU time of this process, not wall time: other test files share the machine's cores
    const cpuMs = (fn: () => void): number => {
      const t0 = process.cpuUsage();
      fn();
      const d = process.cpuUsage(t0);
      return (d.user + d.system) / 1000;
    };
    const small = cycle(1_000);
    const large = cycle(10_000);
    const smallMs = cpuMs(() => parseOrquesta(parseYaml(small, 'cycle.yaml')));
    let spec: ReturnType<typeof parseOrquesta> | undefined;
    const largeMs = cpuMs(() => (spec = parseOrquesta(parseYaml(large, 'cycle.yaml'))));
    assert.deepEqual(spec!.startTasks, ['start']);
    assert.deepEqual(spec!.inbound.t0, ['start', 't9999']);
    assert.equal(spec!.tasks.t9999!.line, 10 + 5 * 9999);
    assert.ok(largeMs < 1000, `validating 10,000 tasks took ${largeMs.toFixed(0)} ms of CPU`);
    // linear: 10x the tasks costs about 10x, far from the 100x of a quadratic walk
    assert.ok(largeMs < Math.max(smallMs, 20) * 30, `1,000 tasks: ${smallMs.toFixed(0)} ms, 10,000 tasks: ${largeMs.toFixed(0)} ms`);
  });

  test('starting a workflow with a 10,000-task cycle through the API keeps the API answering', async () => {
    const pack = mkdtempSync(path.join(tmpdir(), 'nrx-limits-src-'));
    scratch.push(pack);
    mkdirSync(path.join(pack, 'actions', 'workflows'), { recursive: true });
    writeFileSync(path.join(pack, 'pack.yaml'), 'ref: bigloop\nname: bigloop\nversion: 0.0.1\n');
    writeFileSync(
      path.join(pack, 'actions', 'cycle.yaml'),
      'name: cycle\nrunner_type: orquesta\nentry_point: workflows/cycle.yaml\nparameters:\n  go: {type: boolean, default: false}\n',
    );
    writeFileSync(path.join(pack, 'actions', 'workflows', 'cycle.yaml'), cycle(10_000));
    const installed = await h.app.inject({ method: 'POST', url: '/api/v1/packs/install', headers: h.as('admin'), payload: { source: pack } });
    assert.equal(installed.statusCode, 201, installed.body);

    const r = await underAttack(h, async () => {
      const started = await h.app.inject({ method: 'POST', url: '/api/v1/executions', headers: h.as('operator'), payload: { action: 'bigloop.cycle' } });
      assert.equal(started.statusCode, 201, started.body);
      return h.appliance.engine.wait(started.json().id as string);
    });
    assert.equal(r.result.status, 'succeeded', JSON.stringify(r.result.error));
    assert.ok(r.ms < 30_000, `the workflow took ${r.ms.toFixed(0)} ms`);
    assertHealthy(r);
  });
});
