/**
 * Whatever the text, the engine answers with records or an NrxError, never a crash: device
 * output is untrusted, and a template with a typo must come back as a clear error.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isNrxError } from '../../../src/core/errors.js';
import { parseRecords } from '../../../drivers/textfsm/fsm.js';
import { compilePythonRegex, PyRegexError } from '../../../drivers/textfsm/python-regex.js';
import { parseTemplate, type Template } from '../../../drivers/textfsm/template.js';
import { cases, NTC_DIR } from './corpus.js';
import { templateArb } from './random-templates.js';

const valid: Template[] = [
  ...cases()
    .filter((c) => !c.name.startsWith('template-errors/'))
    .map((c) => c.template),
  ...readdirSync(NTC_DIR)
    .filter((f) => f.endsWith('.textfsm'))
    .map((f) => path.join(NTC_DIR, f)),
].map((file) => parseTemplate(readFileSync(file, 'utf8'), file));

/** Text that looks like device output now and then, and like anything at all otherwise. */
const outputArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc.constantFrom('Neighbor V AS', 'interface Gi1', '10.0.0.1 4 65001 1 2 3 0 0 00:01:02 5', '  address 10.0.0.1/24', '% Invalid', 'VRF red', '\t', ''),
          fc.string({ unit: 'grapheme', maxLength: 30 }),
        ),
        { maxLength: 40 },
      ),
      fc.constantFrom('\n', '\r\n', '\r', '\x0b', '\u2028'),
    )
    .map(([lines, eol]) => lines.join(eol)),
);

function onlyNrxErrors(run: () => unknown, allowed: string[]): void {
  try {
    run();
  } catch (e) {
    assert.ok(isNrxError(e), `not an NrxError: ${(e as Error)?.stack ?? String(e)}`);
    assert.ok(allowed.includes(e.code), `unexpected ${e.code}: ${e.message}`);
  }
}

test('random output through every corpus and ntc template: records or NRX_ERR_PARSE, never a crash', () => {
  fc.assert(
    fc.property(fc.nat({ max: valid.length - 1 }), outputArb, (i, text) => {
      const t = valid[i]!;
      onlyNrxErrors(() => {
        for (const r of parseRecords(t, text))
          assert.deepEqual(
            Object.keys(r),
            t.values.map((v) => v.name),
          );
      }, ['NRX_ERR_PARSE']);
    }),
    { numRuns: 2000 },
  );
});

test('mangled templates: accepted, or refused with NRX_ERR_TEMPLATE, never a crash', () => {
  const sources = [...valid.map((t) => readFileSync(t.file, 'utf8'))];
  const mangled = fc
    .tuple(fc.nat({ max: sources.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 6 }))
    .map(([i, edits]) => {
      let s = sources[i]!;
      for (const [at, cut, insert] of edits) {
        const p = s.length ? at % s.length : 0;
        s = s.slice(0, p) + insert + s.slice(p + cut);
      }
      return s;
    });
  fc.assert(
    fc.property(
      fc.oneof(
        mangled,
        fc.string({ unit: 'binary', maxLength: 200 }),
        templateArb.map((g) => g.text),
      ),
      outputArb,
      (text, output) => {
        let t: Template | undefined;
        onlyNrxErrors(() => (t = parseTemplate(text, 'fuzz.textfsm')), ['NRX_ERR_TEMPLATE']);
        if (t) onlyNrxErrors(() => parseRecords(t!, output), ['NRX_ERR_PARSE']);
      },
    ),
    { numRuns: 1500 },
  );
});

test('random regex text: compiled, or a PyRegexError from our own parser (never from V8), never a crash', () => {
  const regexText = fc
    .array(fc.constantFrom(...'()[]{}?*+|^$\\.-,:=!<>#Pimsxau0123456789abcdwWsSbBAZzNxuU '.split(''), '(?P<', '(?P=', '(?i)', '(?<=', '\\d', '\\w', '{2,3}'), {
      maxLength: 24,
    })
    .map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(regexText, fc.string({ unit: 'binary', maxLength: 40 })), (pattern) => {
      try {
        compilePythonRegex(pattern);
      } catch (e) {
        assert.ok(e instanceof PyRegexError, `${JSON.stringify(pattern)}: ${String(e)}`);
        // the parser must refuse what it cannot translate; V8 refusing our output would be a bug
        assert.doesNotMatch(e.message, /cannot be expressed as a JavaScript regex/, JSON.stringify(pattern));
      }
    }),
    { numRuns: 5000 },
  );
});
