import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildUi } from './browser.js';

/** `netreflex serve --tls-cert --tls-key`: the API and the web UI over https, with a throwaway self-signed certificate. */
const dir = mkdtempSync(path.join(tmpdir(), 'nrx-ui-tls-'));
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');

function serveArgs(extra: string[]): string[] {
  const dataDir = mkdtempSync(path.join(dir, 'data-'));
  return ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--data-dir', dataDir, '--port', '0', '--no-sensors', ...extra];
}
function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NETREFLEX_')) e[k] = v;
  return { ...e, NETREFLEX_ADMIN_PASSWORD: 'tls-test-admin-password', NETREFLEX_LOG_LEVEL: 'silent' };
}
/** GET over https trusting only our certificate (so the test also proves it is the one served). */
function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca: readFileSync(cert) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serve over https (--tls-cert, --tls-key)', () => {
  before(() => {
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    buildUi();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the UI at / and the API at /api/v1/health are served over https with the given certificate', async () => {
    const child = spawn(process.execPath, serveArgs(['--tls-cert', cert, '--tls-key', key]), { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let err = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s:\n${err}`)), 60_000);
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
          const m = /API on (\S+)/.exec(err);
          if (m && err.includes('waiting for events')) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', () => reject(new Error(`serve exited:\n${err}`)));
      });
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/, 'serve reports the https address');
      const page = await get(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.type, /text\/html/);
      assert.match(page.body, /src="\/assets\/app\.js"/);
      const health = await get(`${url}/api/v1/health`);
      assert.equal(health.status, 200);
      assert.ok(JSON.parse(health.body), 'health answers JSON');
      const plain = await fetch(url.replace('https:', 'http:') + '/api/v1/health').then(
        () => 'answered',
        () => 'refused',
      );
      assert.equal(plain, 'refused', 'no plain http on the same port');
    } finally {
      child.kill('SIGTERM');
    }
  });

  const refuses = (args: string[], pattern: RegExp) => {
    const r = spawnSync(process.execPath, serveArgs(args), { env: env(), encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0, 'serve refuses to start');
    assert.match(r.stderr, pattern);
  };
  test('an unreadable certificate or key stops serve with NRX_ERR_CONFIG naming the file', () => {
    const missing = path.join(dir, 'no-such-key.pem');
    refuses(['--tls-cert', cert, '--tls-key', missing], new RegExp(`NRX_ERR_CONFIG: --tls-key ${missing.replace(/[.]/g, '\\.')}: cannot read it \\(ENOENT\\)`));
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    refuses(['--tls-cert', junk, '--tls-key', key], /NRX_ERR_CONFIG: --tls-cert .*junk\.pem .*not a PEM certificate and its key/);
  });
  test('--tls-cert without --tls-key (or the reverse) is refused: both or neither', () => {
    refuses(['--tls-cert', cert], /NRX_ERR_CONFIG: --tls-cert and --tls-key go together: --tls-key is missing/);
    refuses(['--tls-key', key], /NRX_ERR_CONFIG: --tls-cert and --tls-key go together: --tls-cert is missing/);
  });
});
