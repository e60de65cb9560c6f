import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDuration } from '../../src/core/duration.js';
import { NrxError } from '../../src/core/errors.js';
import { parseYaml, specError } from '../../src/core/yaml.js';

const TEXT = `---
name: x
chain:
  -
    name: "c1"
    ref: "core.local"
    parameters:
      cmd: "echo"
  - name: c2
    ref: core.noop
    on-success: c3
tasks:
  a:
    action: core.noop
    next:
      - when: x
        do: b
      - do: c
`;

test('lineOf finds fields in block YAML, list items included', () => {
  const s = parseYaml(TEXT, 'f.yaml');
  const cases: Array<[Array<string | number>, number | undefined]> = [
    [['name'], 2],
    [['chain', 0, 'ref'], 6],
    [['chain', 0, 'parameters', 'cmd'], 8],
    [['chain', 1, 'name'], 9],
    [['chain', 1, 'on-success'], 11],
    [['tasks', 'a', 'next', 1, 'do'], 18],
    [['tasks', 'a', 'next', 0, 'when'], 16],
    [['nope'], undefined],
  ];
  for (const [p, line] of cases) assert.equal(s.lineOf(p), line, JSON.stringify(p));
  const e = specError(s, ['chain', 1, 'on-success'], 'unknown node c3');
  assert.equal(e.message, "f.yaml, line 11, field 'chain[1].on-success': unknown node c3");
});

test('a YAML syntax error names file and line', () => {
  assert.throws(
    () => parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml'),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_YAML_SYNTAX' && /bad\.yaml, line \d/.test(e.message),
  );
});

test('lineOf never throws on arbitrary text and paths', () => {
  fc.assert(
    fc.property(fc.string(), fc.array(fc.oneof(fc.string(), fc.nat(5)), { maxLength: 4 }), (text, p) => {
      let s;
      try {
        s = parseYaml(text, 'x.yaml');
      } catch (e) {
        assert.ok(e instanceof NrxError);
        return;
      }
      const line = s.lineOf(p);
      assert.ok(line === undefined || (line >= 1 && line <= text.split('\n').length));
    }),
  );
});

test('durations as operators write them', () => {
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('2m30s'), 150_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration(30), 30_000);
  assert.equal(parseDuration('30'), 30_000);
  assert.throws(() => parseDuration('soon', { file: 'r.yaml', field: 'hold_down' }), /r\.yaml, field 'hold_down': invalid duration/);
});
