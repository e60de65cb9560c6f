import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CliDriver } from '../../drivers/cli-driver.js';
import { GETTER_NAMES, type GetterName } from '../../drivers/contract/getters.js';
import { findPlatform, parseCommandOutput, platformNames, requirePlatform } from '../../drivers/platforms/registry.js';
import { isNrxError } from '../../src/core/errors.js';
import { FixtureSession, fixtureCases } from './fixture-session.js';

/**
 * NAPALM's shared contract suite: every platform runs the same checks over its recorded
 * outputs in fixtures/<platform>/<getter>/<case>/. A case holding the getter's own commands
 * goes through the driver (getter -> commands -> parse); a case recorded with another command
 * of the same kind goes through that command's parser. Set NRX_WRITE_EXPECTED=1 to write
 * missing expected.json files (then read them before committing).
 */
const ROOT = join(import.meta.dirname, 'fixtures');
const cases = fixtureCases(ROOT);

describe('driver contract over recorded outputs', () => {
  test('every shipped platform has fixtures and a BGP neighbors getter (a layer-2 platform: a LAG getter)', () => {
    for (const p of platformNames()) {
      if (requirePlatform(p).layer2) {
        assert.ok(
          cases.some((c) => c.platform === p && c.getter === 'lag_members'),
          `${p} has no lag_members fixture`,
        );
        continue;
      }
      assert.ok(
        cases.some((c) => c.platform === p && c.getter === 'bgp_neighbors'),
        `${p} has no bgp_neighbors fixture`,
      );
      assert.ok(requirePlatform(p).getters.bgp_neighbors, `${p} lacks getBgpNeighbors`);
    }
  });

  for (const c of cases) {
    test(`${c.platform} ${c.getter} ${c.name}`, async () => {
      const platform = findPlatform(c.platform);
      assert.ok(platform, `fixtures for unknown platform ${c.platform}`);
      assert.ok((GETTER_NAMES as readonly string[]).includes(c.getter), `unknown getter folder ${c.getter}`);
      const recipe = platform.getters[c.getter as GetterName];
      let model: unknown;
      if (recipe && recipe.commands.every((cmd) => c.outputs[cmd] !== undefined)) {
        const session = new FixtureSession(c.outputs);
        const driver = new CliDriver(`fixture-${c.platform}`, platform, async () => session);
        model = await driver.get(c.getter as GetterName);
        assert.deepEqual(session.sent, recipe.commands, 'the getter sends exactly its commands');
      } else {
        const commands = Object.keys(c.outputs);
        assert.equal(commands.length, 1, 'a parser case holds one command output');
        const parsed = parseCommandOutput(c.platform, commands[0]!, c.outputs[commands[0]!]!);
        assert.equal(parsed.getter, c.getter, `'${commands[0]}' feeds ${parsed.getter}, not ${c.getter}`);
        model = parsed.model;
      }
      if (!existsSync(c.expectedFile) && process.env.NRX_WRITE_EXPECTED === '1') writeFileSync(c.expectedFile, `${JSON.stringify(model, null, 2)}\n`);
      assert.ok(existsSync(c.expectedFile), `${c.expectedFile} is missing`);
      assert.deepEqual(model, JSON.parse(readFileSync(c.expectedFile, 'utf8')));
    });
  }

  test('a getter a platform lacks is NRX_ERR_UNSUPPORTED naming platform and getter, before anything is sent', async () => {
    for (const name of platformNames()) {
      const platform = requirePlatform(name);
      for (const g of GETTER_NAMES) {
        if (platform.getters[g]) continue;
        const session = new FixtureSession({});
        const driver = new CliDriver('d1', platform, async () => session);
        await assert.rejects(
          driver.get(g),
          (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_UNSUPPORTED' && e.message.includes(name) && e.message.includes(g),
        );
        assert.deepEqual(session.sent, []);
      }
    }
  });

  test('candidate operations on platforms without a candidate are NRX_ERR_UNSUPPORTED', async () => {
    for (const name of platformNames()) {
      const platform = requirePlatform(name);
      if (platform.candidate) continue;
      const driver = new CliDriver('d1', platform, async () => new FixtureSession({}));
      for (const op of [
        () => driver.loadMerge(['x']),
        () => driver.loadReplace('x'),
        () => driver.compare(),
        () => driver.commit(),
        () => driver.discard(),
        () => driver.rollback(),
      ]) {
        await assert.rejects(op(), (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_UNSUPPORTED' && e.message.includes(name));
      }
    }
  });

  test('a getter whose command the device rejects is NRX_ERR_COMMAND_REJECTED naming device and command', async () => {
    const driver = new CliDriver('leaf9', requirePlatform('frr'), async () => new FixtureSession({}));
    await assert.rejects(
      driver.getBgpNeighbors(),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_COMMAND_REJECTED' && /leaf9/.test(e.message) && /show ip bgp summary/.test(e.message),
    );
  });

  test('every parser meets hostile output with a model or NRX_ERR_PARSE, never another exception', () => {
    const lineArb = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd',
        'Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn State',
        '  Neighbor         V  AS           MsgRcvd   MsgSent  InQ OutQ  Up/Down State  PfxRcd PfxAcc',
        'Device ID           Local Intf     Hold-time  Capability      Port ID',
        '10  Po10(RU)  LACP  Te0/0/2(bndl)',
        'Interface lo is up, line protocol is up',
      ),
      fc.tuple(fc.ipV4(), fc.nat(), fc.nat(), fc.string()).map(([ip, v, as, rest]) => `${ip} ${v} ${as} 1 2 3 0 0 00:01:02 ${rest}`),
    );
    const outputArb = fc.array(lineArb, { maxLength: 12 }).map((ls) => ls.join('\n'));
    const parsers = platformNames().flatMap((p) => Object.keys(requirePlatform(p).parsers).map((cmd) => [p, cmd] as const));
    fc.assert(
      fc.property(fc.constantFrom(...parsers), outputArb, ([p, cmd], out) => {
        try {
          parseCommandOutput(p, cmd, out);
        } catch (e) {
          assert.ok(isNrxError(e) && e.code === 'NRX_ERR_PARSE', `${p} '${cmd}' threw ${String(e)}`);
          assert.match(e.message, new RegExp(p));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
