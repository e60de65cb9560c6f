import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { parsePolicy } from '../../src/packs/policy-spec.js';
import type { PackInfo } from '../../src/packs/pack-meta.js';

const pack: PackInfo = { ref: 'netops', name: 'netops', description: '', version: null, path: '/p/netops', file: '/p/netops/pack.yaml', meta: {} };
const parse = (text: string) => parsePolicy(parseYaml(text, '/p/netops/policies/p.yaml'), pack);

function specErr(text: string): NrxError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof NrxError);
    assert.equal(e.code, 'NRX_ERR_SPEC_INVALID');
    assert.equal(e.location.file, '/p/netops/policies/p.yaml');
    return e;
  }
  assert.fail('expected a spec error');
}

describe('parsePolicy', () => {
  test('StackStorm files load unchanged', () => {
    const dir = 'test/packs/fixtures/hello_st2-policies';
    const hello: PackInfo = { ...pack, ref: 'hello_st2' };
    const conc = parsePolicy(parseYaml(readFileSync(path.join(dir, 'policy1.yaml'), 'utf8'), 'policy1.yaml'), hello);
    assert.equal(conc.ref, 'hello_st2.greet.concurrency');
    assert.equal(conc.resourceRef, 'hello_st2.greet');
    assert.deepEqual(conc.policy, { kind: 'concurrency', threshold: 10, onLimit: 'delay', attributes: [] });
    const retry = parsePolicy(parseYaml(readFileSync(path.join(dir, 'retry_core_http_on_timeout.yaml'), 'utf8'), 'r.yaml'), hello);
    assert.deepEqual(retry.policy, { kind: 'retry', retryOn: 'timeout', maxRetryCount: 2, delayMs: 2000, backoff: 1, maxDelayMs: null });
  });

  test('concurrency per attribute value, with cancel', () => {
    const p = parse(
      'name: one_change_per_device\nresource_ref: netops.push_config\npolicy_type: action.concurrency.attr\nparameters:\n  threshold: 1\n  action: cancel\n  attributes: [device]\n',
    );
    assert.deepEqual(p.policy, { kind: 'concurrency', threshold: 1, onLimit: 'cancel', attributes: ['device'] });
    assert.equal(p.enabled, true);
  });

  test('retry with the backoff extension', () => {
    const p = parse(
      'name: r\nenabled: false\nresource_ref: netops.push_config\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  max_retry_count: 4\n  delay: 10s\n  backoff:\n    multiplier: 2\n    max_delay: 1m\n',
    );
    assert.deepEqual(p.policy, { kind: 'retry', retryOn: 'failure', maxRetryCount: 4, delayMs: 10_000, backoff: 2, maxDelayMs: 60_000 });
    assert.equal(p.enabled, false);
  });

  test('errors name the line and field', () => {
    let e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.retry\nparameters:\n  retry_on: sometimes\n');
    assert.equal(e.location.field, 'parameters.retry_on');
    assert.equal(e.location.line, 5);
    e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.concurrency\nparameters:\n  threshold: 0\n');
    assert.equal(e.location.field, 'parameters.threshold');
    e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.concurrency.attr\nparameters:\n  threshold: 2\n');
    assert.equal(e.location.field, 'parameters.attributes');
    e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.concurrency\nparameters:\n  treshold: 2\n');
    assert.equal(e.location.field, 'parameters.treshold');
    assert.equal(e.location.line, 5);
    e = specErr('name: r\nresource_ref: not a ref\npolicy_type: action.retry\n');
    assert.equal(e.location.field, 'resource_ref');
    assert.equal(e.location.line, 2);
    e = specErr('name: r\npack: other\nresource_ref: netops.x\npolicy_type: action.retry\nparameters: {retry_on: failure}\n');
    assert.equal(e.location.field, 'pack');
    e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  backoff:\n    multiplier: 0.5\n');
    assert.equal(e.location.field, 'parameters.backoff.multiplier');
    assert.equal(e.location.line, 7);
    e = specErr('name: r\nresource_ref: netops.x\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  delay: soon\n');
    assert.equal(e.location.field, 'parameters.delay');
    assert.equal(e.location.line, 6);
    specErr('- just\n- a list\n');
  });
});
