/**
 * The engine against python3-textfsm's stored answers for the corpus (see golden.ts): runs
 * everywhere, with or without the reference installed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cases, deviceOutputLookups, ourCase, ourLookup } from './corpus.js';
import { agrees, goldenForCase, goldenForLookup } from './golden.js';

test('every corpus case gives the records (or the refusal) python3-textfsm gave', () => {
  let compared = 0;
  for (const c of cases()) {
    const ours = ourCase(c);
    c.inputs.forEach((input, i) => {
      const golden = goldenForCase(c)?.[path.basename(input)];
      assert.ok(golden, `${c.name}: no stored answer for ${path.basename(input)}`);
      assert.ok(
        agrees(ours[i]!, golden),
        `${c.name} on ${path.basename(input)}\n  reference: ${JSON.stringify(golden)}\n  ours:      ${JSON.stringify(ours[i])}`,
      );
      compared++;
    });
  }
  assert.ok(compared >= 60, `only ${compared} comparisons`);
});

test('the shared device outputs parse through the ntc-style index as python3-textfsm parsed them', () => {
  for (const l of deviceOutputLookups()) {
    const golden = goldenForLookup(l);
    assert.ok(golden, `${l.name}: no stored answer`);
    const ours = ourLookup(l);
    assert.ok(agrees(ours, golden), `${l.name}\n  reference: ${JSON.stringify(golden)}\n  ours:      ${JSON.stringify(ours)}`);
  }
});
