import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reportSwallowed } from '../../src/core/swallowed-errors.js';
import { harness, parseSse, type Harness } from './harness.js';

describe('API: executions, inquiries, stream', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(async () => h.close());

  const post = (url: string, payload: object, role: 'operator' | 'admin' | 'observer' = 'operator') =>
    h.app.inject({ method: 'POST', url, headers: h.as(role), payload });
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: h.as('observer') });

  test('run an action, follow its output to the end, and find it in the list', async () => {
    const run = await post('/api/v1/executions', { action: 'core.echo', parameters: { message: 'BGP peer 10.0.12.2 down' } });
    assert.equal(run.statusCode, 201, run.body);
    const { id } = run.json();
    assert.equal(run.json().context.user, 'operator');
    const out = await get(`/api/v1/executions/${id}/output`);
    assert.equal(out.statusCode, 200);
    assert.match(String(out.headers['content-type']), /text\/event-stream/);
    const msgs = parseSse(out.body);
    assert.deepEqual(
      msgs.filter((m) => m.event === 'log').map((m) => m.data),
      [{ line: 'BGP peer 10.0.12.2 down' }],
    );
    const end = msgs.at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal((end.data as { status: string }).status, 'succeeded');
    const one = await get(`/api/v1/executions/${id}`);
    assert.equal(one.json().status, 'succeeded');
    assert.deepEqual(one.json().tasks, []);
  });

  test('a workflow execution shows its task path and children; rerun links to the original', async () => {
    const rec = await h.appliance.engine.run('cloud.vm_provision', { vm_name: 'web01' });
    const one = (await get(`/api/v1/executions/${rec.id}`)).json();
    assert.deepEqual(
      one.tasks.map((t: { taskName: string }) => t.taskName),
      ['create_vm', 'provision_vm', 'register_dns', 'register_lb'],
    );
    assert.equal(one.children.length, 4);
    const again = await post(`/api/v1/executions/${rec.id}/rerun`, {});
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.json().context.rerunOf, rec.id);
    assert.deepEqual(again.json().parameters, rec.parameters);
  });

  test('filters and pagination: status, action, parent=none, limit + before', async () => {
    for (let i = 0; i < 3; i++) await h.appliance.engine.run('core.noop', {});
    const page1 = (await get('/api/v1/executions?action=core.noop&limit=2')).json();
    assert.equal(page1.items.length, 2);
    assert.ok(page1.next);
    const page2 = (await get(`/api/v1/executions?action=core.noop&limit=2&before=${page1.next}`)).json();
    assert.ok(page2.items.length >= 1);
    const ids = [...page1.items, ...page2.items].map((x: { id: string }) => x.id);
    assert.equal(new Set(ids).size, ids.length, 'pages do not overlap');
    assert.ok((await get('/api/v1/executions?status=failed,timeout')).json().items.every((x: { status: string }) => ['failed', 'timeout'].includes(x.status)));
    assert.ok((await get('/api/v1/executions?parent=none')).json().items.every((x: { parentId: string | null }) => x.parentId === null));
    const bad = await get('/api/v1/executions?status=bogus');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'NRX_ERR_VALIDATION');
    assert.equal(bad.json().field, 'querystring.status');
  });

  test('errors come from the catalogue: unknown action, bad parameters, unknown execution, wrong state', async () => {
    const unknown = await post('/api/v1/executions', { action: 'nope.nothing' });
    assert.deepEqual([unknown.statusCode, unknown.json().code], [404, 'NRX_ERR_ACTION_NOT_FOUND']);
    const bad = await post('/api/v1/executions', { action: 'core.echo', parameters: {} });
    assert.deepEqual([bad.statusCode, bad.json().code], [400, 'NRX_ERR_PARAM_INVALID']);
    const extra = await post('/api/v1/executions', { action: 'core.echo', parmeters: {} });
    assert.deepEqual([extra.statusCode, extra.json().code, extra.json().field], [400, 'NRX_ERR_VALIDATION', 'body.parmeters']);
    const missing = await get('/api/v1/executions/nosuchid');
    assert.deepEqual([missing.statusCode, missing.json().code], [404, 'NRX_ERR_EXECUTION_NOT_FOUND']);
    const done = await h.appliance.engine.run('core.noop', {});
    const late = await post(`/api/v1/executions/${done.id}/cancel`, {});
    assert.deepEqual([late.statusCode, late.json().code, late.json().retryable], [409, 'NRX_ERR_INVALID_STATE', false]);
    const noRoute = await get('/api/v1/nothing-here');
    assert.deepEqual([noRoute.statusCode, noRoute.json().code], [404, 'NRX_ERR_NOT_FOUND']);
  });

  test('cancel a running action', async () => {
    const rec = await h.appliance.engine.request('demo.sleep', { seconds: 20 });
    const r = await post(`/api/v1/executions/${rec.id}/cancel`, {});
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await h.appliance.engine.wait(rec.id)).status, 'canceled');
  });

  test('inquiries: listed while pending, answered with a response checked against the schema', async () => {
    const ask = await h.appliance.engine.request('core.ask', {
      schema: { type: 'object', required: ['approve'], properties: { approve: { type: 'boolean' } } },
    });
    const list = (await get('/api/v1/inquiries')).json();
    assert.ok(list.items.some((x: { id: string }) => x.id === ask.id));
    const wrong = await post(`/api/v1/inquiries/${ask.id}/respond`, { response: { approve: 'yes' } });
    assert.deepEqual([wrong.statusCode, wrong.json().code], [400, 'NRX_ERR_PARAM_INVALID']);
    const ok = await post(`/api/v1/inquiries/${ask.id}/respond`, { response: { approve: true } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await h.appliance.engine.wait(ask.id)).status, 'succeeded');
  });

  test('an inquiry that names who may answer refuses anybody else', async () => {
    const ask = await h.appliance.engine.request('core.ask', { users: ['admin'] });
    const r = await post(`/api/v1/inquiries/${ask.id}/respond`, { response: { continue: true } });
    assert.deepEqual([r.statusCode, r.json().code], [403, 'NRX_ERR_FORBIDDEN']);
    assert.equal((await post(`/api/v1/inquiries/${ask.id}/respond`, { response: { continue: true } }, 'admin')).statusCode, 200);
  });

  test('the live stream carries execution updates, filtered by action', async () => {
    const pending = h.app.inject({ method: 'GET', url: '/api/v1/stream?kinds=execution&action=core.*&max=2', headers: h.as('observer') });
    await new Promise((r) => setTimeout(r, 50));
    await h.appliance.engine.run('demo.sleep', { seconds: 0 }); // another pack: filtered out
    await h.appliance.engine.run('core.noop', {});
    const msgs = parseSse((await pending).body);
    assert.equal(msgs.length, 2);
    assert.ok(msgs.every((m) => m.event === 'execution' && (m.data as { action: string }).action === 'core.noop'));
  });

  test('metrics count events, executions and API requests', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.as('operator'), payload: { type: 'core.event', payload: { kind: 'metrics' } } });
    await h.appliance.engine.run('core.noop', {});
    await h.appliance.bus.drain();
    const m = await get('/metrics');
    assert.equal(m.statusCode, 200);
    assert.match(String(m.headers['content-type']), /text\/plain/);
    assert.match(m.body, /netreflex_events_received_total\{type="core.event"\} [1-9]/);
    assert.match(m.body, /netreflex_executions_total\{action="core.noop",status="succeeded"\} [1-9]/);
    assert.match(m.body, /netreflex_api_requests_total\{method="POST",route="\/api\/v1\/events",status="202"\} 1/);
    assert.match(m.body, /netreflex_executions_running \d/);
    assert.match(m.body, /netreflex_process_cpu_seconds_total/);
  });

  test('metrics count the errors carried on past, by where', async () => {
    reportSwallowed({ where: 'metrics_test', error: new Error('x'), msg: 'test', log: { warn: () => {} } as never });
    reportSwallowed({ where: 'metrics_test', error: new Error('y'), msg: 'test', log: { warn: () => {} } as never });
    const m = await get('/metrics');
    assert.match(m.body, /^# TYPE netreflex_swallowed_errors_total counter$/m);
    assert.match(m.body, /^netreflex_swallowed_errors_total\{where="metrics_test"\} 2$/m);
  });
});
