/**
 * `npm run demo` as an operator runs it: started in its own process group (a terminal), read
 * until the tour has shown a repair and an escalation, then Ctrl-C (SIGINT to the group). Nothing
 * of it may be left: no process of the group, no lock naming it, no lab namespace it made.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../../src/core/config.js';
import { labGuard } from './guard.js';
import { readLock } from './state.js';

const skip = labGuard();

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', { skip, timeout: 600_000 }, () => {
  test('brings the lab up wired to an appliance, repairs then escalates a BGP session live with the execution tail, says where to look; Ctrl-C takes everything down', async () => {
    const child = spawn('npm', ['run', '--silent', 'demo'], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
    const pgid = child.pid!;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const waitFor = async (re: RegExp, ms: number): Promise<RegExpExecArray> => {
      const end = Date.now() + ms;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > end) assert.fail(`npm run demo: no ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    let labDir: string | undefined;
    try {
      const api = (await waitFor(/API and web UI\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(login: admin \/ (\S+)\)/, 300_000))[1]!;
      labDir = readLock()?.dir; // the demo's lab is up: the lock is its
      await waitFor(/chat\s+irc:\/\/127\.0\.0\.1:\d+\/#noc/, 1000);
      // part 1: the tail follows leaf1's remediation as it happens, and it ends repaired
      await waitFor(/^repaired: BGP peer 10\.0\.1\.1 on leaf1, execution \S+$/m, 120_000);
      assert.match(out, /^ {2}\| .*(remediation\.bgp_peer_down|wait_established)/m, 'the execution tail was shown');
      // the demo prints what the bot said once it is heard in the channel, after the outcome line
      await waitFor(/nrxbot in #noc: RECOVERED: BGP peer 10\.0\.1\.1 on leaf1/, 40_000);
      // part 2: it stays down, escalated (with a ticket when Redmine is here)
      const esc = await waitFor(/^escalated: BGP peer 10\.0\.1\.1 on leaf1, execution \S+(, ticket (\S+))?$/m, 180_000);
      if (/tickets\s+http/.test(out)) assert.match(esc[2] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/issues\/\d+$/, 'the ticket URL');
      await waitFor(/nrxbot in #noc: ESCALATED: BGP peer 10\.0\.1\.1 on leaf1/, 40_000);
      await waitFor(/Ctrl-C takes everything down/, 30_000);
      const health = await fetch(`${api}/api/v1/auth/whoami`);
      assert.ok(health.status < 500, 'the API answers while the demo runs');
    } finally {
      // Ctrl-C in its terminal: SIGINT to the whole process group
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGINT');
    }
    // npm itself dies of the SIGINT (as in a terminal); the demo under it cleans up and exits 0
    const exit = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 120_000))]);
    for (let i = 0; i < 1200 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    if (exit === 'hung') assert.fail(`npm run demo did not end after Ctrl-C:\n${out.slice(-2000)}`);
    assert.ok(exit.code === 0 || exit.signal === 'SIGINT', `npm run demo ended ${JSON.stringify(exit)}`);
    assert.match(out, /the lab is down/);
    assert.doesNotMatch(out, /npm run demo failed|stop: /);
    assert.equal(groupAlive(pgid), false, 'no process of the demo is left');
    // the peers it started outside its process group are gone too: Redmine, the SFTP server
    const redmine = /tickets\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (redmine) await assert.rejects(fetch(redmine), 'Redmine is stopped');
    const uploads = /log bundles\s+(\S+)/.exec(out)?.[1];
    if (uploads && uploads !== '-') assert.equal(existsSync(uploads), false, `${uploads} is removed`);
    const lock = readLock();
    assert.ok(!lock || lock.dir !== labDir, `the demo's lab lock is gone: ${JSON.stringify(lock)}`);
    if (labDir) assert.equal(existsSync(labDir), false, 'the lab dir is removed');
    const status = spawnSync('npm', ['run', '--silent', 'lab:status'], { cwd: REPO_ROOT, encoding: 'utf8' });
    // another lab test may take the lab at any moment (also between the two reads): the demo's is down either way
    if (!/no lab is up/.test(status.stdout)) assert.ok(labDir && !status.stdout.includes(labDir), `lab:status shows the demo's lab:\n${status.stdout}`);
  });
});
