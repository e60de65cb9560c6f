/**
 * fast-check arbitraries for TextFSM templates and inputs drawn from a small vocabulary, so rules
 * actually match and every option, action and state change meets every other. Some generated
 * templates are invalid on purpose (a Value used twice in a rule, Continue with a state): the
 * differential test wants both engines to refuse those too.
 */
import fc from 'fast-check';

const OPTIONS = ['Filldown', 'Fillup', 'Key', 'Required', 'List'] as const;
// NESTED is a List-style regex with named groups; its names get the value's number.
const NESTED = '((?P<lN>[a-z])(?P<dN>\\d)?)';
const VALUE_REGEXES = ['(\\S+)', '(\\d+)', '(\\w*)', '(a|b)', '(\\w(?:\\d)?)', NESTED, NESTED, '([ab]\\d*)'];
const WORDS = ['a', 'b', 'x', '1', '22', 'a1', 'b2', 'x9', 'end', 'go', ''];
const LITERALS = ['a', 'b', 'x', 'end', 'go', '(?:a|b)'];
const GENERIC = ['\\s+', '\\s*', '\\d+', '\\S*', '\\S+', '.*'];

export interface GeneratedTemplate {
  text: string;
  input: string;
}

const valueArb = fc.record({
  // mostly none, one or two options, in any order (the order matters: Required,List)
  options: fc.oneof(
    { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...OPTIONS), { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...OPTIONS), { maxLength: 5 }) },
  ),
  regex: fc.constantFrom(...VALUE_REGEXES),
});

const ruleArb = (values: number, states: string[]) =>
  fc.record({
    pieces: fc.array(
      fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...LITERALS) },
        { weight: 2, arbitrary: fc.constantFrom(...GENERIC) },
        { weight: 3, arbitrary: fc.nat({ max: Math.max(0, values - 1) }).map((i) => (values ? `\${V${i}}` : 'a')) },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    separator: fc.constantFrom(' ', '\\s+', ''),
    lineOp: fc.oneof({ weight: 12, arbitrary: fc.constantFrom('', 'Next', 'Continue', 'Continue') }, { weight: 1, arbitrary: fc.constant('Error') }),
    recordOp: fc.constantFrom('', '', 'Record', 'Record', 'Record', 'NoRecord', 'Clear', 'Clearall'),
    newState: fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      { weight: 3, arbitrary: fc.constantFrom(...states) },
      { weight: 1, arbitrary: fc.constantFrom('End', 'EOF') },
    ),
    errorMessage: fc.constantFrom('', '"bad line"', 'word'),
    // one rule in ten may break the template (a Value twice, Continue with a state)
    invalid: fc.nat({ max: 9 }).map((n) => n === 0),
  });

type GeneratedRule = { pieces: string[]; separator: string; lineOp: string; recordOp: string; newState: string; errorMessage: string; invalid: boolean };

function ruleLine(r: GeneratedRule): string {
  const seen = new Set<string>();
  // a Value twice in one rule is a duplicate group name: invalid, so only on purpose
  const pieces = r.invalid ? r.pieces : r.pieces.map((p) => (p.startsWith('$') && seen.has(p) ? '\\S+' : (seen.add(p), p)));
  const regex = `^${pieces.join(r.separator)}`;
  if (r.lineOp === 'Continue' && !r.invalid) r = { ...r, newState: '' };
  const ops = [r.lineOp, r.recordOp].filter(Boolean).join('.');
  const target = r.lineOp === 'Error' ? r.errorMessage : r.newState;
  const action = [ops, target].filter(Boolean).join(' ');
  return action ? `  ${regex} -> ${action}` : `  ${regex}`;
}

export const templateArb: fc.Arbitrary<GeneratedTemplate> = fc
  .record({
    values: fc.oneof(
      { weight: 1, arbitrary: fc.array(valueArb, { maxLength: 0 }) },
      { weight: 9, arbitrary: fc.array(valueArb, { minLength: 1, maxLength: 4 }) },
    ),
    extraStates: fc.constantFrom([], ['S1'], ['S1', 'S2']),
    declareEof: fc.nat({ max: 3 }).map((n) => n === 0),
    declareEnd: fc.nat({ max: 3 }).map((n) => n === 0),
    lines: fc.array(
      fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 4 }).map((w) => w.join(' ')),
      { minLength: 2, maxLength: 14 },
    ),
  })
  .chain(({ values, extraStates, declareEof, declareEnd, lines }) => {
    const states = ['Start', ...extraStates];
    return fc
      .array(fc.array(ruleArb(values.length, states), { minLength: 1, maxLength: 4 }), { minLength: states.length, maxLength: states.length })
      .map((rules) => {
        const out: string[] = values.map((v, i) => `Value ${v.options.length ? `${v.options.join(',')} ` : ''}V${i} ${v.regex.replace(/N>/g, `${i}>`)}`);
        out.push('');
        states.forEach((s, i) => {
          out.push(s, ...rules[i]!.map(ruleLine), '');
        });
        if (declareEof) out.push('EOF', '');
        if (declareEnd) out.push('End', '');
        return { text: out.join('\n'), input: lines.join('\n') };
      });
  });
