import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isNrxError, NrxError } from '../../../src/core/errors.js';
import { maskSecretText } from '../../../src/core/secret-values.js';
import { withPreview } from '../../../src/core/template-budget.js';
import { parseYaml } from '../../../src/core/yaml.js';
import { SecretCipher } from '../../../src/datastore/cipher.js';
import { kvTemplateRoot } from '../../../src/datastore/kv-template.js';
import { orquestaConductor } from '../../../src/workflows/orquesta/conductor.js';
import { parseOrquesta } from '../../../src/workflows/orquesta/spec.js';
import { bad, ok, Rehearsal, type RunTaskCmd } from './rehearsal.js';

/** Orquesta's expressions inside workflows: YAQL in <% %>, Jinja in {{ }}, the context functions in both. */

const inputOf = (r: Rehearsal, key: string): Record<string, unknown> =>
  r.commands.find((c): c is RunTaskCmd => c.kind === 'runTask' && c.taskKey === key)!.input;

describe('YAQL in workflows', () => {
  test('publish, when and output read YAQL: $ is the context, method chains, task(name).result, json(), dict literals', () => {
    const r = new Rehearsal(`version: 1.0
input: [device]
vars:
  - min_mtu: 1500
tasks:
  read:
    action: network.get_interfaces device=<% $.device %>
    next:
      - when: <% succeeded() and len(result().interfaces.where($.mtu > ctx(min_mtu))) > 0 %>
        publish:
          - jumbo: <% result().interfaces.where($.mtu > ctx(min_mtu)).select($.name) %>
          - names: <% result().interfaces.name.join(',').toUpper() %>
          - parsed: '<% json(''{"a": [1, 2]}'').a %>'
          - first: <% task(read).result.interfaces[0].name %>
          - status: <% task_status(read) %>
          - unset: <% task_status(done) %>
          - missing: <% result().not_there %>
          - summary: <% {device => $.device, count => result().interfaces.len()} %>
        do: done
  done:
    action: core.noop
output:
  - jumbo: <% ctx(jumbo) %>
  - names: <% ctx(names) %>
  - parsed: <% ctx(parsed) %>
  - first: <% ctx(first) %>
  - status: <% ctx(status) %>
  - unset: <% ctx(unset) %>
  - missing: <% ctx(missing) %>
  - summary: <% ctx(summary) %>
`);
    r.start({ device: 'leaf1' });
    r.play({
      read: [
        ok({
          interfaces: [
            { name: 'eth0', mtu: 1500 },
            { name: 'eth1', mtu: 9000 },
          ],
        }),
      ],
    });
    assert.deepEqual(inputOf(r, 'read'), { device: 'leaf1' });
    assert.deepEqual(r.completed?.errors, []);
    assert.deepEqual(r.completed?.output, {
      jumbo: ['eth1'],
      names: 'ETH0,ETH1',
      parsed: [1, 2],
      first: 'eth0',
      status: 'succeeded',
      // a task that has not run has orquesta's UNSET status, the text 'null'
      unset: 'null',
      // YAQL reads a missing key of a dict as null (orquesta's YAQL does the same)
      missing: null,
      summary: { device: 'leaf1', count: 2 },
    });
  });

  test('an expression inside longer text is written as orquesta writes it: True/None for scalars, JSON for lists and dicts', () => {
    const r = new Rehearsal(`version: 1.0
input: [up, none, info, tags]
tasks:
  tell:
    action: chatops.post message="up=<% ctx(up) %> none=<% ctx(none) %> info=<% ctx(info) %> tags=<% ctx(tags) %> n=<% 1 + 1 %>"
`);
    r.start({ up: true, none: null, info: { a: 1 }, tags: ['x', 'y'] });
    assert.deepEqual(inputOf(r, 'tell'), { message: 'up=True none=None info={"a":1} tags=["x","y"] n=2' });
  });

  test('with-items: the tuple form over zip() names each part; zip pads the shorter list with null (zip_longest), or with pad', () => {
    const r = new Rehearsal(`version: 1.0
input: [hosts, commands]
tasks:
  run:
    with:
      items: host, cmd in <% zip(ctx(hosts), ctx(commands)) %>
    action: network.cli device=<% item(host) %> command=<% item(cmd) %>
  padded:
    with: h, c in <% zip($.hosts, $.commands, pad => 'show version') %>
    action: network.cli device=<% item(h) %> command=<% item(c) %>
`);
    r.start({ hosts: ['r1', 'r2'], commands: ['show ip route'] });
    assert.deepEqual(
      r.pending.filter((p) => p.taskName === 'run').map((p) => (p as RunTaskCmd).input),
      [
        { device: 'r1', command: 'show ip route' },
        { device: 'r2', command: null },
      ],
    );
    assert.deepEqual(
      r.pending.filter((p) => p.taskName === 'padded').map((p) => (p as RunTaskCmd).input),
      [
        { device: 'r1', command: 'show ip route' },
        { device: 'r2', command: 'show version' },
      ],
    );
  });

  test('when: follows Python truthiness of the value (an empty list or dict is false)', () => {
    const r = new Rehearsal(`version: 1.0
input: [found, none]
tasks:
  a:
    action: x.y
    next:
      - when: <% ctx(none) %>
        do: b
      - when: <% result() %>
        do: c
      - when: <% ctx(found).where($ > 1) %>
        do: d
  b:
    action: x.y
  c:
    action: x.y
  d:
    action: x.y
`);
    r.start({ found: [1, 2], none: {} });
    r.play({ a: [ok({})] });
    assert.deepEqual(r.runKeys(), ['a', 'd']);
  });

  test('retry when, delay and with-items concurrency may be YAQL', () => {
    const r = new Rehearsal(`version: 1.0
input: [devices]
tasks:
  push:
    with: { items: <% $.devices %>, concurrency: <% 1 + 1 %> }
    action: network.push device=<% item() %>
    retry: { count: 1, when: <% failed() and result().transient = true %> }
`);
    r.start({ devices: ['a', 'b', 'c'] });
    assert.equal(r.maxInFlight.push, 2);
    r.play({ push: [ok()] });
    assert.equal(r.completed?.status, 'succeeded');
  });

  test('a name that does not exist fails the task naming the expression and the name, never null', () => {
    const cases: Array<[string, RegExp]> = [
      // the expression is quoted once: the value is the expression alone
      ['<% ctx(nope) %>', /cannot render "<% ctx\(nope\) %>": variable 'nope' is not defined in the workflow context/],
      ['<% task(never_ran).result %>', /cannot render "<% task\(never_ran\)\.result %>": task\(never_ran\): no task named 'never_ran' has run yet/],
      ['<% item(x) %>', /item\(\) is only available in the input of a with-items task/],
      ['"{{ ctx().nope }}"', /'nope' is undefined/],
      ['"{{ ctx(\'nope\') }}"', /variable 'nope' is not defined/],
      // in a shell command (or a URL) the message quotes the value as written, not its rewritten form
      ['"ls <% ctx(nope) %>"', /cannot render "ls <% ctx\(nope\) %>": expression <% ctx\(nope\) %>: variable 'nope'/],
    ];
    for (const [expr, why] of cases) {
      const r = new Rehearsal(`version: 1.0
tasks:
  a:
    action: x.y
    input:
      ${expr.startsWith('"ls') ? 'cmd' : 'value'}: ${expr}
`);
      r.start();
      assert.equal(r.completed?.status, 'failed', expr);
      const e = r.completed!.errors[0]!;
      assert.equal(e.code, 'NRX_ERR_WORKFLOW');
      assert.match(e.message, /^task 'a': /);
      assert.match(e.message, why, expr);
      // no JavaScript error text
      assert.doesNotMatch(e.message, /TypeError|ReferenceError|undefined is not|Cannot read prop|\[object Object\]/);
    }
  });

  test('Jinja in an Orquesta workflow: result().missing is an error (StrictUndefined), an object in text is JSON', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a:
    action: x.y
    next:
      - when: "{{ succeeded() }}"
        publish:
          - text: "got {{ result() }} and {{ [result()] }}"
          - gone: "{{ result().missing }}"
`);
    r.start();
    r.play({ a: [ok({ k: 'v' })] });
    assert.equal(r.completed?.status, 'failed');
    assert.equal(r.state.ctx.text, 'got {"k":"v"} and [{"k":"v"}]');
    assert.match(r.completed!.errors[0]!.message, /cannot render "\{\{ result\(\)\.missing \}\}": 'missing' is undefined/);
  });

  test("Jinja in a workflow calls StackStorm's filters as functions too, and an unknown function is named without JavaScript words", () => {
    const r = new Rehearsal(`version: 1.0
vars:
  - s: '{"a": 1}'
tasks:
  a:
    action: x.y obj="{{ from_json_string(ctx('s')) }}" v="{{ version_bump_minor('1.2.3') }}"
  b:
    action: x.y bad="{{ no_such_thing(1) }}"
`);
    r.start();
    assert.deepEqual(inputOf(r, 'a'), { obj: { a: 1 }, v: '1.3.0' });
    r.play();
    const e = r.completed!.errors[0]!;
    assert.match(e.message, /Unable to call `no_such_thing`: there is no function by that name here/);
    assert.doesNotMatch(e.message, /Error:|undefined or falsey/);
  });

  test("ctx(st2) is StackStorm's runtime context of the run (execution id, user)", () => {
    const r = new Rehearsal(`version: 1.0
output:
  - id: <% ctx(st2).action_execution_id %>
  - user: "{{ ctx('st2').user }}"
tasks:
  a:
    action: core.noop
`);
    r.start({}, { action_context: { execution_id: 'ex-1', user: 'alice' } });
    r.play();
    assert.deepEqual(r.completed?.output, { id: 'ex-1', user: 'alice' });
  });

  test('result(), succeeded() outside a transition are errors, as in orquesta', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a:
    action: x.y value=<% result() %>
`);
    r.start();
    assert.match(r.completed!.errors[0]!.message, /result\(\) is only available where a task has completed/);
  });

  test('failed() and completed() in YAQL transitions; the failure path publishes task(name) details', () => {
    const r = new Rehearsal(`version: 1.0
tasks:
  a:
    action: x.y
    next:
      - when: <% failed() %>
        publish:
          - why: <% task(a).error.message %>
          - done: <% completed() %>
          - me: <% task().task_id %>
        do: noop
output:
  - why: <% ctx(why) %>
  - done: <% ctx(done) %>
  - me: <% ctx(me) %>
`);
    r.start();
    r.play({ a: [bad({}, 'ssh timeout')] });
    assert.deepEqual(r.completed?.output, { why: 'ssh timeout', done: true, me: 'a' });
  });
});

describe('st2kv() in YAQL and Jinja', () => {
  const cipher = SecretCipher.loadOrCreate(mkdtempSync(join(tmpdir(), 'nrx-yaql-kv-')));
  const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
  const store: Record<string, string> = { 'system:ntp': '10.0.0.1', 'system:password': cipher.encrypt(secret), 'user:alice:fav': 'blue' };
  const names = (user?: string) => ({ st2kv: kvTemplateRoot((scope, key) => store[`${scope}:${key}`] ?? null, cipher, user ? { user } : {}) });

  const run = (input: string, user?: string) => {
    const spec = parseOrquesta(parseYaml(`version: 1.0\ntasks:\n  a:\n    action: x.y\n    input:\n${input}\n`, 'workflows/kv.yaml'));
    const step = orquestaConductor.start(spec, {}, 0, {}, names(user));
    const cmd = step.commands.find((c): c is RunTaskCmd => c.kind === 'runTask');
    const done = step.commands.find((c) => c.kind === 'complete') as { errors: Array<{ message: string }> } | undefined;
    return { input: cmd?.input, errors: done?.errors ?? [] };
  };

  test("system keys, the user's keys by default, decrypt => true, a default for a missing key", () => {
    const r = run(
      [
        "      ntp: <% st2kv('system.ntp') %>",
        '      jinja_ntp: "{{ st2kv(\'system.ntp\') }}"',
        "      dotted: '{{ st2kv.system.ntp }}'",
        "      fav: <% st2kv('fav') %>",
        "      sealed: <% st2kv('system.password') %>",
        "      plain: <% st2kv('system.password', decrypt => true) %>",
        '      jinja_plain: "{{ st2kv(\'system.password\', decrypt=true) }}"',
        "      other: <% st2kv('system.absent', default => 'none') %>",
      ].join('\n'),
      'alice',
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.input!.ntp, '10.0.0.1');
    assert.equal(r.input!.jinja_ntp, '10.0.0.1');
    assert.equal(r.input!.dotted, '10.0.0.1');
    assert.equal(r.input!.fav, 'blue');
    assert.ok(SecretCipher.isToken(r.input!.sealed), 'without decrypt a secret stays its ciphertext, as in StackStorm');
    assert.equal(r.input!.plain, secret);
    assert.equal(r.input!.jinja_plain, secret);
    assert.equal(r.input!.other, 'none');
    // a decrypted value is masked wherever an execution prints it
    assert.equal(maskSecretText(`password is ${secret}`), 'password is ********');
  });

  test('in a shell command a datastore value travels as a quoted shell variable', () => {
    const r = run('      cmd: "echo <% st2kv(\'system.ntp\') %>"');
    assert.deepEqual(r.errors, []);
    assert.equal(r.input!.cmd, 'NRX_V1=\'10.0.0.1\'\necho "${NRX_V1}"');
  });

  test('a missing key without a default, a user key without a user, a bad decrypt: errors naming the key', () => {
    assert.match(run("      v: <% st2kv('system.absent') %>").errors[0]!.message, /st2kv\('system\.absent'\): the datastore has no system key 'absent'/);
    assert.match(run("      v: <% st2kv('fav') %>").errors[0]!.message, /st2kv\.user\.fav is not available: this template runs without a user/);
    assert.match(run("      v: <% st2kv('system.ntp', decrypt => 'yes') %>").errors[0]!.message, /decrypt must be true or false/);
  });

  test('in a preview for a caller who may not read secrets, decrypt gives the mask', () => {
    const spec = parseOrquesta(
      parseYaml(`version: 1.0\ntasks:\n  a:\n    action: x.y value=<% st2kv('system.password', decrypt => true) %>\n`, 'workflows/kv.yaml'),
    );
    const step = withPreview('mask', () => orquestaConductor.start(spec, {}, 0, {}, names()));
    const cmd = step.commands.find((c): c is RunTaskCmd => c.kind === 'runTask')!;
    assert.equal(cmd.input.value, '********');
  });
});

describe('expressions are checked when the workflow loads', () => {
  const load = (body: string) => parseOrquesta(parseYaml(`version: 1.0\ntasks:\n  a:\n    action: x.y\n${body}`, 'workflows/check.yaml'));

  test('an expression outside the subset fails the load with file, line, field and the construct', () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['    input:\n      v: <% $.list.select(x -> x) %>\n', 6, 'tasks.a.input.v', /lambdas \('->'\) are not supported/],
      ['    next:\n      - when: <% $.x.selectMany($) %>\n', 6, 'tasks.a.next[0].when', /unknown or unsupported method '\.selectMany\(\)'/],
      ['    next:\n      - publish:\n          - y: <% regex($.x) %>\n', 7, 'tasks.a.next[0].publish[0].y', /unknown or unsupported function 'regex\(\)'/],
      ['    input:\n      v: "host <% len(1, 2) %>"\n', 6, 'tasks.a.input.v', /len\(\) takes 1 argument, not 2/],
      ['    with: <% $var %>\n', 5, 'tasks.a.with', /YAQL variables other than \$/],
    ];
    for (const [body, line, field, why] of cases) {
      assert.throws(
        () => load(body),
        (e: unknown) => {
          assert.ok(e instanceof NrxError, String(e));
          assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
          assert.equal(e.location.file, 'workflows/check.yaml');
          assert.equal(e.location.line, line, e.message);
          assert.equal(e.location.field, field, e.message);
          assert.match(e.message, why);
          return true;
        },
        body,
      );
    }
  });

  test('every supported construct loads', () => {
    load(`    input:
      a: <% $.x.y[0].z %>
      b: <% ctx().list.select($.name).where($ != null).distinct().first('none') %>
      c: <% dict(a => 1) + {b => [1, 2]} %>
      d: <% 'a' in list('a', 'b') and not false or 1 >= 2 %>
      e: <% str(int('1') + float('2.5')) + 'x'.toUpper() %>
      f: <% coalesce($.n, 'x').replace('x', 'y').split(',').join(';') %>
      g: <% st2kv('system.k', decrypt => true) %>
      h: "{{ ctx('x') }} <% ctx(x) %>"
`);
  });

  test('random expression text in a workflow fails to load only with NrxError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          load(`    input:\n      v: ${JSON.stringify(`<% ${text} %>`)}\n`);
        } catch (e) {
          assert.ok(isNrxError(e), `${JSON.stringify(text)}: ${String(e)}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('no JavaScript error text reaches a user', () => {
  test('random Jinja and YAQL over the context functions, filters and operators fail only in our words, and the state stays JSON', () => {
    const atoms = [
      'ctx()',
      "ctx('x')",
      'result()',
      'result().a',
      'task("a")',
      'none',
      'null',
      "'s'",
      '1',
      '[1]',
      '{"a": 1}',
      'ctx().d',
      'ctx().l',
      'json("x")',
      'nope',
    ];
    const ops = [
      ' + ',
      ' ~ ',
      ' | length',
      ' | upper',
      '.a',
      '[0]',
      ' | to_json_string',
      ' | from_json_string',
      ' | int',
      ' | join(",")',
      ' | first',
      ' | sum',
      '.split(",")',
    ];
    const expr = fc
      .tuple(fc.constantFrom(...atoms), fc.array(fc.tuple(fc.constantFrom(...ops), fc.constantFrom(...atoms)), { maxLength: 3 }))
      .map(([a, rest]) => a + rest.map(([o, b]) => (/^ [+~] $/.test(o) ? o + b : o)).join(''));
    fc.assert(
      fc.property(expr, fc.boolean(), (e, yaql) => {
        const src = yaql ? `<% ${e.replace(/ \| \w+(\([^)]*\))?/g, '').replace(/~/g, '+')} %>` : `{{ ${e} }}`;
        let r: Rehearsal;
        try {
          r = new Rehearsal(
            `version: 1.0\ninput: [x, d, l]\ntasks:\n  a:\n    action: x.y\n    next:\n      - publish:\n          - v: ${JSON.stringify(src)}\n`,
          );
        } catch (err) {
          assert.ok(err instanceof NrxError, `${src}: ${String(err)}`);
          assert.doesNotMatch(err.message, /TypeError|RangeError|Cannot read prop|is not a function|\[object Object\]/, src);
          return;
        }
        // the rehearsal checks that the state survives JSON after every step
        r.start({ x: 'v', d: { a: 1 }, l: [1, 2] });
        r.play({ a: [ok({ a: { b: 1 } })] });
        for (const er of r.completed?.errors ?? [])
          assert.doesNotMatch(er.message, /TypeError|RangeError|Cannot read prop|is not a function|\[object Object\]|Error: /, src);
      }),
      { numRuns: 400 },
    );
  });
});
