import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePythonRegex, matchAt, PyRegexError } from '../../../drivers/textfsm/python-regex.js';

const groups = (pattern: string, subject: string): Array<string | null> | null => {
  const m = matchAt(compilePythonRegex(pattern), subject);
  return m ? [...m].map((g) => g ?? null) : null;
};

test('re.match semantics: anchored at the start, not at the end', () => {
  assert.deepEqual(groups('ab', 'abx'), ['ab']);
  assert.equal(groups('ab', 'xab'), null);
  assert.equal(groups('ab$', 'abx'), null);
  assert.deepEqual(groups('ab\\Z', 'ab'), ['ab']);
  assert.deepEqual(groups('\\Aab', 'ab'), ['ab']);
  // the same compiled regex twice: nothing left over from the last match
  const r = compilePythonRegex('\\d+');
  assert.equal(matchAt(r, '12 34')![0], '12');
  assert.equal(matchAt(r, '56')![0], '56');
});

test('(?P<name>...) groups and (?P=name) references, numbered as Python numbers them', () => {
  const pattern = '(?P<intf>\\S+) (\\w+) (?P<state>up|down) (?P=intf)';
  const r = compilePythonRegex(pattern);
  assert.deepEqual(
    [...r.groupNames],
    [
      ['intf', 1],
      ['state', 3],
    ],
  );
  assert.equal(r.groupCount, 3);
  assert.deepEqual(groups(pattern, 'Gi1 is up Gi1'), ['Gi1 is up Gi1', 'Gi1', 'is', 'up']);
  assert.equal(groups(pattern, 'Gi1 is up Gi2'), null);
  // a backreference followed by a digit stays a reference to group 1
  assert.deepEqual(groups('(a)\\1(?:)0', 'aa0'), ['aa0', 'a']);
});

test("(?i), (?i:...) and (?-i:...) follow Python's case rules", () => {
  assert.deepEqual(groups('(?i)show ip', 'SHOW IP'), ['SHOW IP']);
  assert.deepEqual(groups('(?i:show) ip', 'SHOW ip'), ['SHOW ip']);
  assert.equal(groups('(?i:show) ip', 'SHOW IP'), null);
  assert.deepEqual(groups('(?i)a(?-i:b)c', 'AbC'), ['AbC']);
  assert.equal(groups('(?i)a(?-i:b)c', 'ABC'), null);
  assert.deepEqual(groups('(?i:[a-c]+)', 'aBc'), ['aBc']);
  assert.deepEqual(groups('(?i:k)', '\u212a'), ['\u212a'], 'KELVIN SIGN is a k, as in Python');
  assert.deepEqual(groups('(?i)i+', 'iIı\u0130'), ['iIı\u0130'], 'dotless and dotted I are i to Python (not to a JavaScript i flag)');
  assert.deepEqual(groups('(?i)(a)\\1', 'aA'), ['aA', 'a'], 'a backreference under (?i) ignores case too');
  assert.deepEqual(groups('(?x) a b # comment\n c', 'abc'), ['abc']);
  assert.deepEqual(groups('(?s)a.b', 'a\nb'), ['a\nb']);
  assert.equal(groups('a.b', 'a\nb'), null);
});

test("Python's Unicode classes: \\d \\w \\s and \\b as Python defines them", () => {
  assert.deepEqual(groups('\\d+', '\u0663\u0664x'), ['\u0663\u0664'], 'Arabic-Indic digits are \\d');
  assert.deepEqual(groups('\\w+', 'naïve_1 x'), ['naïve_1']);
  assert.deepEqual(groups('a\\sb', 'a\x1fb'), ['a\x1fb'], 'U+001F is whitespace to Python');
  assert.equal(groups('a\\sb', 'a\ufeffb'), null, 'U+FEFF is not');
  assert.deepEqual(groups('[\\S]+', 'ab c'), ['ab']);
  assert.deepEqual(groups('[^\\W\\d]+', 'ab1'), ['ab']);
  assert.deepEqual(groups('.*\\bé', 'x é'), ['x é']);
  assert.equal(groups('.*\\Bé', 'x é'), null);
  assert.equal(groups('\\B', ''), null, "Python's \\B does not match an empty string");
  assert.deepEqual(groups('(?a)\\w+', 'abé'), ['ab']);
});

test("Python's syntax where JavaScript's differs: braces, ], escapes, octal", () => {
  assert.deepEqual(groups('a{,2}', 'aaa'), ['aa']);
  assert.deepEqual(groups('a{x}', 'a{x}'), ['a{x}']);
  assert.deepEqual(groups('{}', '{}'), ['{}']);
  assert.deepEqual(groups('[]a]+', ']a]'), [']a]']);
  assert.deepEqual(groups('[\\w\\-.:]+', 'Gi0/1'), ['Gi0']);
  assert.deepEqual(groups('\\-\\:\\ \\#', '-: #'), ['-: #']);
  assert.deepEqual(groups('\\101\\x42\\u0043\\0', 'ABC\0'), ['ABC\0']);
  assert.deepEqual(groups('(?=a)*a', 'a'), ['a']);
  assert.deepEqual(groups('(?<=ab|cd)e', 'e'), null);
});

test('what Python refuses, or JavaScript cannot express, is a PyRegexError saying which', () => {
  const refused = (pattern: string): PyRegexError => {
    try {
      compilePythonRegex(pattern);
    } catch (e) {
      assert.ok(e instanceof PyRegexError, String(e));
      return e;
    }
    assert.fail(`${pattern} was accepted`);
  };
  for (const [pattern, message] of [
    ['a**', /multiple repeat/],
    ['\\q', /bad escape \\q/],
    ['(?<x>a)', /unknown extension \?<x/],
    ['a(?i)b', /global flags not at the start/],
    ['(?<=a+)b', /look-behind requires fixed-width pattern/],
    ['[z-a]', /bad character range z-a/],
    ['(a\\1)', /cannot refer to an open group/],
  ] as const) {
    const e = refused(pattern);
    assert.match(e.message, message);
    assert.equal(e.unsupported, false, pattern);
  }
  for (const pattern of ['a++', 'a*+', 'a{1,2}+', '(?>a)', '(a)(?(1)b)', '\\N{EM DASH}']) {
    assert.equal(refused(pattern).unsupported, true, pattern);
  }
});
