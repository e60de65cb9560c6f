import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequestRunner } from '../../../src/executions/runners/http-request.js';
import { testAction, testContext } from './helpers.js';

type HttpResult = { status_code: number; body: unknown; parsed: boolean; headers: Record<string, string> };

const runner = new HttpRequestRunner();
const action = testAction('http-request');
let server: http.Server;
let base = '';
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url!.startsWith('/ok')) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-device': 'leaf1' });
        res.end(JSON.stringify({ peers: [{ ip: '10.0.0.2', state: 'Established' }] }));
      } else if (req.url === '/boom') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/ok?via=redirect' });
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

describe('http-request', () => {
  test('200 with JSON: body parsed, headers, query and JSON body sent', async () => {
    const r = await runner.run(
      action,
      { url: `${base}/ok`, method: 'POST', params: { vrf: 'default' }, json: { peer: '10.0.0.2' }, headers: { 'X-Token': 't' }, timeout: 5 },
      testContext(action),
    );
    assert.equal(r.status, 'succeeded');
    const res = r.result as HttpResult;
    assert.equal(res.status_code, 200);
    assert.equal(res.parsed, true);
    assert.deepEqual(res.body, { peers: [{ ip: '10.0.0.2', state: 'Established' }] });
    assert.equal(res.headers['x-device'], 'leaf1');
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/ok?vrf=default');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-token'], 't');
    assert.deepEqual(JSON.parse(req.body), { peer: '10.0.0.2' });
  });

  test('500 is a failed execution that still carries the answer', async () => {
    const r = await runner.run(action, { url: `${base}/boom` }, testContext(action));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_HTTP');
    const res = r.result as HttpResult;
    assert.equal(res.status_code, 500);
    assert.equal(res.body, 'internal error');
    assert.equal(res.parsed, false);
  });

  test('redirects are followed only when allowed', async () => {
    const no = await runner.run(action, { url: `${base}/moved` }, testContext(action));
    assert.equal((no.result as HttpResult).status_code, 302);
    assert.equal(no.status, 'failed');
    const yes = await runner.run(action, { url: `${base}/moved`, allow_redirects: true }, testContext(action));
    assert.equal(yes.status, 'succeeded');
    assert.equal(seen.at(-1)!.url, '/ok?via=redirect');
  });

  test('a refused connection fails with NRX_ERR_HTTP naming the URL', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `http://127.0.0.1:${port}/api`;
    const r = await runner.run(action, { url }, testContext(action));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_HTTP');
    assert.match(r.error!.message, new RegExp(url.replace(/[.]/g, '\\.')));
    assert.match(r.error!.message, /ECONNREFUSED/);
  });

  test('timeout and cancel', async () => {
    const t = await runner.run(action, { url: `${base}/slow`, timeout: 0.2 }, testContext(action));
    assert.equal(t.status, 'timeout');
    assert.equal(t.error?.code, 'NRX_ERR_TIMEOUT');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const c = await runner.run(action, { url: `${base}/slow` }, testContext(action, ac.signal));
    assert.equal(c.status, 'failed');
    assert.equal(c.error?.code, 'NRX_ERR_CANCELED');
  });

  test('a malformed URL is refused before any request', async () => {
    const r = await runner.run(action, { url: 'not a url' }, testContext(action));
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'NRX_ERR_PARAM_INVALID');
    const f = await runner.run(action, { url: 'file:///etc/passwd' }, testContext(action));
    assert.equal(f.error?.code, 'NRX_ERR_PARAM_INVALID');
  });
});
