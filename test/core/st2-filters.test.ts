import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderString } from '../../src/core/template.js';
import { isNrxError } from '../../src/core/errors.js';
import { setTemplateLimits } from '../../src/core/template-budget.js';

const r = (source: string, context: Record<string, unknown> = {}): unknown => renderString(source, context);

/** The render fails with NRX_ERR_TEMPLATE and a message that matches `why`. */
function refused(source: string, context: Record<string, unknown>, why: RegExp): void {
  assert.throws(
    () => r(source, context),
    (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_TEMPLATE' && why.test(e.message),
  );
}

test('to_json_string writes what Python json.dumps writes with StackStorm separators, indent and sort_keys', () => {
  const v = { b: [1, 'x'], a: { é: true } };
  assert.equal(r('{{ v | to_json_string }}', { v }), '{"b": [1,"x"],"a": {"\\u00e9": true}}');
  assert.equal(r('{{ v | to_json_string(2, true) }}', { v: { b: 1, a: [] } }), '{\n  "a": [],\n  "b": 1\n}');
  assert.equal(r('{{ {"complex": "structure", "foo": ["x", true]} | to_json_string }}'), '{"complex": "structure","foo": ["x",true]}');
});

test('to_json_string with a large indent stops at the output limit while it writes, with NRX_ERR_TEMPLATE', () => {
  const before = setTemplateLimits({});
  setTemplateLimits({ maxOutputChars: 10_000 });
  try {
    const v = Array.from({ length: 2_000 }, () => [[[[1]]]]);
    refused('{{ v | to_json_string(16) }}', { v }, /the JSON text would be more than 170000 characters/);
    // The same value without the indent stays within the limits.
    assert.equal((r('{{ v | to_json_string }}', { v }) as string).length, 2_000 * 10 + 1);
  } finally {
    setTemplateLimits(before);
  }
});

test('to_complex and json_escape use json.dumps defaults; json_escape drops the outer quotes', () => {
  assert.equal(r('{{ v | to_complex }}', { v: { a: [1, 2] } }), '{"a": [1, 2]}');
  assert.equal(r('{{ v | json_escape }}', { v: 'say "hi"\n\tbye' }), 'say \\"hi\\"\\n\\tbye');
  assert.equal(r('{"msg": "{{ v | json_escape }}"}', { v: 'a"b\\c' }), '{"msg": "a\\"b\\\\c"}');
});

test('from_json_string and from_yaml_string parse text; bad text fails naming the line, without engine wording', () => {
  assert.deepEqual(r('{{ s | from_json_string }}', { s: '{"peers": [1, 2]}' }), { peers: [1, 2] });
  assert.deepEqual(r('{{ s | from_yaml_string }}', { s: 'peers:\n- 10.0.0.1\nup: true\n' }), { peers: ['10.0.0.1'], up: true });
  refused('{{ s | from_json_string }}', { s: '{"a": 1,\n "b": }' }, /from_json_string: the text is not valid JSON at line 2, column 7/);
  refused('{{ s | from_yaml_string }}', { s: 'a: [1, 2\nb: 3' }, /from_yaml_string: the text, line 2: invalid YAML/);
  assert.throws(
    () => r('{{ s | from_json_string }}', { s: '{' }),
    (e: Error) => !/Unexpected|SyntaxError/.test(e.message),
  );
});

test('to_yaml_string writes block YAML as PyYAML safe_dump does (keys sorted, lists under their key)', () => {
  assert.equal(r('{{ v | to_yaml_string }}', { v: { z: 1, a: ['x', 'b'], m: { k: 'v' } } }), 'a:\n- x\n- b\nm:\n  k: v\nz: 1\n');
  assert.equal(r('{{ v | to_yaml_string(4) }}', { v: { m: { k: 'v' } } }), 'm:\n    k: v\n');
  assert.equal(r('{{ v | to_yaml_string }}', { v: 'abc' }), 'abc\n...\n');
});

test('jsonpath_query returns the list of matches, or None when nothing matches', () => {
  const v = {
    interfaces: [
      { name: 'ge-0/0/0', ip: '10.0.0.1' },
      { name: 'ge-0/0/1', sub: { ip: '10.0.1.1' } },
    ],
  };
  assert.deepEqual(r("{{ v | jsonpath_query('$.interfaces[*].name') }}", { v }), ['ge-0/0/0', 'ge-0/0/1']);
  assert.deepEqual(r("{{ v | jsonpath_query('interfaces[0].name') }}", { v }), ['ge-0/0/0']);
  assert.deepEqual(r("{{ v | jsonpath_query('$..ip') }}", { v }), ['10.0.0.1', '10.0.1.1']);
  assert.deepEqual(r("{{ v | jsonpath_query('$.interfaces[-1:].name') }}", { v }), ['ge-0/0/1']);
  assert.deepEqual(r(`{{ v | jsonpath_query("$['interfaces'][1]['sub'].*") }}`, { v }), ['10.0.1.1']);
  assert.equal(r("{{ v | jsonpath_query('$.nothing') }}", { v }), null);
  refused("{{ v | jsonpath_query('$.interfaces[?(@.ip)]') }}", { v }, /jsonpath_query: .* at character 14: "\?" is not supported/);
});

test('regex filters: match at the start, search anywhere, replace with Python backreferences, substring as re.findall', () => {
  assert.equal(r(String.raw`{{ 'ge-0/0/1' | regex_match('ge-\d') }}`), true);
  assert.equal(r(String.raw`{{ 'xe ge-0/0/1' | regex_match('ge-\d') }}`), false);
  assert.equal(r(String.raw`{{ 'xe ge-0/0/1' | regex_search('GE-\d', true) }}`), true);
  assert.equal(r(String.raw`{{ 'a1b22' | regex_replace('(\d+)', '[\\1]') }}`), 'a[1]b[22]');
  assert.equal(r(String.raw`{{ 'a1b22' | regex_replace('(?P<n>\d+)', '<\\g<n>>') }}`), 'a<1>b<22>');
  assert.equal(r(String.raw`{{ 'up 10.0.0.1 down 10.0.0.2' | regex_substring('\d+\.\d+\.\d+\.\d+') }}`), '10.0.0.1');
  assert.equal(r(String.raw`{{ 'up 10.0.0.1 down 10.0.0.2' | regex_substring('(\w+) 10', 1) }}`), 'down');
  assert.deepEqual(r(String.raw`{{ 'a=1 b=2' | regex_substring('(\w)=(\d)', -1) }}`), ['b', '2']);
  refused(String.raw`{{ 'abc' | regex_substring('\d') }}`, {}, /regex_substring: .* has no match number 0/);
  refused(String.raw`{{ 'abc' | regex_search('(?=a)') }}`, {}, /lookahead/);
});

test("backslash escapes in template string literals are kept as Jinja keeps them ('\\w+' stays \\w+)", () => {
  assert.equal(r(String.raw`{{ '\w+\d' }}`), String.raw`\w+\d`);
  assert.equal(r(String.raw`{{ 'a\nb\t\\\'\x41\u00e9' }}`), "a\nb\t\\'A\u00e9");
  assert.equal(r(String.raw`{{ "say \"hi\"" }}`), 'say "hi"');
  assert.equal(r(String.raw`x {{ 'Gi0/1 Gi0/2' | regex_replace('Gi(\d)', 'Te\\1') }}`), 'x Te0/1 Te0/2');
});

test('an escape cannot spell a blocked name past the sandbox (\\x73, \\u005f)', () => {
  refused(String.raw`{{ range['con\x73tructor'] }}`, {}, /may not reach 'constructor'/);
  refused(String.raw`{{ v['\u005f_proto__'] }}`, { v: {} }, /may not reach '__proto__'/);
  refused(String.raw`{{ v[('con' ~ '\x73tructor')] }}`, { v: 'x' }, /may not reach 'constructor'/);
});

test('to_human_time_from_seconds: 4587 is 1h16m27s; zero, sub-second and days', () => {
  assert.equal(r('{{ 4587 | to_human_time_from_seconds }}'), '1h16m27s');
  assert.equal(r('{{ 0 | to_human_time_from_seconds }}'), '0s');
  assert.equal(r('{{ 59.6 | to_human_time_from_seconds }}'), '1m0s');
  assert.equal(r('{{ 90061 | to_human_time_from_seconds }}'), '1d1h1m1s');
  assert.equal(r('{{ 0.5 | to_human_time_from_seconds }}'), '0.5\u03bcs');
  refused("{{ 'soon' | to_human_time_from_seconds }}", {}, /not a number of seconds/);
});

test('use_none keeps None a None value; basename and dirname as os.path', () => {
  assert.equal(r('{{ v | use_none }}', { v: null }), null);
  assert.equal(r('{{ v | use_none }}', { v: 'x' }), 'x');
  assert.equal(r("{{ '/etc/network/interfaces' | basename }}"), 'interfaces');
  assert.equal(r("{{ '/etc/network/interfaces' | dirname }}"), '/etc/network');
  assert.equal(r("{{ '/etc/' | basename }}"), '');
  assert.equal(r("{{ '/vmlinuz' | dirname }}"), '/');
  assert.equal(r("{{ 'file.txt' | dirname }}"), '');
});

test('version filters compare, match, bump and strip semantic versions as semver orders them', () => {
  assert.equal(r("{{ '1.10.0' | version_compare('1.9.0') }}"), 1);
  assert.equal(r("{{ '1.0.0-rc.1' | version_compare('1.0.0') }}"), -1);
  assert.equal(r("{{ '1.0.0-alpha.2' | version_compare('1.0.0-alpha.10') }}"), -1);
  assert.equal(r("{{ '1.0.0+build.5' | version_compare('1.0.0') }}"), 0);
  assert.equal(r("{{ '2.1.0' | version_more_than('2.0.9') }}"), true);
  assert.equal(r("{{ '2.1.0' | version_less_than('2.0.9') }}"), false);
  assert.equal(r("{{ '2.1.0' | version_equal('2.1.0') }}"), true);
  assert.equal(r("{{ '2.1.0' | version_match('>=2.0.0') }}"), true);
  assert.equal(r("{{ '2.1.0' | version_match('<2.1.0') }}"), false);
  assert.equal(r("{{ '2.1.0' | version_match('!=2.1.0') }}"), false);
  assert.equal(r("{{ '1.2.3' | version_bump_major }}"), '2.0.0');
  assert.equal(r("{{ '1.2.3' | version_bump_minor }}"), '1.3.0');
  assert.equal(r("{{ '1.2.3' | version_bump_patch }}"), '1.2.4');
  assert.equal(r("{{ '1.2.3' | version_strip_patch }}"), '1.2');
  refused("{{ '1.2' | version_compare('1.2.0') }}", {}, /version_compare: "1\.2" is not a semantic version/);
  refused("{{ '1.2.0' | version_match('1.2.0') }}", {}, /version_match: "1\.2\.0" must be an operator/);
});

test('from_json_string and from_yaml_string never fail with anything but NRX_ERR_TEMPLATE (property-based)', () => {
  const text = fc.oneof(
    fc.string(),
    fc.json(),
    fc.string({ unit: fc.constantFrom('{', '}', '[', ']', ':', '-', ' ', '\n', '"', "'", '&a', '*a', '!!', 'a', '1', ',') }),
  );
  fc.assert(
    fc.property(text, fc.constantFrom('from_json_string', 'from_yaml_string'), (s, filter) => {
      try {
        r(`{{ s | ${filter} }}`, { s });
      } catch (e) {
        assert.ok(isNrxError(e) && e.code === 'NRX_ERR_TEMPLATE', `${filter} threw ${String(e)}`);
        assert.doesNotMatch((e as Error).message, /SyntaxError|Unexpected token|YAMLException/);
      }
    }),
    { numRuns: 400 },
  );
});

test('a JSON value from from_json_string writes back the same through to_json_string (property-based)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = r('{{ v | to_json_string }}', { v });
      assert.deepEqual(r('{{ s | from_json_string }}', { s: text }), JSON.parse(JSON.stringify(v)));
    }),
    { numRuns: 200 },
  );
});

test('jsonpath_query and the version filters parse any text without failing other than NRX_ERR_TEMPLATE (property-based)', () => {
  const v = { a: [{ b: 1 }, { b: [2, { c: 3 }] }], 'x y': { z: null } };
  const query = fc.string({
    unit: fc.constantFrom('$', '.', '..', '[', ']', '*', "'", '"', ':', ',', '-1', '0', '2', 'a', 'b', 'c', 'x y', '?', '(', '@', ' '),
  });
  const version = fc.string({ unit: fc.constantFrom('1', '0', '.', '-', '+', 'rc', 'a', '>', '<', '=', '!', ' ') });
  const onlyTemplateErrors = (run: () => unknown): void => {
    try {
      run();
    } catch (e) {
      assert.ok(isNrxError(e) && e.code === 'NRX_ERR_TEMPLATE', `threw ${String(e)}`);
    }
  };
  fc.assert(
    fc.property(query, version, version, (q, a, b) => {
      onlyTemplateErrors(() => {
        const found = r('{{ v | jsonpath_query(q) }}', { v, q });
        assert.ok(found === null || Array.isArray(found));
      });
      onlyTemplateErrors(() => assert.ok([-1, 0, 1].includes(r('{{ a | version_compare(b) }}', { a, b }) as number)));
      onlyTemplateErrors(() => assert.equal(typeof r('{{ a | version_match(b) }}', { a, b }), 'boolean'));
    }),
    { numRuns: 400 },
  );
});
