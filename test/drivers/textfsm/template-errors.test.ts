import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { parseRecords } from '../../../drivers/textfsm/fsm.js';
import { parseTemplate } from '../../../drivers/textfsm/template.js';

/** The NrxError a template gets, with its line. */
function refusal(text: string): NrxError {
  try {
    parseTemplate(text, 'bad.textfsm');
  } catch (e) {
    assert.ok(e instanceof NrxError, `not an NrxError: ${String(e)}`);
    return e;
  }
  assert.fail('the template was accepted');
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

test('template errors are NRX_ERR_TEMPLATE naming the file and the line', () => {
  const cases: Array<[string, number | undefined, RegExp]> = [
    [lines('Value Filldwn A (\\S+)', '', 'Start', '  ^${A}'), 1, /unknown Value option 'Filldwn'/],
    [lines('# comment', 'Value A (\\S+)', 'Value A (\\d+)', '', 'Start', '  ^${A}'), 3, /Value 'A' is declared twice/],
    [lines('Value A ((\\S+)', '', 'Start', '  ^${A}'), 1, /must be one '\(\.\.\.\)' group/],
    [lines('Value A (\\S+)', 'Start', '  ^${A}'), 2, /blank line after the last Value/],
    [lines('Value A (\\S+)', '', 'Start', '   ^${A}'), 4, /one or two spaces or a tab, then '\^'/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A} -> Next', '  ^x -> Nowhere'), 5, /state 'Nowhere' is not defined \(referenced in state 'Start'\)/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A} -> Continue Start'), 4, /'Continue' cannot change state/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A}', '', 'End', '  ^x'), 7, /'End' state must be empty/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A}', '', 'Start'), 6, /state 'Start' is defined twice/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A}', '', 'Record'), 6, /invalid state name 'Record'/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A}$'), 4, /invalid placeholder.*write a literal \$ as \$\$/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${B}'), 4, /no Value named 'B'/],
    [lines('Value A (\\S+)', '', 'Start', '  ^[abc ${A}'), 4, /invalid regex '\^\[abc \(\?P<A>\\S\+\)': unterminated character set/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A} ${A}'), 4, /redefinition of group name 'A'/],
    [lines('Value A (\\S+)', '', 'Start', '  ^${A} -> Next.Keep'), 4, /badly formatted rule action/],
    [lines('Value List A ([a-)', '', 'Start', '  ^x'), 1, /Value 'A': invalid regex.*bad character range/],
    [lines('Value A (\\S+)', '', 'Other', '  ^${A}'), undefined, /no 'Start' state/],
  ];
  for (const [text, line, message] of cases) {
    const e = refusal(text);
    assert.equal(e.code, 'NRX_ERR_TEMPLATE', text);
    assert.equal(e.location.file, 'bad.textfsm');
    assert.equal(e.location.line, line, `${e.message}\n${text}`);
    assert.match(e.message, message);
    assert.match(e.message, line === undefined ? /^bad\.textfsm: / : new RegExp(`^bad\\.textfsm, line ${line}: `));
  }
});

test('what Python accepts but JavaScript cannot express is refused at its line, saying so', () => {
  for (const [rule, what] of [
    ['^a++${A}', /possessive quantifiers .* are not supported/],
    ['^(?>a)${A}', /atomic groups .* are not supported/],
    ['^(a)?(?(1)b|c)${A}', /conditional groups .* are not supported/],
    ['^\\N{EM DASH}${A}', /named characters are not supported/],
  ] as const) {
    const e = refusal(lines('Value A (\\S+)', '', 'Start', `  ${rule}`));
    assert.equal(e.location.line, 4);
    assert.match(e.message, what);
  }
});

test('a rule that raises Error is NRX_ERR_PARSE naming the rule line, the input line and the message', () => {
  const t = parseTemplate(lines('Value A (\\S+)', '', 'Start', '  ^ok ${A} -> Record', '  ^% -> Error "device said no"', '  ^! -> Error'), 'err.textfsm');
  assert.deepEqual(parseRecords(t, 'ok 1\nok 2\n'), [{ A: '1' }, { A: '2' }]);
  assert.throws(
    () => parseRecords(t, 'ok 1\n% Invalid input\n'),
    (e: unknown) => {
      assert.ok(e instanceof NrxError);
      assert.equal(e.code, 'NRX_ERR_PARSE');
      assert.deepEqual(e.location, { file: 'err.textfsm', line: 5 });
      assert.equal(e.details.inputLine, 2);
      assert.match(e.message, /^err\.textfsm, line 5: TextFSM rule raised Error: "device said no" on input line 2: '% Invalid input'/);
      return true;
    },
  );
  assert.throws(() => parseRecords(t, '!\n'), /line 6: TextFSM rule raised Error on input line 1/);
});
