import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cleanTerminalText, escapeRegex, lastLine } from '../../../drivers/transports/terminal.js';

test('CRLF, colour codes, bracketed paste and backspaces become what a terminal shows', () => {
  assert.equal(cleanTerminalText('\x1b[?2004hr1# show ip\x1b[0m bgp\r\n\x1b[32mok\x1b[0m\r\n'), 'r1# show ip bgp\nok\n');
  assert.equal(cleanTerminalText('shox\bw run\r\r\n'), 'show run\n');
  assert.equal(lastLine('a\nb\nr1# '), 'r1# ');
});

test('cleaning never leaves escape or control characters, whatever the device sends', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('\x1b[', '\x1b]0;t\x07', '\r\n', '\b', '\x1b(B', '\x1b[?25l'))), (parts) => {
      const out = cleanTerminalText(parts.join(''));
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/);
    }),
  );
});

test('escapeRegex makes any prompt base literal', () => {
  fc.assert(fc.property(fc.string(), (s) => assert.ok(new RegExp(`^${escapeRegex(s)}$`).test(s))));
});
