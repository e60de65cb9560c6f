import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { labGuard } from '../lab/guard.js';
import { labUp, type Lab } from '../lab/lab.js';
import { buildUi, chromiumOrReason, docScreenshot, launch, logIn, startAppliance, step, type Appliance } from './browser.js';

/**
 * The web UI against the lab: FRR's real syslog reaches `netreflex serve`, the shipped
 * remediation runs, and the browser watches its graph colour in; the inventory's run box runs a
 * show command on two lab routers over SSH.
 */
const labSkip = labGuard();
const found = labSkip ? null : await chromiumOrReason();
const skip = labSkip || (found && 'reason' in found ? found.reason : false);
if (skip) process.stderr.write(`\n*** SKIPPING the lab browser tests: ${skip} ***\n\n`);

describe('web UI against the lab', { skip, timeout: 300_000 }, () => {
  let lab: Lab | undefined;
  let app: Appliance;
  let browser: Browser;

  before(async () => {
    buildUi();
    // the routers send syslog to the appliance, and the appliance reads the lab's inventory, credentials
    // and host keys at start: pick the syslog port first, bring the lab up, then start serve on that port
    const syslogPort = await freePort();
    lab = await labUp({ syslogPort });
    const theLab = lab;
    app = await startAppliance({
      args: ['--inventory', theLab.inventoryDir, '--sensor-host', '0.0.0.0', '--syslog-port', String(syslogPort), '--trap-port', 'off', '--sflow-port', 'off'],
      prepare: (dataDir) => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'credential', 'import', theLab.credentialsPath], {
          encoding: 'utf8',
          env: { ...process.env, NETREFLEX_DATA_DIR: dataDir },
        });
        assert.equal(r.status, 0, r.stderr);
        copyFileSync(theLab.knownHostsPath, path.join(dataDir, 'known_hosts'));
      },
    });
    await lab.waitEstablished('leaf1', undefined, 60_000);
    await lab.waitEstablished('leaf2', undefined, 60_000);
    browser = await launch((found as { path: string }).path);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await lab?.down();
  });

  test('a real BGP fault: the remediation workflow appears in the feed and its graph colours in as it diagnoses, repairs and sees the peer back', async () => {
    const page = await logIn(await browser.newContext({ viewport: { width: 1280, height: 800 } }), app.url, 'admin', app.adminPassword);
    await page.goto(`${app.url}/#/feed`);
    await lab!.fault.killBgpd('spine1');
    try {
      await step(page, 'lab-remediation-starts', async () => {
        // hold_down is 15 s: the rule fires only after the peer stayed down that long
        const row = page.locator('.exec-row[data-action="remediation.bgp_peer_down"]').first();
        await row.waitFor({ timeout: 90_000 });
        await row.getByRole('link').click();
        await page.locator('[data-task="note"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
        await page.locator('[data-task="diagnose"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
        await page.locator('[data-task="wait_established"][data-status="running"]').waitFor({ timeout: 60_000 });
      });
    } finally {
      await lab!.fault.startBgpd('spine1');
    }
    await step(page, 'lab-remediation-ends', async () => {
      await page.locator('[data-task="recovered"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
      await page.locator('h1 [data-status="succeeded"]').waitFor();
    });
    await docScreenshot(page, 'ui-lab-remediation');
    await page.context().close();
  });

  test("the inventory run box runs a show command on two lab routers and shows each one's parsed table", async () => {
    const page = await logIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), app.url, 'admin', app.adminPassword);
    await step(page, 'lab-run-box', async () => {
      await page.goto(`${app.url}/#/inventory`);
      await page.getByLabel('inventory filter').fill('role=leaf');
      await page.getByRole('button', { name: 'Filter' }).click();
      // the table shows every host until the filter's answer comes: the spine leaving says it has
      await page.locator('tr[data-host="spine1"]').waitFor({ state: 'detached' });
      await page.locator('tr[data-host="leaf2"]').waitFor();
      assert.equal(await page.locator('tr[data-host]').count(), 2);
      await page.getByLabel('command').fill('show ip bgp summary');
      await page.getByRole('button', { name: 'Run on 2 devices' }).click();
      for (const leaf of ['leaf1', 'leaf2']) {
        const device = page.locator(`li[data-device="${leaf}"][data-state="succeeded"]`);
        await device.waitFor({ timeout: 60_000 });
        assert.match(await device.locator('pre').last().innerText(), /Neighbor[\s\S]*spine1/);
      }
      // the getter's model: one table row per BGP neighbor, parsed
      await page.getByLabel('action').selectOption('network.get');
      await page.getByLabel('command').fill('bgp_neighbors');
      await page.getByRole('button', { name: 'Run on 2 devices' }).click();
      for (const leaf of ['leaf1', 'leaf2']) {
        const table = page.locator(`li[data-device="${leaf}"][data-state="succeeded"] table.result-table`);
        await table.waitFor({ timeout: 60_000 });
        assert.match(await table.innerText(), /established/);
      }
    });
    await docScreenshot(page, 'ui-inventory-run');
    await page.context().close();
  });
});

/** A port free on TCP and UDP on every address (serve listens for syslog on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(0, '0.0.0.0', r));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, '0.0.0.0', () => r(true));
    });
    try {
      udp.close();
    } catch {
      // never bound: nothing to close
    }
    await new Promise((r) => tcp.close(r));
    if (ok) return port;
  }
}
