import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS, buildUi, chromiumOrReason, docScreenshot, launch, logIn, startAppliance, step, type Appliance } from './browser.js';

/**
 * The web UI end to end: a real appliance (`netreflex serve` on a free port, temp data dir),
 * Debian's chromium driven by playwright-core, every click going through the public API.
 */
const found = await chromiumOrReason();
if ('reason' in found) process.stderr.write(`\n*** SKIPPING the browser tests: ${found.reason} ***\n\n`);

const PASSWORDS = { operator: 'operator-password', observer: 'observer-password' };

describe('web UI in chromium', { skip: 'reason' in found ? found.reason : false }, () => {
  let app: Appliance;
  let browser: Browser;

  before(async () => {
    buildUi();
    app = await startAppliance();
    for (const role of ['operator', 'observer'] as const) await app.api('POST', '/api/v1/users', { name: role, password: PASSWORDS[role], role });
    browser = await launch((found as { path: string }).path);
    process.stderr.write(`browser test artefacts (screenshots of failing steps): ${ARTEFACTS}\n`);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const session = async (user: 'admin' | 'operator' | 'observer'): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    return logIn(context, app.url, user, user === 'admin' ? app.adminPassword : PASSWORDS[user]);
  };
  /** fetch from inside the page: the session cookie goes along, the UI header only when asked. */
  const pageFetch = (page: Page, method: string, url: string, body: unknown, uiHeader: boolean) =>
    page.evaluate(
      async ([m, u, b, h]) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (h) headers['x-netreflex-ui'] = '1';
        const r = await fetch(u as string, { method: m as string, headers, body: JSON.stringify(b) });
        return { status: r.status, body: await r.text() };
      },
      [method, url, body, uiHeader] as const,
    );
  const runWorkflow = async (action: string): Promise<string> => (await app.api<{ id: string }>('POST', '/api/v1/executions', { action, parameters: {} })).id;

  test('the appliance serves the built UI at / under a strict content security policy; the API stays under /api', async () => {
    const page = await fetch(`${app.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'; script-src 'self'/);
    const html = await page.text();
    assert.match(html, /src="\/assets\/app\.js"/);
    assert.doesNotMatch(html, /https?:\/\//, 'no CDN: the page loads only from the appliance');
    const script = await fetch(`${app.url}/assets/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${app.url}/api/v1/health`)).status, 200);
    assert.equal((await fetch(`${app.url}/assets/../../package.json`)).status, 404);
  });

  test('login: a wrong password is refused on the page; the session lives in an HttpOnly, Secure, SameSite=Strict cookie that only carries writes with the UI header', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await step(page, 'login-refused', async () => {
      await page.goto(`${app.url}/`);
      await page.getByLabel('User').fill('admin');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'NRX_ERR_UNAUTHORIZED' }).waitFor();
    });
    await step(page, 'login-accepted', async () => {
      await page.getByLabel('Password').fill(app.adminPassword);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('who').filter({ hasText: 'admin' }).waitFor();
    });
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'nrx_session');
    assert.ok(cookie, 'a session cookie is set');
    assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, 'Strict', '/']);
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the token');

    const event = { type: 'core.event', payload: { from: 'csrf-check' } };
    assert.equal((await pageFetch(page, 'POST', '/api/v1/events', event, false)).status, 401, 'a write without the UI header does not ride on the cookie');
    assert.equal((await pageFetch(page, 'POST', '/api/v1/events', event, true)).status, 202);

    await step(page, 'theme', async () => {
      const before = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      const next = (await page.evaluate('document.documentElement.dataset.theme')) === 'dark' ? 'Light' : 'Dark';
      await page.getByRole('button', { name: 'switch theme' }).click();
      assert.equal(await page.evaluate('document.documentElement.dataset.theme'), next.toLowerCase());
      assert.notEqual(await page.evaluate('getComputedStyle(document.body).backgroundColor'), before);
      await page.reload();
      await page.getByTestId('who').waitFor();
      assert.equal(await page.evaluate('document.documentElement.dataset.theme'), next.toLowerCase(), 'the choice is remembered');
    });
    await step(page, 'logout', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    });
    assert.equal((await context.cookies()).filter((c) => c.name === 'nrx_session').length, 0, 'logout clears the cookie');
    const old = await fetch(`${app.url}/api/v1/auth/whoami`, { headers: { authorization: `Bearer ${cookie.value}` } });
    assert.equal(old.status, 401, 'logout revoked the token');
    await context.close();
  });

  test('live feed: events and executions appear as they happen, with what each rule decided; filters narrow the lists; a rule lists its recent matches and suppressions', async () => {
    const page = await session('operator');
    await step(page, 'feed-live', async () => {
      await page.goto(`${app.url}/#/feed`);
      await page.getByTestId('events').waitFor();
      await new Promise((r) => setTimeout(r, 500)); // the stream is open
      // the fixture rule uitest.link_down runs once an hour at most: the second event is throttled
      for (const device of ['edge-r1', 'edge-r2']) await app.api('POST', '/api/v1/events', { type: 'core.event', device, payload: { kind: 'link_down' } });
      await page.locator('.event-row').filter({ hasText: 'edge-r1' }).getByRole('link', { name: 'executed' }).waitFor();
      await page.locator('.event-row').filter({ hasText: 'edge-r2' }).locator('.outcome-throttled').waitFor();
      await runWorkflow('uitest.approve');
      await page.locator('.exec-row[data-action="uitest.approve"]').first().waitFor();
    });
    await step(page, 'feed-filter', async () => {
      await page.getByLabel('trigger type filter').fill('no.such.type');
      await page.locator('.event-row').first().waitFor({ state: 'detached' });
      await page.getByLabel('trigger type filter').fill('core.');
      await page.getByLabel('rule filter').fill('uitest.link_down');
      await page.locator('.event-row[data-type="core.event"]').first().waitFor();
      await page.getByLabel('device filter').fill('edge-r2');
      await page.locator('.event-row').filter({ hasText: 'edge-r1' }).waitFor({ state: 'detached' });
      for (const f of ['device', 'trigger type', 'rule']) await page.getByLabel(`${f} filter`).fill('');
    });
    await step(page, 'feed-one-row-per-execution', async () => {
      await page.locator('.exec-row[data-action="core.noop"] [data-status="succeeded"]').first().waitFor();
      const rows = await page.locator('.exec-row').evaluateAll((els) => els.map((e) => e.querySelector('a')!.getAttribute('href')));
      assert.equal(new Set(rows).size, rows.length, `each execution once: ${rows.join(' ')}`);
    });
    await step(page, 'feed-outcomes-after-reload', async () => {
      // outcomes of events that happened before the page opened come from the events API
      await page.reload();
      await page.locator('.event-row').filter({ hasText: 'edge-r2' }).locator('.outcome-throttled').waitFor();
    });
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await docScreenshot(page, 'ui-feed');
    await step(page, 'rules-recent-decisions', async () => {
      await page.goto(`${app.url}/#/rules`);
      await page.getByRole('button', { name: 'uitest.link_down' }).click();
      const row = page.locator('tr[data-rule="uitest.link_down"]');
      await row.locator('li[data-outcome="throttled"]').filter({ hasText: 'edge-r2' }).waitFor();
      await row.locator('li[data-outcome="executed"]').filter({ hasText: 'edge-r1' }).getByRole('link').waitFor();
      assert.match(await row.innerText(), /trigger\.kind equals "link_down"/);
    });
    await page.context().close();
  });

  test('execution: the workflow graph colours in live, an inquiry is approved with a comment, the workflow succeeds and can be re-run', async () => {
    const page = await session('operator');
    const id = await runWorkflow('uitest.approve');
    await step(page, 'execution-graph', async () => {
      await page.goto(`${app.url}/#/executions/${id}`);
      await page.locator('[data-task="prepare"][data-status="succeeded"]').waitFor();
      await page.locator('[data-task="approve"][data-status="pending"]').waitFor();
      await page.locator('[data-task="apply"][data-status="not-run"]').waitFor();
    });
    await docScreenshot(page, 'ui-execution');
    await step(page, 'inquiry-approve', async () => {
      await page.getByLabel('comment').fill('change window open');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.locator('[data-task="apply"][data-status="succeeded"]').waitFor();
      await page.locator('h1 [data-status="succeeded"]').waitFor();
    });
    const done = await app.api<{ children: Array<{ runner: string; result: { response?: Record<string, unknown> } }> }>('GET', `/api/v1/executions/${id}`);
    const inquiry = done.children.find((c) => c.runner === 'inquiry');
    assert.deepEqual(inquiry?.result.response, { continue: true, comment: 'change window open' });
    await step(page, 'rerun', async () => {
      await page.getByRole('button', { name: 'Re-run' }).click();
      await page.waitForURL((u) => u.hash.startsWith('#/executions/') && !u.hash.endsWith(id));
      await page.locator('[data-task="approve"][data-status="pending"]').waitFor();
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.locator('h1 [data-status="failed"], h1 [data-status="succeeded"]').waitFor();
    });
    await page.context().close();
  });

  test('with-items: the task shows how many of its items have finished while they run; pause and resume from the page', async () => {
    const page = await session('operator');
    const id = await runWorkflow('uitest.each');
    await step(page, 'with-items-progress', async () => {
      await page.goto(`${app.url}/#/executions/${id}`);
      await page
        .locator('[data-task="each"][data-status="running"] .task-progress')
        .filter({ hasText: /^\s*[0-2]\/3$/ })
        .waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('h1 [data-status="paused"]').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByRole('button', { name: 'Pause' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Resume' }).click();
      await page
        .locator('[data-task="each"][data-status="succeeded"] .task-progress')
        .filter({ hasText: /^\s*3\/3$/ })
        .waitFor({ timeout: 30_000 });
      await page.locator('[data-task="done"][data-status="succeeded"]').waitFor();
    });
    await page.context().close();
  });

  test('an observer sees no run, cancel, respond, enable or save controls, and the API refuses them anyway', async () => {
    const id = await runWorkflow('uitest.approve');
    const page = await session('observer');
    await step(page, 'observer-execution', async () => {
      await page.goto(`${app.url}/#/executions/${id}`);
      await page.locator('[data-task="approve"][data-status="pending"]').waitFor();
      await page.getByRole('group', { name: 'inquiry' }).waitFor();
    });
    for (const name of ['Pause', 'Resume', 'Cancel', 'Re-run', 'Approve', 'Reject'])
      assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} button`);
    await page.goto(`${app.url}/#/inventory`);
    await page.getByLabel('inventory filter').waitFor();
    assert.equal(await page.getByRole('form', { name: 'run box' }).count(), 0, 'no run box');
    await page.goto(`${app.url}/#/rules`);
    await page.locator('[data-rule]').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Enable|Disable)$/ }).count(), 0, 'no enable/disable');
    await page.goto(`${app.url}/#/designer`);
    await page.getByTestId('validity').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0, 'no save');
    assert.equal(await page.getByRole('button', { name: 'Run' }).count(), 0, 'no run');
    const refused = await pageFetch(page, 'POST', `/api/v1/executions/${id}/cancel`, {}, true);
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).code, 'NRX_ERR_FORBIDDEN');
    await page.context().close();
    await app.api('POST', `/api/v1/executions/${id}/cancel`);
  });

  test('inventory: the filter selects devices and the run box fans a show command out with per-device progress and outcome', async () => {
    const closed = await closedPort();
    for (const name of ['ui-r1', 'ui-r2']) await app.api('POST', '/api/v1/inventory/hosts', { name, hostname: '127.0.0.1', port: closed, platform: 'frr' });
    const page = await session('operator');
    await step(page, 'inventory-run', async () => {
      await page.goto(`${app.url}/#/inventory`);
      await page.getByLabel('inventory filter').fill('name=ui-r*');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-host="ui-r2"]').waitFor();
      // the table shows the hosts from before until the filter's answer comes
      await page.waitForFunction(() => document.querySelectorAll('tr[data-host]').length === 2, undefined, { timeout: 10_000 });
      assert.deepEqual(await page.locator('tr[data-host]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host'))), ['ui-r1', 'ui-r2']);
      await page.getByLabel('command').fill('show version');
      await page.getByRole('button', { name: 'Run on 2 devices' }).click();
      // nothing listens on the port: each device ends with its own connection error
      for (const d of ['ui-r1', 'ui-r2']) await page.locator(`li[data-device="${d}"][data-state="failed"] .error`).waitFor({ timeout: 30_000 });
    });
    await page.context().close();
  });

  test('designer: a two-task workflow is drawn, connected by drag and drop, checked by the engine loader, saved, run, and succeeds', async () => {
    const page = await session('admin');
    await step(page, 'designer-draw', async () => {
      await page.goto(`${app.url}/#/designer`);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.getByLabel('new task name').fill('greet');
      await page.getByLabel('new task action').fill('core.echo');
      await page.getByRole('button', { name: 'Add task' }).click();
      await page.locator('.react-flow__node[data-id="greet"]').waitFor();
      // keyboard: focus the task and press Enter to open it in the editor
      await page.locator('.react-flow__node[data-id="greet"]').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'greet' }).waitFor();
      await page.getByLabel('input message').fill('hello from the designer');
      await page.getByLabel('input message').blur();
      await page
        .locator('.react-flow__node[data-id="start"] .react-flow__handle-bottom')
        .dragTo(page.locator('.react-flow__node[data-id="greet"] .react-flow__handle-top'));
      await page.locator('.react-flow__edge').first().waitFor();
      await page
        .getByTestId('validity')
        .filter({ hasText: /^valid$/ })
        .waitFor();
    });
    const yaml = await page.getByLabel('workflow yaml').inputValue();
    assert.match(yaml, /start:\n\s+action: core\.noop\n\s+next:\n\s+- when: <% succeeded\(\) %>\n\s+do:\n\s+- greet/);
    await docScreenshot(page, 'ui-designer');
    await step(page, 'designer-save-run', async () => {
      await page.getByLabel('save as').fill('designer.two_tasks');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('p.ok').filter({ hasText: 'saved designer.two_tasks' }).waitFor();
      await page.getByRole('button', { name: 'Run' }).click();
      await page.locator('[data-task="greet"][data-status="succeeded"]').waitFor();
      await page.locator('h1 [data-status="succeeded"]').waitFor();
    });
    await page.context().close();
  });

  test('designer: a loader error is shown on the task it concerns; opening a workflow and saving it unchanged writes the same bytes, comments and all', async () => {
    const page = await session('admin');
    await step(page, 'designer-problem', async () => {
      await page.goto(`${app.url}/#/designer`);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.getByLabel('workflow yaml').fill('version: 1.0\ntasks:\n  start:\n    action: core.noop\n    next:\n      - do: ghost\n');
      await page.getByTestId('validity').filter({ hasText: 'NRX_ERR_SPEC_INVALID' }).filter({ hasText: 'ghost' }).waitFor();
      await page.locator('[data-task="start"].has-problem').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);
    });
    await step(page, 'designer-round-trip', async () => {
      await page.goto(`${app.url}/#/designer?ref=uitest.approve`);
      await page.locator('.react-flow__node[data-id="apply"]').waitFor();
      assert.equal(await page.getByLabel('save as').inputValue(), 'designer.approve', 'a shipped workflow is saved under another pack');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('p.ok').filter({ hasText: 'saved designer.approve' }).waitFor();
    });
    const original = readFileSync('test/ui/fixtures/packs/uitest/actions/workflows/approve.yaml', 'utf8');
    const saved = readFileSync(path.join(app.dataDir, 'packs/designer/actions/workflows/approve.yaml'), 'utf8');
    assert.equal(saved, original);
    await page.context().close();
  });

  test('designer: an ActionChain opens as a graph and saves unchanged byte for byte; nodes added, connected on success and on failure by drag, given an action and parameters, pass the engine loader, save and run', async () => {
    const page = await session('admin');
    const fixture = readFileSync('test/ui/fixtures/packs/uitest/actions/workflows/chain.yaml', 'utf8');
    const node = (name: string) => page.locator(`.react-flow__node[data-id="${name}"]`);
    const drag = (from: string, handle: 'bottom' | 'right', to: string) =>
      node(from).locator(`.react-flow__handle-${handle}`).dragTo(node(to).locator('.react-flow__handle-top'));
    await step(page, 'designer-chain-open', async () => {
      await page.goto(`${app.url}/#/designer?ref=uitest.chain`);
      for (const n of ['note', 'check', 'fallback']) await node(n).waitFor();
      await page.getByTestId('rf__edge-note->check#0').waitFor();
      await page.getByTestId('rf__edge-check->fallback#1').waitFor();
      assert.equal(await page.getByLabel('save as').inputValue(), 'designer.chain');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('p.ok').filter({ hasText: 'saved designer.chain' }).waitFor();
    });
    assert.equal(readFileSync(path.join(app.dataDir, 'packs/designer/actions/workflows/chain.yaml'), 'utf8'), fixture, 'open -> save: the same bytes');

    await step(page, 'designer-chain-edit', async () => {
      await page.getByLabel('new task name').fill('report');
      await page.getByLabel('new task action').fill('core.echo');
      await page.getByRole('button', { name: 'Add task' }).click();
      await node('report').waitFor();
      await node('report').focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'report' }).waitFor();
      await page.getByLabel('input message').fill('all done');
      await page.getByLabel('input message').blur();
      await drag('check', 'bottom', 'report'); // check: on-success -> report
      await page.getByTestId('rf__edge-check->report#1').waitFor();
      await drag('report', 'right', 'fallback'); // report: on-failure -> fallback
      await page.locator('.react-flow__edge.edge-failure[data-testid^="rf__edge-report->fallback"]').waitFor();
      await node('check').click();
      await page.getByRole('heading', { name: 'check' }).waitFor();
      await page.getByLabel('task action', { exact: true }).fill('core.echo');
      await page.getByLabel('task action', { exact: true }).blur();
      await page.getByLabel('input message').fill('checked');
      await page.getByLabel('input message').blur();
      await page
        .getByTestId('validity')
        .filter({ hasText: /^valid$/ })
        .waitFor();
    });
    const yaml = await page.getByLabel('workflow yaml').inputValue();
    assert.match(yaml, /# An ActionChain the designer opens as a graph; this comment survives a save\./, 'comments kept');
    assert.match(yaml, /- name: check\n\s+ref: core\.echo\n\s+on-failure: fallback\n\s+on-success: report\n\s+parameters:\n\s+message: checked\n/);
    assert.match(yaml, /- name: report\n\s+ref: core\.echo\n\s+parameters:\n\s+message: all done\n\s+on-failure: fallback\n/);
    const checked = await app.api<{ valid: boolean }>('POST', '/api/v1/workflows/validate', { yaml, kind: 'action-chain' });
    assert.equal(checked.valid, true, "the engine's loader accepts the drawn chain");
    await step(page, 'designer-chain-save-run', async () => {
      await page.getByLabel('save as').fill('designer.chain_drawn');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('p.ok').filter({ hasText: 'saved designer.chain_drawn' }).waitFor();
      await page.getByRole('button', { name: 'Run' }).click();
      await page.locator('h1 [data-status="succeeded"]').waitFor({ timeout: 30_000 });
      await page.locator('[data-task="report"][data-status="succeeded"]').waitFor();
    });
    assert.equal(readFileSync(path.join(app.dataDir, 'packs/designer/actions/workflows/chain_drawn.yaml'), 'utf8'), yaml, 'saved as shown');
    await page.context().close();
  });

  test('designer: Delete and Backspace remove the selected transition or task (as the Remove buttons do), in Orquesta and ActionChain workflows; a chain loader error shows on its node', async () => {
    const page = await session('admin');
    const yaml = () => page.getByLabel('workflow yaml').inputValue();
    await step(page, 'designer-delete-keys', async () => {
      await page.goto(`${app.url}/#/designer`);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.getByLabel('new task name').fill('extra');
      await page.getByRole('button', { name: 'Add task' }).click();
      await page
        .locator('.react-flow__node[data-id="start"] .react-flow__handle-bottom')
        .dragTo(page.locator('.react-flow__node[data-id="extra"] .react-flow__handle-top'));
      const edge = page.getByTestId('rf__edge-start->extra#0');
      await edge.waitFor();
      await edge.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Remove start → extra' }).waitFor();
      await page.keyboard.press('Backspace');
      await edge.waitFor({ state: 'detached' });
      assert.doesNotMatch(await yaml(), /do:/, 'the transition is gone from the YAML');
      await page.locator('.react-flow__node[data-id="extra"]').click();
      await page.getByRole('button', { name: 'Remove extra' }).waitFor();
      await page.keyboard.press('Delete');
      await page.locator('.react-flow__node[data-id="extra"]').waitFor({ state: 'detached' });
      assert.doesNotMatch(await yaml(), /extra/, 'the task is gone from the YAML');

      await page.getByRole('button', { name: 'New chain' }).click();
      await page.getByLabel('new task name').fill('after');
      await page.getByRole('button', { name: 'Add task' }).click();
      await page
        .locator('.react-flow__node[data-id="start"] .react-flow__handle-right')
        .dragTo(page.locator('.react-flow__node[data-id="after"] .react-flow__handle-top'));
      assert.match(await yaml(), /on-failure: after/);
      await page.locator('.react-flow__node[data-id="after"]').click();
      await page.keyboard.press('Backspace');
      await page.locator('.react-flow__node[data-id="after"]').waitFor({ state: 'detached' });
    });
    assert.equal(await yaml(), 'chain:\n  - name: start\n    ref: core.noop\n', 'the node and the on-failure naming it are gone');
    await step(page, 'designer-chain-problem', async () => {
      await page.getByLabel('workflow yaml').fill('chain:\n  - name: start\n    ref: core.noop\n    on-success: ghost\n');
      await page.getByTestId('validity').filter({ hasText: 'NRX_ERR_SPEC_INVALID' }).filter({ hasText: 'ghost' }).waitFor();
      await page.locator('[data-task="start"].has-problem').waitFor();
    });
    await page.context().close();
  });
});

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
