import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { NrxError } from '../../src/core/errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { parsePolicy } from '../../src/packs/policy-spec.js';
import { parseAction } from '../../src/packs/action-spec.js';
import type { PackInfo } from '../../src/packs/pack-meta.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nrx-action-'));
mkdirSync(path.join(dir, 'actions'));
const pack: PackInfo = { ref: 'netops', name: 'netops', description: '', version: null, path: dir, file: path.join(dir, 'pack.yaml'), meta: {} };
const parse = (text: string) => parseAction(parseYaml(text, path.join(dir, 'actions', 'a.yaml')), pack);

function onlyNrxErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NrxError, `not an NrxError: ${String(e)}`);
    assert.ok(e.location.file, 'names the file');
  }
}

describe('parseAction', () => {
  test('StackStorm fields, runner spellings and extensions', () => {
    const a = parse('name: ask_noc\nrunner_type: inquirer\nenabled: false\nparameters:\n  route:\n    default: noc\n  sudo:\n');
    assert.equal(a.ref, 'netops.ask_noc');
    assert.equal(a.runnerType, 'inquiry');
    assert.equal(a.enabled, false);
    assert.equal(a.entryPoint, null);
    assert.deepEqual(a.parameters.sudo, {});
    const b = parse('name: clear_bgp\nrunner_type: local-shell-cmd\ntimeout: 45\ndevice_lock: {on_conflict: fail}\nparameters:\n  device: {type: string}\n');
    assert.equal(b.timeoutMs, 45_000);
    assert.deepEqual(b.deviceLock, { parameter: 'device', onConflict: 'fail' });
  });

  test('errors name the field and line', () => {
    const cases: Array<[string, string, number | undefined]> = [
      ['runner_type: noop\n', 'name', undefined],
      ['name: a.b\nrunner_type: noop\n', 'name', 1],
      ['name: a\nrunner_type: noop\nenabled: yes please\n', 'enabled', 3],
      ['name: a\nrunner_type: noop\ndevice_lock: true\n', 'device_lock', 3],
      ['name: a\nrunner_type: noop\ntimeout: soon\n', 'timeout', 3],
      ['name: a\nrunner_type: noop\nparameters:\n  x:\n    type: string\n    required: maybe\n', 'parameters.x.required', 6],
      ['name: a\nrunner_type: noop\nparameters:\n  x:\n    enum: []\n', 'parameters.x.enum', 5],
      ['name: a\nrunner_type: noop\nparameters:\n  bad-name: {}\n', 'parameters.bad-name', 4],
      ['name: a\nrunner_type: noop\nparameters:\n  x:\n    type: string\n    pattern: "(["\n', 'parameters.x', 4],
    ];
    for (const [text, field, line] of cases) {
      assert.throws(
        () => parse(text),
        (e: unknown) => {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_SPEC_INVALID', String(e));
          assert.equal(e.location.field, field, text);
          assert.equal(e.location.line, line, text);
          return true;
        },
      );
    }
  });

  test('hostile documents give NrxErrors, never crashes', () => {
    const field = fc.oneof(fc.anything(), fc.string(), fc.constantFrom(true, null, 'noop', 'device', [], {}));
    const doc = fc.record(
      {
        name: field,
        runner_type: field,
        pack: field,
        entry_point: field,
        enabled: field,
        timeout: field,
        idempotent: field,
        device_lock: field,
        parameters: fc.oneof(
          field,
          fc.dictionary(
            fc.string(),
            fc.oneof(field, fc.record({ type: field, required: field, enum: field, position: field, pattern: field }, { requiredKeys: [] })),
          ),
        ),
        resource_ref: field,
        policy_type: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(doc, fc.anything()), (d) => {
        let text: string;
        try {
          text = yaml.dump(d);
        } catch {
          return; // not representable as YAML
        }
        onlyNrxErrors(() => parse(text));
        onlyNrxErrors(() => parsePolicy(parseYaml(text, path.join(dir, 'policies', 'p.yaml')), pack));
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => onlyNrxErrors(() => parse(text))),
      { numRuns: 300 },
    );
  });
});
