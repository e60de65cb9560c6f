// ActionChain spec loading: StackStorm files load unchanged; bad files name file, line, field.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NrxError } from '../../../src/core/errors.js';
import { parseYaml } from '../../../src/core/yaml.js';
import { parseActionChain } from '../../../src/workflows/actionchain/spec.js';
import { loadChain } from './rehearse.js';

function parse(text: string, file = 'chain.yaml') {
  return parseActionChain(parseYaml(text, file));
}

function specErrorOf(text: string, file = 'broken.yaml'): NrxError {
  try {
    parse(text, file);
  } catch (e) {
    assert.ok(e instanceof NrxError, `expected NrxError, got ${String(e)}`);
    assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
    return e;
  }
  assert.fail('expected a spec error');
}

describe('parseActionChain: StackStorm files', () => {
  test('echochain.yaml: nodes, edges, default and lines', () => {
    const spec = loadChain('echochain.yaml');
    assert.equal(spec.default, 'c1');
    assert.deepEqual(
      spec.nodes.map((n) => [n.name, n.ref, n.onSuccess, n.onFailure]),
      [
        ['c1', 'core.local', 'c2', 'c4'],
        ['c2', 'core.local', 'c3', 'c4'],
        ['c3', 'core.local', null, 'c4'],
        ['c4', 'core.local', null, null],
      ],
    );
    assert.deepEqual(spec.nodes[0]!.parameters, { cmd: 'echo c1' });
    assert.equal(spec.nodes[1]!.line, 11);
    assert.equal(spec.nodes[1]!.parameterLines['cmd'], 14);
    assert.match(spec.file, /echochain\.yaml$/);
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, 'the spec is plain data');
  });

  test('publish_data.yaml: vars in file order, publish, description tolerated, default = first node', () => {
    const spec = loadChain('publish_data.yaml');
    assert.equal(spec.default, 'get_host');
    assert.deepEqual(
      spec.vars.map((v) => [v.name, v.value, v.line]),
      [
        ['domain', '{{ st2kv.system.domain }}', 3],
        ['api_port', 9101, 4],
        ['webui_port', 8080, 5],
      ],
    );
    assert.deepEqual(Object.keys(spec.nodes[0]!.publish!), ['api_url', 'webui_url', 'host', 'fqdn', 'paths']);
    assert.equal(spec.nodes[0]!.publishLines['fqdn'], 18);
  });

  test('params is the older name of parameters', () => {
    const spec = loadChain('chain_sequential.yaml');
    assert.deepEqual(spec.nodes[0]!.parameters, { message: '{{ name }}' });
    assert.equal(spec.nodes[0]!.parametersField, 'params');
  });

  test('without default the first node nothing points at starts, as in StackStorm', () => {
    const spec = parse('chain:\n  - name: b\n    ref: core.noop\n  - name: a\n    ref: core.noop\n    on-success: b\n');
    assert.equal(spec.default, 'a');
    const loop = parse('chain:\n  - name: x\n    ref: core.noop\n    on-success: y\n  - name: y\n    ref: core.noop\n    on-success: x\n');
    assert.equal(loop.default, 'x');
  });

  test('a node without parameters gets an empty mapping; notify is accepted and ignored', () => {
    const spec = parse('chain:\n  - name: a\n    ref: core.noop\n    notify:\n      on-complete:\n        routes: [slack]\n');
    assert.deepEqual(spec.nodes[0]!.parameters, {});
    assert.equal(spec.nodes[0]!.publish, null);
  });
});

describe('parseActionChain: errors name file, line and field', () => {
  const cases: Array<[string, string, { line: number | undefined; field: string | undefined; message: RegExp }]> = [
    ['node without name', 'chain:\n  - ref: core.noop\n', { line: 2, field: 'chain[0]', message: /no name/ }],
    [
      'node without ref',
      'chain:\n  - name: a\n    ref: core.noop\n  - name: b\n    parameters: {}\n',
      { line: 4, field: 'chain[1]', message: /'b' has no ref/ },
    ],
    ['empty name', 'chain:\n  - name: ""\n    ref: core.noop\n', { line: 2, field: 'chain[0].name', message: /non-empty/ }],
    [
      'duplicate names',
      'chain:\n  - name: a\n    ref: core.noop\n  - name: a\n    ref: core.noop\n',
      { line: 4, field: 'chain[1].name', message: /duplicate node name 'a' \(first defined at line 2\)/ },
    ],
    [
      'on-success to an unknown node',
      'chain:\n  - name: a\n    ref: core.noop\n    on-success: b\n',
      { line: 4, field: 'chain[0].on-success', message: /on-success names unknown node 'b'/ },
    ],
    [
      'on-failure to an unknown node',
      'chain:\n  - name: a\n    ref: core.noop\n  - name: c\n    ref: core.noop\n    on-failure: rollback\n',
      { line: 6, field: 'chain[1].on-failure', message: /unknown node 'rollback'/ },
    ],
    ['default to an unknown node', 'chain:\n  - name: a\n    ref: core.noop\ndefault: start\n', { line: 4, field: 'default', message: /unknown node 'start'/ }],
    [
      'params and parameters together',
      'chain:\n  - name: a\n    ref: core.noop\n    params: {x: 1}\n    parameters: {y: 2}\n',
      { line: 4, field: 'chain[0].params', message: /both params and parameters/ },
    ],
    [
      'a typo in a node key',
      'chain:\n  - name: a\n    ref: core.noop\n    on_success: b\n',
      { line: 4, field: 'chain[0].on_success', message: /unknown key 'on_success'/ },
    ],
    ['an unknown top-level key', 'chains:\n  - name: a\n', { line: 1, field: 'chains', message: /unknown top-level key/ }],
    ['no chain', 'default: a\n', { line: undefined, field: 'chain', message: /`chain` is required/ }],
    ['empty chain', 'chain: []\n', { line: 1, field: 'chain', message: /at least one node/ }],
    [
      'parameters not a mapping',
      'chain:\n  - name: a\n    ref: core.noop\n    parameters: [1, 2]\n',
      { line: 4, field: 'chain[0].parameters', message: /must be a mapping/ },
    ],
    [
      'a templated next node',
      'chain:\n  - name: a\n    ref: core.noop\n    on-success: "{{ nxt }}"\n',
      { line: 4, field: 'chain[0].on-success', message: /not a template/ },
    ],
    ['vars not a mapping', 'vars: [1]\nchain:\n  - name: a\n    ref: core.noop\n', { line: 1, field: 'vars', message: /must be a mapping/ }],
  ];
  for (const [what, text, want] of cases) {
    test(what, () => {
      const e = specErrorOf(text);
      assert.equal(e.location.file, 'broken.yaml');
      assert.equal(e.location.line, want.line);
      assert.equal(e.location.field, want.field);
      assert.match(e.message, want.message);
      assert.match(e.message, /^broken\.yaml/);
    });
  }

  test('a document that is not a mapping', () => {
    const e = specErrorOf('- name: a\n');
    assert.match(e.message, /must be a mapping/);
  });
});

describe('parseActionChain: hostile input', () => {
  const key = fc.constantFrom('name', 'ref', 'parameters', 'params', 'on-success', 'on-failure', 'publish', 'notify', 'description', 'bogus');
  const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('a', 'b', 'core.noop', '{{ x }}'));
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 3 }));
  const node = fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), scalar);
  const doc = fc.oneof(fc.record({ chain: fc.oneof(fc.array(node, { maxLength: 4 }), scalar), default: scalar, vars: value }, { requiredKeys: [] }), value);

  test('any document either parses into a consistent spec or fails with NRX_ERR_SPEC_INVALID', () => {
    fc.assert(
      fc.property(doc, (d) => {
        const src = { file: 'fuzz.yaml', doc: d, lineOf: () => undefined };
        try {
          const spec = parseActionChain(src);
          const names = new Set(spec.nodes.map((n) => n.name));
          assert.ok(names.has(spec.default));
          for (const n of spec.nodes) {
            if (n.onSuccess !== null) assert.ok(names.has(n.onSuccess));
            if (n.onFailure !== null) assert.ok(names.has(n.onFailure));
          }
        } catch (e) {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_SPEC_INVALID', String(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary text fails only with NrxError (YAML syntax or spec)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parse(text);
        } catch (e) {
          assert.ok(e instanceof NrxError && (e.code === 'NRX_ERR_SPEC_INVALID' || e.code === 'NRX_ERR_YAML_SYNTAX'), String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});
