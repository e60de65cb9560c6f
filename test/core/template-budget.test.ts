import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { renderString, renderValue } from '../../src/core/template.js';
import { DEFAULT_TEMPLATE_LIMITS, setTemplateLimits, templateLimits, templateLimitsFromEnv, withPreview, withRender } from '../../src/core/template-budget.js';

const saved = { ...templateLimits() };
after(() => setTemplateLimits(saved));

const limitOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof NrxError && e.code === 'NRX_ERR_TEMPLATE', String(e));
    return e.details.limit;
  }
  return undefined;
};

test('NETREFLEX_TEMPLATE_* set the limits; a value that is not a whole number above 0 is NRX_ERR_CONFIG naming the variable', () => {
  assert.deepEqual(templateLimitsFromEnv({}), DEFAULT_TEMPLATE_LIMITS);
  const l = templateLimitsFromEnv({ NETREFLEX_TEMPLATE_TIMEOUT_MS: '500', NETREFLEX_TEMPLATE_MAX_RANGE: '20', NETREFLEX_TEMPLATE_MAX_OUTPUT: '4096' });
  assert.deepEqual([l.timeoutMs, l.maxRange, l.maxOutputChars, l.maxLoopIterations], [500, 20, 4096, DEFAULT_TEMPLATE_LIMITS.maxLoopIterations]);
  for (const bad of ['0', '-5', '1.5', 'lots']) {
    assert.throws(
      () => templateLimitsFromEnv({ NETREFLEX_TEMPLATE_MAX_ITERATIONS: bad }),
      (e: unknown) =>
        e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && /NETREFLEX_TEMPLATE_MAX_ITERATIONS must be a whole number above 0/.test(e.message),
    );
  }
});

test('each limit is enforced with its own name in details, and set limits apply', () => {
  setTemplateLimits({ maxRange: 5, maxLoopIterations: 12, maxCalls: 20, maxOutputChars: 100 });
  assert.deepEqual(renderString('{{ range(5) }}', {}), [0, 1, 2, 3, 4]);
  assert.equal(
    limitOf(() => renderString('{{ range(6) }}', {})),
    'range',
  );
  assert.equal(
    limitOf(() => renderString('{% for i in range(5) %}{% for j in range(3) %}{% endfor %}{% endfor %}', {})),
    'loop iterations',
  );
  assert.equal(
    limitOf(() => renderString('{% for i in range(5) %}{{ i | string | upper | lower | trim }}{% endfor %}', {})),
    'calls',
  );
  assert.equal(
    limitOf(() => renderString('{% for i in range(5) %}{{ "x" ~ t }}{% endfor %}', { t: 'y'.repeat(200) })),
    'output size',
  );
  assert.equal(renderString('{{ t | length }}', { t: 'y'.repeat(200) }), 200, 'context data larger than the output limit is fine to read');
  setTemplateLimits(saved);
});

test("a rule's parameters share one budget: many small strings cannot each take the whole of it", () => {
  setTemplateLimits({ maxLoopIterations: 10 });
  const params = { a: '{% for i in range(6) %}{% endfor %}', b: '{% for i in range(6) %}{% endfor %}' };
  assert.doesNotThrow(() => renderValue({ a: params.a }, {}));
  assert.equal(
    limitOf(() => renderValue(params, {})),
    'loop iterations',
  );
  setTemplateLimits(saved);
});

test('the time limit counts template work only, and a preview gets the shorter preview limit', () => {
  setTemplateLimits({ timeoutMs: 1000, previewTimeoutMs: 20, maxLoopIterations: 10_000_000, maxRange: 10_000_000 });
  const slow = '{% for i in range(3000000) %}{% endfor %}';
  const t0 = performance.now();
  assert.equal(
    limitOf(() => withPreview('mask', () => renderString(slow, {}))),
    'time',
  );
  assert.ok(performance.now() - t0 < 900, 'the preview stopped at its own limit, not the general one');
  // Work outside templates between renders (here a busy wait) is not charged.
  assert.doesNotThrow(() =>
    withRender({ timeoutMs: 30 }, () => {
      renderString('{{ 1 }}', {});
      const until = performance.now() + 60;
      while (performance.now() < until);
      renderString('{{ 2 }}', {});
    }),
  );
  setTemplateLimits(saved);
});

test('a function is not data: it prints as [function] and an expression never hands one back', () => {
  assert.equal(renderString('<{{ range }}>', {}), '<[function]>');
  assert.equal(renderString('{{ range }}', {}), null);
  assert.equal(renderString('{{ [1, 2].join }}', {}), null);
});
