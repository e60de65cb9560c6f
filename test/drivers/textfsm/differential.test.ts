/**
 * Differential test: the TypeScript TextFSM engine against the reference implementation
 * (Debian's python3-textfsm, run in the same test on the same files). Outputs must be equal:
 * the same records with the same keys in the same order, or both refuse with the same kind of
 * error at the same template line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { compilePythonRegex, matchAt } from '../../../drivers/textfsm/python-regex.js';
import { cases, deviceOutputLookups, NTC_DIR, ourCase, ourLookup } from './corpus.js';
import { agrees, goldenForCase, goldenForLookup, toGolden, writeGoldens, type Golden } from './golden.js';
import { templateArb } from './random-templates.js';
import { referenceSkipReason, runReference } from './reference.js';

const skip = await referenceSkipReason();
const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-textfsm-diff-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function explain(what: string, ours: unknown, reference: unknown): string {
  return `${what}\n  reference: ${JSON.stringify(reference)}\n  ours:      ${JSON.stringify(ours)}`;
}

describe('TextFSM engine vs python3-textfsm', { skip, timeout: 300_000 }, () => {
  test('every corpus case (options, actions, states, regex syntax, template errors): same records or same refusal', async () => {
    const all = cases();
    const answer = await runReference({ cases: all.map((c) => ({ template: c.template, inputs: c.inputs })) });
    const live = all.map((c, i) => ({ c, answers: answer.cases[i]!.map(toGolden) }));
    const lookups = deviceOutputLookups();
    const lookupAnswer = await runReference({ lookups: lookups.map((l) => ({ dir: NTC_DIR, attributes: l.attributes, input: l.input })) });
    const liveLookups = lookups.map((l, i) => ({ l, answer: toGolden(lookupAnswer.lookups[i]!) }));
    if (process.env.NETREFLEX_TEXTFSM_WRITE_GOLDEN === '1') writeGoldens(live, liveLookups);

    let compared = 0;
    for (const { c, answers } of live) {
      const ours = ourCase(c);
      answers.forEach((ref, i) => {
        const where = `${c.name} on ${path.basename(c.inputs[i]!)}`;
        assert.ok(!('error' in ref && ref.error.kind === 'crash'), `the reference crashed on ${where}: the corpus must stay inside textfsm's behaviour`);
        assert.ok(agrees(ours[i]!, ref), explain(where, ours[i], ref));
        const stored = goldenForCase(c)?.[path.basename(c.inputs[i]!)];
        assert.deepEqual(stored, ref, `${where}: expected.json is stale; rerun with NETREFLEX_TEXTFSM_WRITE_GOLDEN=1`);
        compared++;
      });
    }
    assert.ok(compared >= 60, `only ${compared} comparisons: the corpus went missing`);
  });

  test('ntc-style index on the shared device outputs: the same template picked, the same records', async () => {
    const lookups = deviceOutputLookups();
    const answer = await runReference({ lookups: lookups.map((l) => ({ dir: NTC_DIR, attributes: l.attributes, input: l.input })) });
    let parsed = 0;
    lookups.forEach((l, i) => {
      const ref = toGolden(answer.lookups[i]!);
      const ours = ourLookup(l);
      assert.ok(agrees(ours, ref), explain(l.name, ours, ref));
      assert.deepEqual(goldenForLookup(l), ref, `${l.name}: ntc-expected.json is stale`);
      if ('records' in ref && ref.records.length > 0) parsed++;
    });
    assert.ok(parsed >= 15, `only ${parsed} device outputs parsed into records`);
  });

  test('random templates and inputs (fast-check, fixed seed): same records or same refusal', async () => {
    const samples = fc.sample(templateArb, { seed: 20240914, numRuns: 1000 });
    const generated = samples.map((s, i) => {
      const template = path.join(tmp, `random-${i}.textfsm`);
      const input = path.join(tmp, `random-${i}.txt`);
      writeFileSync(template, s.text);
      writeFileSync(input, s.input);
      return { name: `random-${i}`, template, inputs: [input] };
    });
    const answer = await runReference({ cases: generated });
    const kinds = new Map<string, number>();
    generated.forEach((c, i) => {
      const ref: Golden = toGolden(answer.cases[i]![0]!);
      const ours = ourCase(c)[0]!;
      const kind = 'records' in ref ? (ref.records.length ? 'records' : 'none') : ref.error.kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      assert.ok(agrees(ours, ref), explain(`${c.name}\n${samples[i]!.text}\n--- input ---\n${samples[i]!.input}`, ours, ref));
    });
    // the generator must keep exercising records, runtime Errors and template errors
    for (const k of ['records', 'parse', 'template']) assert.ok((kinds.get(k) ?? 0) >= 30, `too few '${k}' outcomes: ${JSON.stringify([...kinds])}`);
  });

  test("regex translation: Python's re.match and ours capture the same groups", async () => {
    const subjects = [
      '',
      'abc',
      'ABC',
      'a-b c',
      'Gi0/1 is up',
      ' \t x',
      'x\u00a0y',
      'x\u1680y',
      'x\ufeffy',
      'x\x1fy',
      '\u0663\u0664 4',
      'naïve café',
      'ſ s S',
      'k K \u212a',
      'ı i I \u0130',
      'a{2}',
      'a]b',
      '$1.50',
      '😀x',
      'aaaa',
      'abab',
      'foo.bar',
      'x\\y',
    ];
    const patterns = [
      '(?i)abc',
      '(?i)i+',
      '(?i:I+)',
      '(?i)(a)\\1',
      '(?i:abc)d',
      'A(?i:b)C',
      '(?i)a(?-i:b)c',
      '(?i:[a-c]+)',
      '(?i:[^a-c]+)',
      '(?i:k)',
      '(?i:s)',
      '\\w+',
      '\\W+',
      '[\\W]+',
      '[^\\W]+',
      '[\\Wa]+',
      '[^\\Wa]+',
      '\\d+',
      '\\D+',
      '\\s+',
      '\\S+',
      '[\\S]+',
      '[^\\S]+',
      'x\\sy',
      '\\bx',
      'x\\b',
      '\\Bb',
      '\\B',
      '(?a)\\w+',
      '(?a:\\s)',
      '(?a)[\\W]+',
      'a{2}',
      'a{,2}',
      'a{2,}',
      'a{}',
      'a{x}',
      '{',
      '}',
      ']',
      '[]a]+',
      '[^]a]+',
      '[a-]+',
      '[\\-]',
      '\\-',
      '\\:',
      '\\ ',
      '(a)\\1',
      '(?P<x>a)(?P=x)',
      '\\0',
      '\\101',
      '[\\101]',
      '[\\1]',
      '\\x41',
      '\\u0041',
      '\\U0001F600',
      '(?x) a b # comment\n c',
      '(?s).',
      '(?#comment)a',
      'a(?#c)*',
      '(?=a)a',
      '(?!b)\\w',
      '(?<=a)b',
      '(?<!a)b',
      '(?:(?=a))*a',
      '(?=a)*',
      '\\Aabc\\Z',
      'abc$',
      'a|b|',
      '(a|ab)(c|bcd)(d*)',
      'a*?',
      'a??',
      '[\\b]',
      '\\$\\d+\\.\\d\\d',
      '(?P<a>\\w)(?P<b>\\w)?',
      '(x)?(y)?',
      '[\\w.-]+',
      '(?<=ab|cd)e',
      '(?i)(?s)a.',
      // refused by both
      '(?P<1a>x)',
      '(?P<a>x)(?P<a>y)',
      '\\q',
      '[z-a]',
      '\\8',
      '(',
      ')',
      'a**',
      'x{3,2}',
      '(?<=a|bb)c',
      '(?L)a',
      '(?au)x',
      'a(?i)b',
      '(?<x>a)',
      '(a\\1)',
    ];
    const answer = await runReference({ regex: patterns.map((pattern) => ({ pattern, subjects })) });
    patterns.forEach((pattern, i) => {
      const ref = answer.regex[i]!;
      if ('error' in ref) {
        assert.throws(() => compilePythonRegex(pattern), { name: 'PyRegexError' }, `${JSON.stringify(pattern)}: Python refuses it (${ref.error})`);
        return;
      }
      const rx = compilePythonRegex(pattern);
      const ours = subjects.map((s) => {
        const m = matchAt(rx, s);
        return m ? [...m].map((g) => g ?? null) : null;
      });
      assert.deepEqual(ours, ref.matches, `${JSON.stringify(pattern)} -> /${rx.source}/`);
    });
  });
});
