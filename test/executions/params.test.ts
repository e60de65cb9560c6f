import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NrxError } from '../../src/core/errors.js';
import type { ActionSpec, ParamSpec } from '../../src/executions/action.js';
import { REDACTED, effectiveParameters, redactSecrets, resolveParameters } from '../../src/executions/params.js';

function action(parameters: Record<string, ParamSpec>, runnerType = 'noop', extra: Partial<ActionSpec> = {}): ActionSpec {
  return {
    ref: 'netops.configure_vlan',
    pack: 'netops',
    name: 'configure_vlan',
    description: '',
    enabled: true,
    runnerType,
    entryPoint: null,
    parameters,
    idempotent: false,
    deviceLock: null,
    timeoutMs: null,
    file: '/p/netops/actions/configure_vlan.yaml',
    meta: {},
    ...extra,
  };
}

function paramError(fn: () => unknown): NrxError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NrxError, String(e));
    assert.equal(e.code, 'NRX_ERR_PARAM_INVALID');
    return e;
  }
  assert.fail('expected NRX_ERR_PARAM_INVALID');
}

const vlan = action({
  device: { type: 'string', required: true },
  vlan_id: { type: 'integer', required: true, minimum: 1, maximum: 4094 },
  name: { type: 'string', default: 'vlan-{{ vlan_id }}' },
  shutdown: { type: 'boolean', default: false },
  ratio: { type: 'number' },
  mode: { type: 'string', enum: ['access', 'trunk'], default: 'access' },
  members: { type: 'array', items: { type: 'string' } },
  tags: { type: 'object' },
  api_key: { type: 'string', secret: true },
});

describe('resolveParameters', () => {
  test('applies defaults, renders templated defaults with the other parameters', () => {
    const p = resolveParameters(vlan, { device: 'leaf1', vlan_id: 120 });
    assert.deepEqual(p, { device: 'leaf1', vlan_id: 120, name: 'vlan-120', shutdown: false, mode: 'access' });
  });

  test('coerces key=value strings like the st2 CLI', () => {
    const p = resolveParameters(vlan, { device: 'leaf1', vlan_id: '42', shutdown: 'true', ratio: '0.5', members: 'Eth1, Eth2', tags: '{"site":"ams"}' });
    assert.equal(p.vlan_id, 42);
    assert.equal(p.shutdown, true);
    assert.equal(p.ratio, 0.5);
    assert.deepEqual(p.members, ['Eth1', 'Eth2']);
    assert.deepEqual(p.tags, { site: 'ams' });
    assert.deepEqual(resolveParameters(vlan, { device: 'leaf1', vlan_id: 1, members: '["a","b"]' }).members, ['a', 'b']);
    assert.equal(resolveParameters(vlan, { device: 'leaf1', vlan_id: 1, shutdown: 'False' }).shutdown, false);
    // A number for a string parameter keeps its exact text.
    assert.equal(resolveParameters(vlan, { device: 101, vlan_id: 1 }).device, '101');
  });

  test('rejects unconvertible values, naming the action and the parameter', () => {
    const e = paramError(() =>
      resolveParameters(vlan, { device: 'leaf1', vlan_id: 'ten' }, { where: { file: 'rules/r.yaml', line: 7, field: 'action.parameters' } }),
    );
    assert.match(e.message, /netops\.configure_vlan/);
    assert.match(e.message, /'vlan_id'/);
    assert.equal(e.location.file, 'rules/r.yaml');
    assert.equal(e.location.field, 'action.parameters.vlan_id');
    paramError(() => resolveParameters(vlan, { device: 'leaf1', vlan_id: '4.5' }));
    paramError(() => resolveParameters(vlan, { device: 'leaf1', vlan_id: 1, shutdown: 'maybe' }));
    paramError(() => resolveParameters(vlan, { device: 'leaf1', vlan_id: 1, tags: 'site=ams' }));
    paramError(() => resolveParameters(vlan, { device: { a: 1 }, vlan_id: 1 }));
  });

  test('required, enum, schema keywords and unknown parameters', () => {
    const missing = paramError(() => resolveParameters(vlan, { vlan_id: 5 }));
    assert.match(missing.message, /'device' is required/);
    assert.match(paramError(() => resolveParameters(vlan, { device: 'x', vlan_id: 5, mode: 'hybrid' })).message, /one of "access", "trunk"/);
    assert.match(paramError(() => resolveParameters(vlan, { device: 'x', vlan_id: 5000 })).message, /must be <= 4094/);
    assert.match(paramError(() => resolveParameters(vlan, { device: 'x', vlan_id: 5, members: [1, 2] })).message, /'members'/);
    const unknown = paramError(() => resolveParameters(vlan, { device: 'x', vlan_id: 5, vlna: 3 }));
    assert.match(unknown.message, /'vlna' is not a parameter/);
    const proto = paramError(() =>
      resolveParameters(vlan, JSON.parse('{"device":"x","vlan_id":5,"__proto__":{"polluted":1}}') as Record<string, unknown>, { allowUnknown: true }),
    );
    assert.match(proto.message, /__proto__/);
    // Several problems are reported together.
    const both = paramError(() => resolveParameters(vlan, { vlan_id: 'x' }));
    assert.match(both.message, /'vlan_id'.*'device'/);
    // Opt-out, and workflow runners accept input declared in the workflow file.
    assert.equal(resolveParameters(vlan, { device: 'x', vlan_id: 5, extra: 1 }, { allowUnknown: true }).extra, 1);
    assert.equal(resolveParameters(action({}, 'orquesta'), { anything: 'goes' }).anything, 'goes');
  });

  test('immutable parameters: the default is used, a different value is refused', () => {
    const echo = action(
      { message: { type: 'string', required: true }, cmd: { immutable: true, default: 'printf %s "$ST2_ACTION_MESSAGE"' }, sudo: { immutable: true } },
      'local-shell-cmd',
    );
    const p = resolveParameters(echo, { message: 'hi' });
    assert.equal(p.cmd, 'printf %s "$ST2_ACTION_MESSAGE"');
    assert.equal(p.sudo, false); // inherited from the runner's parameter
    assert.equal(resolveParameters(echo, { message: 'hi', sudo: false }).sudo, false);
    assert.match(paramError(() => resolveParameters(echo, { message: 'hi', cmd: 'rm -rf /' })).message, /'cmd' is immutable/);
    assert.match(paramError(() => resolveParameters(echo, { message: 'hi', sudo: true })).message, /'sudo' is immutable/);
  });

  test('runner parameters merge under the action; top-level timeout replaces the runner default', () => {
    const a = action({ cmd: { type: 'string', required: true } }, 'local-shell-cmd', { timeoutMs: 5000 });
    const eff = effectiveParameters(a);
    assert.equal(eff.cwd!.type, 'string');
    assert.equal(eff.timeout!.default, 5);
    assert.equal(resolveParameters(a, { cmd: 'true' }).timeout, 5);
    assert.equal(resolveParameters(a, { cmd: 'true', timeout: '9' }).timeout, 9);
  });

  test('a templated cmd default passes the values it takes from other parameters as shell variables', () => {
    const a = action({ peer: { type: 'string' }, cmd: { type: 'string', default: 'vtysh -c "show bgp neighbor {{ peer }}"' } }, 'local-shell-cmd');
    const p = resolveParameters(a, { peer: '10.0.0.1"; reboot; "' });
    assert.equal(p.cmd, `NRX_V1='10.0.0.1"; reboot; "'\nvtysh -c "show bgp neighbor \${NRX_V1}"`);
    // Given values are data: a template inside one is never rendered.
    assert.equal(resolveParameters(a, { peer: '{{ 7 * 7 }}' }).peer, '{{ 7 * 7 }}');
  });

  test('hostile input never escapes as anything but NRX_ERR_PARAM_INVALID', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('device', 'vlan_id', 'shutdown', 'ratio', 'members', 'tags', 'mode', 'junk'), fc.anything()), (given) => {
        try {
          const p = resolveParameters(vlan, given);
          assert.equal(typeof p.device, 'string');
          assert.ok(Number.isInteger(p.vlan_id));
        } catch (e) {
          assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_PARAM_INVALID', String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactSecrets', () => {
  test('replaces secret values, also nested ones and runner secrets', () => {
    const a = action(
      {
        api_key: { type: 'string', secret: true },
        creds: { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string', secret: true } } },
        device: { type: 'string' },
      },
      'http-request',
    );
    const params = { api_key: 'k3y', creds: { user: 'admin', password: 'hunter2' }, device: 'r1', password: 'basic-pw', url: 'http://x' };
    const red = redactSecrets(a, params);
    assert.deepEqual(red, { api_key: REDACTED, creds: { user: 'admin', password: REDACTED }, device: 'r1', password: REDACTED, url: 'http://x' });
    assert.equal(params.creds.password, 'hunter2', 'the original is not modified');
  });

  test('a secret value never appears in a parameter error', () => {
    const a = action({ token: { type: 'integer', secret: true } });
    const e = paramError(() => resolveParameters(a, { token: 'sup3rsecret' }));
    assert.doesNotMatch(e.message, /sup3rsecret/);
  });
});
