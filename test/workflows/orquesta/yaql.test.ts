import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isNrxError, NrxError } from '../../../src/core/errors.js';
import { setTemplateLimits } from '../../../src/core/template-budget.js';
import { compileYaql, evaluateYaql, type YaqlHost } from '../../../src/workflows/orquesta/yaql/evaluate.js';

/**
 * YAQL as orquesta evaluates it. Expected values are YAQL's (yaql 1.x standard library and
 * operators) and orquesta's function docs; where netreflex differs on purpose the test says so.
 */

const DATA = {
  x: 1,
  s: 'Hello World',
  list: [
    { name: 'eth0', up: true, mtu: 1500 },
    { name: 'eth1', up: false, mtu: 9000 },
  ],
  nested: { a: { b: 'deep' } },
  nums: [3, 1, 3, 2],
  empty: [],
  none: null,
};

const host = (root: unknown = DATA, functions: YaqlHost['functions'] = {}): YaqlHost => ({ root, functions });
const y = (expr: string, root: unknown = DATA): unknown => evaluateYaql(expr, host(root));

/** The expression fails with NRX_ERR_TEMPLATE quoting it, with a message matching `why`. */
function fails(expr: string, why: RegExp, root: unknown = DATA): void {
  assert.throws(
    () => y(expr, root),
    (e: unknown) => {
      assert.ok(isNrxError(e), `expected NrxError, got ${String(e)}`);
      assert.equal(e.code, 'NRX_ERR_TEMPLATE');
      assert.ok(e.message.includes(`<% ${expr.trim()} %>`), e.message);
      assert.match(e.message, why);
      return true;
    },
  );
}

describe('YAQL: data access', () => {
  test('$ is the context; .x reads a key; a missing key is null, as YAQL reads dicts', () => {
    assert.deepEqual(y('$'), DATA);
    assert.equal(y('$.x'), 1);
    assert.equal(y('$.nested.a.b'), 'deep');
    assert.equal(y('$.nope'), null);
    assert.equal(y('$.x != null'), true);
    assert.equal(y('$.nope = null'), true);
  });
  test('indexing: lists by position (negative from the end), dicts by key, strings by character', () => {
    assert.equal(y('$.list[0].name'), 'eth0');
    assert.equal(y('$.list[-1].mtu'), 9000);
    assert.equal(y("$.nested['a'].b"), 'deep');
    assert.equal(y('$.s[0]'), 'H');
    fails('$.list[5]', /index 5 is out of range \(length 2\)/);
    fails("$.nested['zz']", /key 'zz' is not in the dict/);
    fails('$.x[0]', /cannot index an integer/);
  });
  test('.x of a list reads x of every dict in it; ?. gives null instead of failing on null', () => {
    assert.deepEqual(y('$.list.name'), ['eth0', 'eth1']);
    assert.equal(y('$.none?.x'), null);
    fails('$.none.x', /cannot read 'x' of null/);
    fails('$.x.y', /cannot read 'y' of an integer/);
  });
  test('literals: numbers, strings with escapes, true/false/null, lists, dicts with =>', () => {
    assert.deepEqual(y('[1, 2.5, \'a\', "b", true, false, null]'), [1, 2.5, 'a', 'b', true, false, null]);
    assert.equal(y("'a\\tb'"), 'a\tb');
    assert.equal(y("'\\d+'"), '\\d+'); // unknown escapes kept, as Python reads them
    assert.equal(y('`raw\\n`'), 'raw\\n');
    assert.deepEqual(y("{a => 1, 'b c' => [1]}"), { a: 1, 'b c': [1] });
    assert.deepEqual(y('{}'), {});
    fails("{'__proto__' => 1}", /may not have the key '__proto__'/);
  });
  test('a bare name is a string (YAQL keyword strings)', () => {
    assert.equal(y('devices'), 'devices');
  });
});

describe('YAQL: operators', () => {
  test('arithmetic with YAQL precedence; whole numbers divide to whole numbers; mod takes the divisor sign', () => {
    assert.equal(y('1 + 2 * 3'), 7);
    assert.equal(y('(1 + 2) * 3'), 9);
    assert.equal(y('-2 * 3'), -6);
    assert.equal(y('7 / 2'), 3);
    assert.equal(y('7.5 / 2'), 3.75);
    // differs: JavaScript has one number type, so 7.0 is a whole number here (YAQL: 7.0 / 2 = 3.5)
    assert.equal(y('7.0 / 2'), 3);
    assert.equal(y('-7 mod 3'), 2);
    assert.equal(y('$.x - 3'), -2);
    fails('1 / 0', /division by zero/);
    fails("2 * 'a'", /needs two numbers/);
  });
  test('+ joins strings, lists and dicts; text and a number need str()', () => {
    assert.equal(y("'a' + 'b'"), 'ab');
    assert.equal(y("'mtu ' + str($.list[0].mtu)"), 'mtu 1500');
    assert.deepEqual(y('[1] + [2, 3]'), [1, 2, 3]);
    assert.deepEqual(y('{a => 1} + {b => 2}'), { a: 1, b: 2 });
    fails("'a' + 1", /cannot add an integer to a string \(use str\(\)/);
  });
  test('comparison: = and != compare by content (== is read as =), < > <= >= on numbers or on strings', () => {
    assert.equal(y('[1, {a => 2}] = [1, {a => 2}]'), true);
    assert.equal(y('1 = 1.0'), true);
    assert.equal(y('$.x == 1'), true);
    assert.equal(y("'a' != 'b'"), true);
    assert.equal(y("'abc' < 'abd'"), true);
    assert.equal(y('2 >= 2 and 1 < 2 and 3 > 2 and 1 <= 1'), true);
    fails("1 < 'a'", /cannot compare an integer with a string/);
  });
  test('and, or give one of their operands as Python does; not; the right side only when needed', () => {
    assert.equal(y("null or 'fallback'"), 'fallback');
    assert.equal(y('1 and 0'), 0);
    assert.deepEqual(y('[] or []'), []);
    assert.equal(y('not $.empty'), true);
    assert.equal(y('not 1 = 2'), true); // not binds looser than =
    assert.equal(y('false and $.none.x'), false);
    assert.equal(y('true or $.none.x'), true);
  });
  test('in: list membership, dict keys, substrings', () => {
    assert.equal(y("'eth0' in $.list.name"), true);
    assert.equal(y("'a' in $.nested"), true);
    assert.equal(y("'World' in $.s"), true);
    assert.equal(y('4 in $.nums'), false);
    fails('1 in 2', /'in' needs a list, a dict or a string/);
  });
  test('=~ and !~ match a pattern anywhere (re.search), on the linear-time engine', () => {
    assert.equal(y("$.s =~ 'Wor'"), true);
    assert.equal(y("$.s =~ '^World'"), false);
    assert.equal(y("$.s !~ '\\d'"), true);
    fails("$.s =~ '(?<=a)b'", /lookbehind|not supported/i);
  });
});

describe('YAQL: functions and methods', () => {
  test('select and where run their expression with $ bound to each item', () => {
    assert.deepEqual(y('$.list.select($.name)'), ['eth0', 'eth1']);
    assert.deepEqual(y('$.list.where($.up).select($.name)'), ['eth0']);
    assert.deepEqual(y('$.list.where($.mtu > 1500).select([$.name, $.mtu])'), [['eth1', 9000]]);
    assert.deepEqual(y('$.nums.select($ * 2)'), [6, 2, 6, 4]);
    fails('$.x.select($)', /\.select\(\) needs a list, not an integer/);
  });
  test('len/count, str, int, float, bool', () => {
    assert.equal(y('len($.list)'), 2);
    assert.equal(y('$.s.len()'), 11);
    assert.equal(y('len($.nested)'), 1);
    assert.equal(y('$.nums.count()'), 4);
    assert.equal(y('str(null)'), 'null');
    assert.equal(y('str(true)'), 'true');
    assert.equal(y('str(12)'), '12');
    assert.equal(y("int('42') + int(2.9) + int(null)"), 44);
    assert.equal(y("float('1.5') * 2"), 3);
    assert.equal(y("bool('false')"), false);
    assert.equal(y("bool('no')"), true);
    assert.equal(y('bool([])'), false);
    fails("int('x1')", /cannot make an integer of "x1"/);
    fails('len(1)', /needs a string, list or dict/);
  });
  test('list() gathers its arguments, unpacking lists; dict() from named arguments, pairs or dicts', () => {
    assert.deepEqual(y('list(1, [2, 3], 4)'), [1, 2, 3, 4]);
    assert.deepEqual(y('list()'), []);
    assert.deepEqual(y("dict(a => 1, b => 'x')"), { a: 1, b: 'x' });
    assert.deepEqual(y("dict([['k', 1], ['v', 2]])"), { k: 1, v: 2 });
    assert.deepEqual(y('dict({a => 1}, b => 2)'), { a: 1, b: 2 });
  });
  test('text methods: toUpper, toLower, trim, split (Python rules), replace, startsWith, endsWith, join both ways', () => {
    assert.equal(y('$.s.toUpper()'), 'HELLO WORLD');
    assert.equal(y('$.s.toLower()'), 'hello world');
    assert.equal(y("'  x '.trim()"), 'x');
    assert.deepEqual(y("' a  b c '.split()"), ['a', 'b', 'c']);
    assert.deepEqual(y("'a,b,,c'.split(',')"), ['a', 'b', '', 'c']);
    assert.deepEqual(y("'a,b,c'.split(',', 1)"), ['a', 'b,c']);
    assert.equal(y("'aaa'.replace('a', 'b')"), 'bbb');
    assert.equal(y("'aaa'.replace('a', 'b', 2)"), 'bba');
    assert.equal(y("$.s.startsWith('Hell')"), true);
    assert.equal(y("$.s.endsWith('x', 'World')"), true);
    assert.equal(y("$.list.name.join(', ')"), 'eth0, eth1');
    assert.equal(y("', '.join($.nums)"), '3, 1, 3, 2');
    fails("$.s.split('')", /the separator is empty/);
  });
  test('dict methods: containsKey, keys, values; list methods: distinct, first, last, sum, min, max, contains, isEmpty', () => {
    assert.equal(y("$.nested.containsKey('a')"), true);
    assert.equal(y("$.containsKey('zz')"), false);
    assert.deepEqual(y('$.list[0].keys()'), ['name', 'up', 'mtu']);
    assert.deepEqual(y('$.list[0].values()'), ['eth0', true, 1500]);
    assert.deepEqual(y('$.nums.distinct()'), [3, 1, 2]);
    assert.deepEqual(y('[{a => 1}, {a => 1}].distinct()'), [{ a: 1 }]);
    assert.equal(y('$.nums.first()'), 3);
    assert.equal(y("$.empty.first('none')"), 'none');
    assert.equal(y('$.nums.last()'), 2);
    assert.equal(y('$.nums.sum()'), 9);
    assert.equal(y('$.nums.max()'), 3);
    assert.equal(y('min(4, 2, 8)'), 2);
    assert.equal(y('$.nums.contains(2)'), true);
    assert.equal(y('$.empty.isEmpty()'), true);
    fails('$.empty.first()', /the list is empty/);
    fails("'x'.keys()", /must be a dict, not a string/);
  });
  test("StackStorm's filters are YAQL functions too (and json_dump/json_parse/yaml_dump/yaml_parse), with the filters' values", () => {
    assert.equal(y('to_json_string($.nested)'), '{"a": {"b": "deep"}}');
    assert.deepEqual(y('from_json_string(\'{"k": [1]}\')'), { k: [1] });
    assert.deepEqual(y("json_parse('[1, 2]')"), [1, 2]);
    assert.equal(y('yaml_dump($.nested)'), 'a:\n  b: deep\n');
    assert.deepEqual(y("jsonpath_query($, '$.list[*].name')"), ['eth0', 'eth1']);
    assert.equal(y("regex_replace('xyz', 'x', 'wx')"), 'wxyz');
    assert.equal(y("version_compare('0.10.0', '0.10.1')"), -1);
    assert.equal(y("basename('/a/b.txt')"), 'b.txt');
    assert.equal(y('to_human_time_from_seconds(12345)'), '3h25m45s');
    fails("from_json_string('{')", /from_json_string\(\): .*JSON/);
  });
  test('abs and range (stop excluded, held to the range limit)', () => {
    assert.equal(y('abs(-3)'), 3);
    assert.deepEqual(y('range(3)'), [0, 1, 2]);
    assert.deepEqual(y('range(2, 5)'), [2, 3, 4]);
    fails('range(0, 100000000)', /range\(\): would make 100000000 items; the limit is/);
  });
  test('coalesce gives its first argument that is not null, and evaluates no further', () => {
    assert.equal(y("coalesce($.nope, null, 'b', $.none.x)"), 'b');
    assert.equal(y('coalesce(null)'), null);
  });
  test('the host lends the Orquesta functions; their refusals are told with the expression', () => {
    const h = host(DATA, {
      ctx: ([name]) => {
        if (name === 'nope') throw new NrxError('NRX_ERR_TEMPLATE', "variable 'nope' is not defined");
        return name === undefined ? DATA : (DATA as Record<string, unknown>)[String(name)];
      },
      st2kv: ([key], kw) => `${String(key)}:${JSON.stringify(kw)}`,
    });
    assert.equal(evaluateYaql('ctx(x)', h), 1);
    assert.equal(evaluateYaql('ctx().nested.a.b', h), 'deep');
    assert.equal(evaluateYaql("st2kv('system.k', decrypt => true)", h), 'system.k:{"decrypt":true}');
    assert.throws(
      () => evaluateYaql('ctx(nope)', h),
      (e: unknown) => isNrxError(e) && /<% ctx\(nope\) %>: variable 'nope' is not defined \(column 1\)/.test(e.message),
    );
  });
});

describe('YAQL: what is refused when the workflow loads', () => {
  const refused = (expr: string, why: RegExp, construct?: string): void => {
    assert.throws(
      () => compileYaql(expr),
      (e: unknown) => {
        assert.ok(isNrxError(e), String(e));
        assert.match(e.message, why);
        if (construct !== undefined) assert.equal(e.details.construct, construct);
        return true;
      },
    );
  };
  test('constructs outside the subset are named', () => {
    refused('$.list.select(x -> x)', /lambdas \('->'\) are not supported/, '->');
    refused('$var', /YAQL variables other than \$ \('\$var'\)/, '$var');
    refused('regex(1)', /unknown or unsupported function 'regex\(\)' \(column 1\)/, 'regex()');
    refused('$.s.selectMany($)', /unknown or unsupported method '\.selectMany\(\)'/, '.selectMany()');
    refused('{a: 1}', /':' is not YAQL; a dict is written \{key => value\}/, ':');
    refused('len(1, 2)', /len\(\) takes 1 argument, not 2/, 'len()');
    refused('$.s.toUpper(1)', /\.toUpper\(\) takes 1 argument \(the value before the dot counts as the first\), not 2/);
    refused("st2kv('k', decrypted => true)", /st2kv\(\) has no argument named 'decrypted'/, 'decrypted =>');
    refused("'open", /the string that starts at column 1 is not closed/);
    refused('', /the expression is empty/);
    refused('$.x +', /unexpected end of expression at column 6/);
    refused('$.x ; 1', /unexpected character ";" at column 5/);
    refused(`${'('.repeat(150)}1${')'.repeat(150)}`, /nests deeper than 100 levels/, 'nesting');
    refused(Array.from({ length: 300 }, () => '1').join(' + '), /more than 200 operations deep/, 'nesting');
    refused(`'${'x'.repeat(10_001)}'`, /longer than 10000 characters/);
  });

  test('the parser fails only with NrxError, whatever the text', () => {
    const pieces = fc.constantFrom(
      '$',
      '.',
      'x',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '=>',
      ',',
      "'a'",
      '1',
      ' and ',
      ' not ',
      '+',
      '-',
      '*',
      ' mod ',
      '=',
      '!=',
      '<',
      'select',
      'where',
      'len',
      'ctx',
      'st2kv',
      '?.',
      '`',
      '"',
      '\\',
      ':',
      '->',
    );
    const exprs = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(pieces, { maxLength: 25 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(exprs, (text) => {
        try {
          compileYaql(text);
        } catch (e) {
          assert.ok(e instanceof NrxError, `${JSON.stringify(text)}: ${String(e)}`);
          assert.equal(e.code, 'NRX_ERR_TEMPLATE');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('YAQL: evaluation stays within the render budget', () => {
  test('select over more items than the loop limit is refused, naming the limit', () => {
    const before = setTemplateLimits({});
    setTemplateLimits({ maxLoopIterations: 1000 });
    try {
      const big = { items: Array.from({ length: 2000 }, (_, i) => i) };
      assert.throws(
        () => evaluateYaql('$.items.select($ + 1)', host(big)),
        (e: unknown) => isNrxError(e) && /more than 1000 loop iterations/.test(e.message) && e.details.limit === 'loop iterations',
      );
      assert.equal(evaluateYaql('$.items.where($ < 10).len()', host({ items: big.items.slice(0, 500) })) as number, 10);
    } finally {
      setTemplateLimits(before);
    }
  });
  test('text that grows past the output limit is refused before it is built', () => {
    const before = setTemplateLimits({});
    setTemplateLimits({ maxOutputChars: 10_000 });
    try {
      assert.throws(
        () => evaluateYaql("$.s.replace('a', $.s)", host({ s: 'a'.repeat(5_000) })),
        (e: unknown) => isNrxError(e) && /would grow the text by more than 10000 characters/.test(e.message),
      );
    } finally {
      setTemplateLimits(before);
    }
  });
  test('random expressions over random data fail only with NrxError, and never run past the budget', () => {
    const before = setTemplateLimits({});
    setTemplateLimits({ maxLoopIterations: 5_000, maxOutputChars: 50_000, timeoutMs: 250 });
    const json = fc.jsonValue({ maxDepth: 3 });
    const atom = fc.constantFrom('$', '$.a', '$.b[0]', "'t'", '1', '2.5', 'null', 'true', '[1, 2]', '{k => 1}', '$.a.b');
    const expr = fc.letrec((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc
          .tuple(tie('e'), fc.constantFrom(' + ', ' - ', ' * ', ' / ', ' mod ', ' = ', ' < ', ' and ', ' or ', ' in '), tie('e'))
          .map(([a, o, b]) => `(${String(a)}${o}${String(b)})`),
        fc
          .tuple(
            tie('e'),
            fc.constantFrom('.select($)', '.where($)', '.len()', '.keys()', ".join(',')", '.distinct()', '.first(0)', '.split()', '.toUpper()', '[0]', '.a'),
          )
          .map(([a, m]) => `${String(a)}${m}`),
        fc.tuple(fc.constantFrom('len', 'str', 'int', 'float', 'bool', 'list', 'coalesce'), tie('e')).map(([f, a]) => `${f}(${String(a)})`),
      ),
    })).e;
    try {
      fc.assert(
        fc.property(expr, json, (text, data) => {
          const started = Date.now();
          try {
            const v = evaluateYaql(String(text), host({ a: data, b: [data] }));
            assert.notEqual(v, undefined);
          } catch (e) {
            assert.ok(e instanceof NrxError, `${String(text)}: ${String(e)}`);
          }
          // the budget's own time limit is 250 ms; a hang would be far beyond
          assert.ok(Date.now() - started < 5_000);
        }),
        { numRuns: 1500 },
      );
    } finally {
      setTemplateLimits(before);
    }
  });
});
