import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { BACKGROUND, EXEMPT, LAB_WALK_SECTION, PAGES, RUN_PAGES, TOUR_EXPECT } from './page-plan.js';
import { buildDist, freeApplianceEnv, PageSession, readerEnv, REPO } from './run-page.js';
import { shellCommands, type ShellCommand } from './shell-blocks.js';

const all = (): ShellCommand[] => PAGES.flatMap((p) => shellCommands(path.join(REPO, p)).map((c) => ({ ...c, where: path.relative(REPO, c.where) })));

describe('every command the README and the docs pages show', () => {
  test('is run by a test (the lab walk, or a page run verbatim) or listed as exempt with its reason', () => {
    const unaccounted = all().filter((c) => {
      const walk = c.where.startsWith('README.md:') && LAB_WALK_SECTION.test(c.section);
      const runPage = RUN_PAGES.some((p) => c.where.startsWith(`${p}:`));
      return !walk && !runPage && EXEMPT[c.text] === undefined;
    });
    assert.deepEqual(
      unaccounted.map((c) => `${c.where}: ${c.text}`),
      [],
      'run these in a test, or add them to EXEMPT in test/docs/page-plan.ts with the reason they cannot run',
    );
    // the README walk is there and the lab test has something to follow
    assert.ok(all().filter((c) => c.where.startsWith('README.md:') && LAB_WALK_SECTION.test(c.section)).length >= 8, 'the README has its lab walk');
  });

  test('the exempt list names only commands the pages still show, each with a reason', () => {
    const shown = new Set(all().map((c) => c.text));
    const stale = Object.keys(EXEMPT).filter((t) => !shown.has(t));
    assert.deepEqual(stale, [], 'remove these from EXEMPT in test/docs/page-plan.ts: no page shows them any more');
    for (const [t, why] of Object.entries(EXEMPT)) assert.ok(why.length > 20, `a reason for ${t}`);
  });

  describe('docs/tour.md, verbatim', { timeout: 300_000 }, () => {
    const home = mkdtempSync(path.join(tmpdir(), 'nrx-tour-'));
    after(() => rmSync(home, { recursive: true, force: true }));

    test('builds the pack, starts the appliance, sees the event fire the rule and the chain succeed, tests the rule, runs in-process', async () => {
      buildDist();
      const session = new PageSession(readerEnv(home, await freeApplianceEnv()), home);
      try {
        for (const page of RUN_PAGES) {
          for (const c of shellCommands(path.join(REPO, page))) {
            if (EXEMPT[c.text]) continue;
            const ready = BACKGROUND[c.text];
            if (ready) await session.start(c, ready);
            else await session.run(c, TOUR_EXPECT[c.text]);
          }
        }
      } finally {
        await session.stop();
      }
      assert.match(session.output('npm start'), /created user 'admin' with password \S+ \(shown once/);
    });
  });
});
