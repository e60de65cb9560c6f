import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Role } from '../../src/auth/roles.js';
import { harness, type Harness } from '../api/harness.js';

/**
 * Security issue #8: templates are code. Each test performs one attack through the API the
 * way it was reported (POST /api/v1/rules/test, mostly as an observer) and asserts the safe
 * outcome: refused with NRX_ERR_TEMPLATE, no code ran, no secret shown, and the API stayed
 * responsive.
 */

const work = mkdtempSync(path.join(tmpdir(), 'nrx-sandbox-'));
const MARKER = path.join(work, 'pwned');
/** JavaScript an escape would run: it leaves a file and a global flag behind. */
const PAYLOAD = `globalThis.__nrxPwned = true; process.getBuiltinModule('child_process').execSync('touch ${MARKER}'); return ['pw', 'ned'].join('-')`;
/** What a run of PAYLOAD or of `id` would put in an answer (neither appears in the template text itself). */
const RAN = /pw-ned|gid=\d/;
const P = JSON.stringify(PAYLOAD);
const SECRET = 'canary-Xq7-plaintext';

function noCodeRan(): void {
  assert.equal((globalThis as { __nrxPwned?: boolean }).__nrxPwned, undefined, 'template code ran in the appliance');
  assert.equal(existsSync(MARKER), false, 'template code ran a shell command');
}

interface TestOutcome {
  exitCode: number;
  parameters?: { message?: unknown };
  error?: { code: string; message: string };
  notes?: string[];
  failures?: unknown[];
  matched?: boolean;
}

function probeRule(message: string, criteria: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'probe', pack: 'demo', trigger: { type: 'core.event' }, criteria, action: { ref: 'core.echo', parameters: { message } } };
}

describe('template sandbox (security issue #8)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/keys/system/canary', headers: h.as('admin'), payload: { value: SECRET, encrypt: true } });
    assert.equal(put.statusCode, 200, put.body);
  });
  after(async () => {
    await h.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** POST /api/v1/rules/test with `template` as the action's message; the outcome and how long it took. */
  async function tryTemplate(
    template: string,
    opts: { role?: Role; payload?: Record<string, unknown>; criteria?: Record<string, unknown> } = {},
  ): Promise<{ r: TestOutcome; body: string; ms: number }> {
    const t0 = performance.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/rules/test',
      headers: h.as(opts.role ?? 'observer'),
      payload: { rule: probeRule(template, opts.criteria), event: { trigger: 'core.event', payload: opts.payload ?? { kind: 'probe', peer: '10.0.0.1' } } },
    });
    const ms = performance.now() - t0;
    assert.equal(res.statusCode, 200, res.body);
    return { r: res.json() as TestOutcome, body: res.body, ms };
  }

  /** The attack was refused as a template error (exit 2) whose message matches. */
  async function refused(template: string, message: RegExp, role: Role = 'observer'): Promise<TestOutcome> {
    const { r, body } = await tryTemplate(template, { role });
    assert.equal(r.exitCode, 2, `not refused: ${body}`);
    assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE', body);
    assert.match(r.error!.message, message);
    assert.doesNotMatch(body, RAN, 'command output in the answer');
    noCodeRan();
    return r;
  }

  test('observer cannot run a command through range.constructor in rules/test (the reported attack)', async () => {
    await refused(`{{ range.constructor("return process.getBuiltinModule('child_process').execSync('id').toString()")() }}`, /may not reach 'constructor'/);
    await refused(`{{ range.constructor(${P})() }}`, /may not reach 'constructor'/);
  });

  // Every known way from a template to Function: each must be refused and run nothing.
  const families: Array<[string, string, RegExp]> = [
    ['cycler.constructor', `{{ cycler.constructor(${P})() }}`, /may not reach 'constructor'/],
    ['joiner.constructor', `{{ joiner.constructor(${P})() }}`, /may not reach 'constructor'/],
    ['"".constructor.constructor', `{{ "".constructor.constructor(${P})() }}`, /may not reach 'constructor'/],
    ['[].constructor', `{{ [].constructor.constructor(${P})() }}`, /may not reach 'constructor'/],
    ["a dict literal's constructor", `{% set d = {} %}{{ d.constructor.constructor(${P})() }}`, /may not reach 'constructor'/],
    ['a dict literal with a __proto__ key', `{% set d = {"__proto__": range} %}{{ d.call(null, ${P}) }}`, /may not have the key '__proto__'/],
    ['x.__proto__', `{{ trigger.__proto__.constructor.constructor(${P})() }}`, /may not reach '__proto__'/],
    ["x['__proto__']", `{{ trigger['__proto__']['constructor']['constructor'](${P})() }}`, /may not reach '__proto__'/],
    ["x['con' ~ 'structor'] (a computed key)", `{{ range['con' ~ 'structor'](${P})() }}`, /may not reach 'constructor'/],
    ["x[['constructor']] (a list as key)", `{{ range[['constructor']](${P})() }}`, /may not reach 'constructor'/],
    ['lipsum', `{{ lipsum['con' ~ 'structor'](${P})() }}`, /Unable to call/],
    ['caller', `{% macro m() %}{{ caller['con' ~ 'structor'](${P})() }}{% endmacro %}{% call m() %}x{% endcall %}`, /may not reach 'constructor'/],
    ['caller.call', `{% macro m() %}{{ caller.call(null) }}{% endmacro %}{% call m() %}x{% endcall %}`, /may not look inside a function \(\.call\)/],
    ['self', `{{ self['con' ~ 'structor'](${P})() }}`, /Unable to call/],
    ['loop.constructor', `{% for i in [1] %}{{ loop['con' ~ 'structor']['con' ~ 'structor'](${P})() }}{% endfor %}`, /may not reach 'constructor'/],
    ['range.call', `{{ range.call['con' ~ 'structor'](${P})() }}`, /may not look inside a function \(\.call\)/],
    ['range.apply', `{{ range.apply(null, [5]) }}`, /may not look inside a function \(\.apply\)/],
    ['range.bind', `{{ range.bind(null)['con' ~ 'structor'](${P})() }}`, /may not look inside a function \(\.bind\)/],
    ['toString.constructor', `{{ toString['con' ~ 'structor'](${P})() }}`, /Unable to call/],
    ['"".toString.constructor', `{{ "".toString['con' ~ 'structor'](${P})() }}`, /may not use 'toString' of text/],
    ['valueOf', `{{ "x".valueOf['con' ~ 'structor'](${P})() }}`, /may not use 'valueOf' of text/],
    ['__defineGetter__ on the context', `{{ __defineGetter__("x", range) }}`, /may not reach '__defineGetter__'/],
    ['__lookupGetter__ on data', `{{ trigger['__lookup' ~ 'Getter__']('__proto__') }}`, /may not reach '__lookupGetter__'/],
    ['a filter reached as a value', `{{ upper['con' ~ 'structor'](${P})() }}`, /Unable to call/],
    ['a filter named constructor', `{{ ${P} | constructor }}`, /may not reach 'constructor'/],
    ['a filter block named constructor', `{% filter constructor %}x{% endfilter %}`, /may not reach 'constructor'/],
    ['a test named constructor', `{{ range is constructor }}`, /may not reach 'constructor'/],
    ['a test named hasOwnProperty', `{{ range is hasOwnProperty }}`, /test not found: hasOwnProperty/],
    ['a filter named valueOf', `{{ range | valueOf }}`, /filter not found: valueOf/],
    ['{% set f = range.constructor %}', `{% set f = range.constructor %}{{ f(${P})() }}`, /may not reach 'constructor'/],
    ['{% set f = range[computed] %}', `{% set f = range['con' ~ 'structor'] %}{{ f(${P})() }}`, /may not reach 'constructor'/],
    ['{% set constructor %}', `{% set constructor = 1 %}{{ constructor }}`, /may not reach 'constructor'/],
    ['a macro', `{% macro m() %}{% endmacro %}{{ m['con' ~ 'structor'](${P})() }}`, /may not reach 'constructor'/],
    ["a macro's members", `{% macro m() %}{% endmacro %}{{ m.apply(null, []) }}`, /may not look inside a function \(\.apply\)/],
    ['a string method handed a function', `{{ "a".replace("a", range) }}`, /takes values, not functions/],
    ['a list method that changes data', `{% set l = [1] %}{{ l.push(2) }}`, /may not use 'push' of a list/],
    ['require', `{{ require("child_process").execSync("id") }}`, /Unable to call `require`/],
    ['process.mainModule', `{{ process.mainModule.require("child_process").execSync("id") }}`, /Unable to call/],
  ];
  for (const [name, template, message] of families) {
    test(`observer cannot run code through ${name} in rules/test`, async () => {
      await refused(template, message);
    });
  }

  test('observer cannot load other templates: include, import, from-import and extends fail cleanly', async () => {
    await refused('{% include "/etc/passwd" %}', /may not load other templates \(\{% include %\}\)/);
    await refused('{% import "x.njk" as x %}{{ x }}', /\{% import %\}/);
    await refused('{% from "x.njk" import y %}{{ y }}', /\{% from \.\.\. import %\}/);
    await refused('{% extends "base.njk" %}', /\{% extends %\}/);
  });

  test('process, global, globalThis and require are undefined names in a template', async () => {
    const { r, body } = await tryTemplate('[{{ process }}|{{ global }}|{{ globalThis }}|{{ require }}|{{ process is defined }}|{{ hasOwnProperty }}]');
    assert.equal(r.exitCode, 0, body);
    assert.equal(r.parameters?.message, '[||||false|]');
  });

  test('observer cannot run code through random member chains of dangerous names (property-based)', async () => {
    const roots = [
      'range',
      'cycler',
      'joiner',
      'lipsum',
      'caller',
      'self',
      'loop',
      'trigger',
      'st2kv',
      '""',
      '[]',
      '{}',
      '(1)',
      'process',
      'toString',
      'cycler("a")',
      'joiner()',
      'st2kv.system',
    ];
    const names = [
      'constructor',
      '__proto__',
      'prototype',
      'call',
      'apply',
      'bind',
      'toString',
      'valueOf',
      '__defineGetter__',
      '__lookupGetter__',
      'caller',
      'arguments',
      'mainModule',
      'getBuiltinModule',
      'next',
      'split',
      'length',
    ];
    const spelled = fc.tuple(fc.constantFrom(...names), fc.constantFrom('dot', 'quoted', 'split')).map(([n, how]) => {
      if (how === 'dot') return `.${n}`;
      if (how === 'quoted') return `['${n}']`;
      const cut = Math.max(1, Math.floor(n.length / 2));
      return `['${n.slice(0, cut)}' ~ '${n.slice(cut)}']`;
    });
    const chain = fc.tuple(
      fc.constantFrom(...roots),
      fc.array(spelled, { minLength: 1, maxLength: 4 }),
      fc.constantFrom(`(${P})()`, `(${P})`, '', `.call(null, ${P})`),
    );
    await fc.assert(
      fc.asyncProperty(chain, async ([root, members, tail]) => {
        const template = `{{ ${root}${members.join('')}${tail} }}`;
        const { r, body } = await tryTemplate(template);
        noCodeRan();
        assert.doesNotMatch(body, RAN, template);
        // Whatever did render is inert data, never a function's source.
        if (r.exitCode === 0) assert.ok(!/native code|function\s*\(/.test(String(r.parameters?.message)), `${template} -> ${body}`);
        else assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE', `${template} -> ${body}`);
      }),
      { numRuns: 150 },
    );
  });

  test('admin cannot run code through a rule made with the API either: the enforcement fails, nothing runs', async () => {
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      headers: h.as('admin'),
      payload: {
        rule: {
          ...probeRule(`{{ range['con' ~ 'structor'](${P})() }}`, { 'trigger.kind': { type: 'equals', pattern: 'sandbox' } }),
          name: 'sandbox_probe',
          enabled: true,
        },
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    const sent = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: h.as('operator'),
      payload: { type: 'core.event', payload: { kind: 'sandbox' } },
    });
    assert.equal(sent.statusCode, 202, sent.body);
    const id = sent.json().id as string;
    let enforcements: Array<{ ruleRef: string; outcome: string; reason: string | null }> = [];
    for (let i = 0; i < 100 && !enforcements.some((e) => e.ruleRef === 'demo.sandbox_probe'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const ev = await h.app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: h.as('observer') });
      if (ev.statusCode === 200) enforcements = ev.json().enforcements;
    }
    const mine = enforcements.find((e) => e.ruleRef === 'demo.sandbox_probe');
    assert.ok(mine, 'the rule was not enforced');
    assert.equal(mine.outcome, 'failed');
    assert.match(mine.reason ?? '', /may not reach 'constructor'/);
    noCodeRan();
  });

  test('observer cannot read a decrypted secret through decrypt_kv in rules/test: it renders as ********', async () => {
    for (const role of ['observer', 'operator'] as const) {
      const { r, body } = await tryTemplate('key={{ st2kv.system.canary | decrypt_kv }}', { role });
      assert.equal(r.exitCode, 0, body);
      assert.equal(r.parameters?.message, 'key=********', `${role}: ${body}`);
      assert.ok(!body.includes(SECRET), `${role} saw the secret`);
      assert.ok(
        r.notes?.some((n) => /secrets show as \*{8}/.test(n)),
        body,
      );
    }
    // Expression-only, through a variable, and through a filter chain: still the mask.
    const { body } = await tryTemplate('{% set k = st2kv.system.canary %}{{ k | decrypt_kv | upper }}{{ (st2kv.system.canary | decrypt_kv)[0] }}');
    assert.ok(!body.includes(SECRET) && !body.includes(SECRET.toUpperCase()), body);
    const only = await tryTemplate('{{ st2kv.system.canary | decrypt_kv }}');
    assert.equal(only.r.parameters?.message, '********');
    // Nor its ciphertext (which would show the secret's length).
    const token = await tryTemplate('{{ st2kv.system.canary }}');
    assert.equal(token.r.parameters?.message, '********', token.body);
    const adminToken = await tryTemplate('{{ st2kv.system.canary }}', { role: 'admin' });
    assert.match(String(adminToken.r.parameters?.message), /^nrx:v1:/);
  });

  test('admin, who may read secrets anyway, sees the plaintext in rules/test', async () => {
    const { r, body } = await tryTemplate('key={{ st2kv.system.canary | decrypt_kv }}', { role: 'admin' });
    assert.equal(r.exitCode, 0, body);
    assert.equal(r.parameters?.message, `key=${SECRET}`);
  });

  test('observer cannot read or guess a secret through rule criteria in rules/test', async () => {
    const criteria = { 'trigger.guess': { type: 'equals', pattern: '{{ st2kv.system.canary | decrypt_kv }}' } };
    // A failed criterion echoes its rendered pattern: it must be the mask.
    const wrong = await tryTemplate('x', { criteria, payload: { guess: 'wrong' } });
    assert.equal(wrong.r.matched, false);
    assert.ok(!wrong.body.includes(SECRET), wrong.body);
    assert.match(JSON.stringify(wrong.r.failures), /\*{8}/);
    // A right guess must not match either, or the tester would be an oracle.
    const right = await tryTemplate('x', { criteria, payload: { guess: SECRET } });
    assert.equal(right.r.matched, false, right.body);
  });

  test('observer cannot kill the process with range(10**9): refused at once, before any list is made', async () => {
    const { r, ms } = await tryTemplate('{% for i in range(10**9) %}{{ i }}{% endfor %}');
    assert.equal(r.exitCode, 2);
    assert.match(r.error!.message, /range\(\) would make 1000000000 items; the limit is 10000/);
    assert.ok(ms < 250, `took ${ms} ms`);
  });

  test('observer cannot freeze the API with range(10**7): refused at once', async () => {
    const { r, ms } = await tryTemplate('{% for i in range(10**7) %}{{ i }}{% endfor %}');
    assert.match(r.error?.message ?? '', /range\(\) would make 10000000 items/);
    assert.ok(ms < 250, `took ${ms} ms`);
  });

  test('observer cannot loop without end through nested loops: the loop-iteration limit stops it before it runs', async () => {
    const { r, ms } = await tryTemplate(
      '{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}{% endfor %}{% endfor %}{% endfor %}',
    );
    assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE');
    assert.match(r.error!.message, /more than 100000 loop iterations|ran longer than \d+ ms/);
    assert.ok(ms < 500, `took ${ms} ms`);
  });

  test('observer cannot burn CPU inside the loop limits: the preview time limit stops it', async () => {
    // 1,000 upper-casings of a 1 MiB text: seconds of work, each step within every count.
    const { r, ms } = await tryTemplate(
      '{% set s = "xxxxxxxx" %}{% for i in range(17) %}{% set s = s ~ s %}{% endfor %}{% for i in range(1000) %}{{ (s | upper) | length }}{% endfor %}',
    );
    assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE');
    assert.match(r.error!.message, /ran longer than 50 ms|would be \d+ characters/);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('observer cannot call without end through recursive macros', async () => {
    const { r, ms } = await tryTemplate('{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}');
    assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE');
    assert.match(r.error!.message, /more than 100000 calls|ran longer than 50 ms/);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('observer cannot exhaust memory through output: the output limit stops the render', async () => {
    const big = await tryTemplate('{% set s = "xxxxxxxxxx" %}{% for i in range(17) %}{% set s = s ~ s %}{% endfor %}{{ s }}');
    assert.match(big.r.error?.message ?? '', /the rendered text would be 1310720 characters; the limit is 1048576/);
    const many = await tryTemplate(
      '{% set s = "xxxxxxxxxx" %}{% for i in range(14) %}{% set s = s ~ s %}{% endfor %}{% for i in range(1000) %}{{ s }}{% endfor %}',
    );
    assert.match(many.r.error?.message ?? '', /the limit is 1048576/);
    const doubling = await tryTemplate('{% set s = "x" %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}');
    assert.match(doubling.r.error?.message ?? '', /limit is 1048576/);
  });

  test('observer cannot blow a value up through amplifying filters and methods', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{{ "x" | center(10**9) }}', /center: width 1000000000 is above the limit/],
      ['{{ [1] | batch(10**9, "x") }}', /batch: count 1000000000 is above the limit/],
      ['{{ [1] | slice(10**9, "x") }}', /slice: count 1000000000 is above the limit/],
      ['{{ "a\nb\nc" | indent(10**8) }}', /indent: width 100000000 is above the limit/],
      [
        '{% set s = "xxxxxxxx" %}{% for i in range(7) %}{% set s = s ~ s %}{% endfor %}{{ (s | replace("", s)) | length }}',
        /may grow a value by 1048576 at most/,
      ],
      [
        '{% set s = "xxxxxxxx" %}{% for i in range(8) %}{% set s = s ~ s %}{% endfor %}{{ s.replaceAll("x", s) | length }}',
        /may grow a value by 1048576 at most/,
      ],
      ['{{ "x".padStart(10**9) }}', /may not use 'padStart' of text/],
      ['{{ "x".repeat(10**9) }}', /may not use 'repeat' of text/],
      ['{{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" | replace(r/^(a+)+$/, "") }}', /regular expression literals/],
    ];
    for (const [template, message] of cases) {
      const { r, ms, body } = await tryTemplate(template);
      assert.equal(r.error?.code, 'NRX_ERR_TEMPLATE', `${template}: ${body}`);
      assert.match(r.error!.message, message, template);
      assert.ok(ms < 500, `${template} took ${ms} ms`);
    }
  });

  test('legitimate templates still work in rules/test: data methods, filters, loops, macros, cycler, joiner', async () => {
    const { r, body } = await tryTemplate(
      '{% macro peer(p) %}<{{ p }}>{% endmacro %}{% set j = joiner(",") %}{% set c = cycler("a", "b") %}' +
        '{% for x in "r1,r2".split(",") %}{{ j() }}{{ x | upper }}{{ c.next() }}{% endfor %} ' +
        '{{ peer(trigger.peer) }} {{ trigger.peer.startsWith("10.") }} {{ [1, 2] | join("+") }} {{ range(3) | sum }} {{ (2.5).toFixed(1) }}',
    );
    assert.equal(r.exitCode, 0, body);
    assert.equal(r.parameters?.message, 'R1a,R2b <10.0.0.1> true 1+2 3 2.5');
  });

  test('the API answers health checks within 100 ms (p99) while the attacks run against a listening server', async () => {
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const attacks = [
      '{% for i in range(10**9) %}{{ i }}{% endfor %}',
      '{% for i in range(10**7) %}{{ i }}{% endfor %}',
      '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}',
      '{% set s = "xxxxxxxx" %}{% for i in range(17) %}{% set s = s ~ s %}{% endfor %}{% for i in range(1000) %}{{ (s | upper) | length }}{% endfor %}',
      '{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}',
    ];
    /** Health latency p99 from 4 clients asking back to back while `work` runs. */
    const healthP99 = async (work: () => Promise<void>): Promise<{ p99: number; n: number }> => {
      const latencies: number[] = [];
      let running = true;
      const sampler = async (): Promise<void> => {
        while (running) {
          const t0 = performance.now();
          await (await fetch(`${address}/api/v1/health`)).arrayBuffer();
          latencies.push(performance.now() - t0);
        }
      };
      const samplers = Array.from({ length: 4 }, sampler);
      await work();
      running = false;
      await Promise.all(samplers);
      latencies.sort((a, b) => a - b);
      return { p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!, n: latencies.length };
    };
    // A first fetch loads the HTTP client and opens connections: not the server's latency.
    for (let i = 0; i < 8; i++) await (await fetch(`${address}/api/v1/health`)).arrayBuffer();
    const idle = await healthP99(() => new Promise((r) => setTimeout(r, 1000)));
    const outcomes: TestOutcome[] = [];
    const attacked = await healthP99(async () => {
      // Each attack three times over, one after another, as a client would repeat it.
      for (const template of [...attacks, ...attacks, ...attacks]) {
        const res = await fetch(`${address}/api/v1/rules/test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...h.as('observer') },
          body: JSON.stringify({ rule: probeRule(template), event: { trigger: 'core.event', payload: { kind: 'x' } } }),
        });
        outcomes.push((await res.json()) as TestOutcome);
      }
    });
    for (const o of outcomes) assert.equal(o.error?.code, 'NRX_ERR_TEMPLATE', JSON.stringify(o));
    assert.ok(attacked.n >= 20, `only ${attacked.n} health samples`);
    // The bound is 100 ms on a quiet machine; other test files share these cores, so the
    // attacks may add less than 100 ms to the p99 this machine showed just before them. An attack
    // that stalled the API (an unbounded range, a render without a budget) still exceeds it.
    const bound = 100 + idle.p99;
    assert.ok(
      attacked.p99 < bound,
      `health p99 ${attacked.p99.toFixed(1)} ms over ${attacked.n} requests during the attacks (idle: ${idle.p99.toFixed(1)} ms, bound ${bound.toFixed(0)} ms)`,
    );
    noCodeRan();
  });
});
