import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { parseYaml } from '../../../src/core/yaml.js';
import { loadYamlFile } from '../../../src/core/yaml-file.js';
import { normaliseExpression } from '../../../src/workflows/orquesta/expressions.js';
import { parseInlineArgs } from '../../../src/workflows/orquesta/inline.js';
import { parseOrquesta } from '../../../src/workflows/orquesta/spec.js';

const FILE = 'workflows/bgp_peer_down.yaml';
const parse = (text: string) => parseOrquesta(parseYaml(text, FILE));

/** Parse, expecting a spec error at `line` naming `field`. */
function specErr(text: string, line: number, field: string, pattern: RegExp): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(e instanceof NrxError, `expected NrxError, got ${String(e)}`);
      assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
      assert.equal(e.location.file, FILE);
      assert.equal(e.location.line, line, e.message);
      assert.equal(e.location.field, field, e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('parseOrquesta: the language', () => {
  test('reads input, vars, output in list and map forms, and the shape of tasks', () => {
    const spec = parse(`version: 1.0
description: diagnose and repair a BGP peer
input:
  - device
  - peer
  - retries: 2
vars:
  admin_down: false
  attempts: 0
output:
  - state: <% ctx(state) %>
tasks:
  diagnose:
    action: network.get_bgp_neighbors device=<% ctx().device %>
    retry: { count: 2, delay: 5s, when: <% failed() %> }
    timeout: 30
    next:
      - when: <% succeeded() and result().state = 'idle' %>
        publish: state=<% result().state %>, seen=true
        do: repair, tell_chat
  repair:
    action: network.bgp_soft_clear
    delay: 1m
    input: { device: "{{ ctx().device }}" }
  tell_chat:
    with: { items: "room in <% ctx(rooms) %>", concurrency: 2 }
    action: chatops.post
    input: { room: <% item(room) %> }
`);
    assert.deepEqual(spec.input, [{ name: 'device' }, { name: 'peer' }, { name: 'retries', value: 2 }]);
    assert.deepEqual(spec.vars, [
      { name: 'admin_down', value: false },
      { name: 'attempts', value: 0 },
    ]);
    assert.deepEqual(spec.output, [{ name: 'state', value: '<% ctx(state) %>' }]);
    assert.deepEqual(spec.startTasks, ['diagnose']);
    assert.deepEqual(spec.inbound.repair, ['diagnose']);
    const d = spec.tasks.diagnose!;
    assert.equal(d.action, 'network.get_bgp_neighbors');
    assert.deepEqual(d.input, { device: '<% ctx().device %>' });
    assert.deepEqual(d.retry, { count: 2, delay: 5000, when: '<% failed() %>' });
    assert.equal(d.timeout, 30_000);
    assert.equal(d.line, 13);
    assert.deepEqual(d.next[0]!.do, ['repair', 'tell_chat']);
    assert.equal(d.next[0]!.when, "<% succeeded() and result().state = 'idle' %>");
    assert.deepEqual(d.next[0]!.publish, [
      { name: 'state', value: '<% result().state %>' },
      { name: 'seen', value: true },
    ]);
    assert.equal(spec.tasks.repair!.delay, 60_000);
    assert.deepEqual(spec.tasks.tell_chat!.with, { names: ['room'], items: '<% ctx(rooms) %>', concurrency: 2 });
    assert.deepEqual(spec.tasks.tell_chat!.input, { room: '<% item(room) %>' });
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, 'the spec is plain data');
  });

  test('reads wait_for, the short with form, join and action-less routing tasks', () => {
    const spec = parse(`version: 1.0
tasks:
  fan_out:
    next: [{ do: [a, b] }]
  a:
    with: <% ctx().devices %>
    action: network.cli
  b:
    wait_for:
      trigger: network.bgp_peer_state_changed
      criteria:
        trigger.peer: { type: equals, pattern: "{{ ctx().peer }}" }
      timeout: 60s
    next: [{ do: done }]
  done:
    join: all
`);
    assert.equal(spec.tasks.fan_out!.action, null);
    assert.deepEqual(spec.tasks.a!.with, { names: [], items: '<% ctx().devices %>', concurrency: null });
    assert.deepEqual(spec.tasks.b!.waitFor, {
      trigger: 'network.bgp_peer_state_changed',
      criteria: { 'trigger.peer': { type: 'equals', pattern: '{{ ctx().peer }}' } },
      timeout: 60_000,
    });
    assert.equal(spec.tasks.done!.join, 'all');
  });

  test('every Orquesta example workflow shipped with StackStorm loads', () => {
    const dir = 'test/compat/fixtures/packs/examples/actions/workflows'; // StackStorm's examples pack, copied with its source named
    const files = readdirSync(dir).filter((f) => f.startsWith('orquesta-'));
    assert.ok(files.length >= 20);
    // cmd=<% ctx(cmd) %> (the input, whole) loads and is checked when it runs (whole-command.ts);
    // '<% ... %>' inside single quotes travels as a variable the quote is closed around
    const refused: Record<string, RegExp> = {};
    for (const f of files) {
      if (refused[f]) assert.throws(() => parseOrquesta(loadYamlFile(join(dir, f))), refused[f], f);
      else parseOrquesta(loadYamlFile(join(dir, f)));
    }
  });
});

describe('parseOrquesta: errors name file, line and field', () => {
  const head = 'version: 1.0\ntasks:\n';
  test('do names an unknown task', () => {
    specErr(
      `${head}  diagnose:\n    action: network.ping\n    next:\n      - when: <% succeeded() %>\n        do: repiar\n`,
      7,
      'tasks.diagnose.next[0].do',
      /unknown task 'repiar'/,
    );
  });
  test('a task with input but no action', () => {
    specErr(`${head}  diagnose:\n    input: { device: r1 }\n`, 4, 'tasks.diagnose.input', /no action/);
  });
  test('a bad join value, and a join that can never be met', () => {
    specErr(`${head}  a:\n    action: x.y\n    next: [{do: b}]\n  b:\n    join: some\n    action: x.y\n`, 7, 'tasks.b.join', /'all' or a positive integer/);
    specErr(`${head}  a:\n    action: x.y\n    next: [{do: b}]\n  b:\n    join: 2\n    action: x.y\n`, 7, 'tasks.b.join', /never be met/);
  });
  test('bad with-items', () => {
    specErr(`${head}  a:\n    action: x.y\n    with:\n      items: [1, 2]\n      concurrency: 0\n`, 7, 'tasks.a.with.concurrency', /positive integer/);
    specErr(`${head}  a:\n    action: x.y\n    with: just text\n`, 5, 'tasks.a.with', /must be an expression/);
    specErr(`${head}  a:\n    action: x.y\n    with:\n      concurrency: 2\n`, 5, 'tasks.a.with', /needs 'items'/);
    specErr(`${head}  a:\n    action: x.y\n    with: 1host in <% ctx().hosts %>\n`, 5, 'tasks.a.with', /not a valid name/);
  });
  test('duplicate names: tasks (YAML), input entries', () => {
    assert.throws(
      () => parse(`${head}  a:\n    action: x.y\n  a:\n    action: x.z\n`),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_YAML_SYNTAX' && e.location.line === 5,
    );
    specErr(`version: 1.0\ninput:\n  - device\n  - device\ntasks:\n  a:\n    action: x.y\n`, 4, 'input[1]', /duplicate name 'device'/);
  });
  test('reserved words cannot name tasks', () => {
    for (const word of ['fail', 'noop', 'retry', 'continue']) specErr(`${head}  ${word}:\n    action: x.y\n`, 3, `tasks.${word}`, /reserved word/);
  });
  test('unknown fields, bad durations, retry, version, template syntax', () => {
    specErr(`${head}  a:\n    action: x.y\n    on-success: b\n`, 5, 'tasks.a.on-success', /unknown task field/);
    specErr(`${head}  a:\n    action: x.y\n    timeout: soon\n`, 5, 'tasks.a.timeout', /invalid duration/);
    specErr(`${head}  a:\n    action: x.y\n    retry: { count: -1 }\n`, 5, 'tasks.a.retry.count', /whole number/);
    specErr(`version: 2.0\ntasks:\n  a:\n    action: x.y\n`, 1, 'version', /unsupported version/);
    specErr(
      `${head}  a:\n    action: x.y\n    next:\n      - when: <% succeeded( %>\n`,
      6,
      'tasks.a.next[0].when',
      /<% succeeded\( %>: unexpected end of expression/,
    );
    specErr(`${head}  a:\n    action: x.y\n    next:\n      - when: "{{ succeeded( }}"\n`, 6, 'tasks.a.next[0].when', /cannot compile/);
    specErr(`${head}  a:\n    action: not-a-ref\n`, 4, 'tasks.a.action', /pack\.action/);
    specErr(`${head}  a:\n    action: x.y\n    wait_for: { trigger: t.x }\n`, 5, 'tasks.a.wait_for', /not both/);
    specErr(`${head}  a:\n    action: x.y\n    next: [{do: b}]\n  b:\n    action: x.y\n    next: [{do: a}]\n`, 2, 'tasks', /no task to start with/);
  });
});

describe('inline arguments and YAQL spellings', () => {
  test('shorthand pairs: quotes, expressions with spaces, JSON literals, delimiters', () => {
    const r = parseInlineArgs(`message="Fee fi" cmd=<% ctx().a %>; n=3, flag=true msg4="I'll grind"`);
    assert.deepEqual(r, {
      ok: true,
      pairs: [
        ['message', 'Fee fi'],
        ['cmd', '<% ctx().a %>'],
        ['n', 3],
        ['flag', true],
        ['msg4', "I'll grind"],
      ],
    });
    assert.equal(parseInlineArgs('oops').ok, false);
    assert.equal(parseInlineArgs('a="open').ok, false);
  });
  test('the spec keeps expressions as written (<% %> is evaluated as YAQL, not rewritten)', () => {
    assert.equal(normaliseExpression("<% ctx(x) = 'a=b' and item(host) != 1 %>"), "<% ctx(x) = 'a=b' and item(host) != 1 %>");
    assert.equal(normaliseExpression('{{ ctx(x) }} a=b'), '{{ ctx(x) }} a=b');
  });
  test('hostile shorthand never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseInlineArgs(s);
        assert.ok(typeof r.ok === 'boolean');
      }),
    );
  });
  test('hostile workflow documents fail only with NrxError', () => {
    const leaf = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('all', '<% ctx().x %>', 'a in <% ctx().y %>', 'x.y', 'fail'),
    );
    const node = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('action', 'next', 'do', 'when', 'join', 'with', 'items', 'retry', 'count', 'input', 'publish', 'wait_for', 'trigger', 'a', 'b'),
          tie('v'),
          { maxKeys: 4 },
        ),
      ),
    })).v;
    const doc = fc.record({
      version: fc.constantFrom(1, '1.0', 2),
      tasks: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'fail'), node, { maxKeys: 3 }),
      input: fc.option(node),
      output: fc.option(node),
    });
    fc.assert(
      fc.property(doc, (d) => {
        try {
          parseOrquesta({ file: 'fuzz.yaml', doc: d, lineOf: () => undefined });
        } catch (e) {
          assert.ok(e instanceof NrxError, `non-NrxError: ${String(e)}`);
          assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
        }
      }),
      { numRuns: 400 },
    );
  });
});
