import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { GetterName } from '../../drivers/contract/getters.js';
import { requirePlatform } from '../../drivers/platforms/registry.js';
import { fixtureCases } from './fixture-session.js';

/**
 * Which getter each platform fills, and from which public output. Every getter the contract
 * names is, on each of the six CLI platforms, either filled and proven by at least one
 * recorded case, or listed here with the reason it cannot be filled from real output.
 */
const CLI_PLATFORMS = ['arista_eos', 'cisco_ios', 'cisco_iosxr', 'cisco_nxos', 'frr', 'juniper_junos'] as const;
/** The getters the driver contract names for every platform (NAPALM's core set). */
const CONTRACT_GETTERS: readonly GetterName[] = ['facts', 'interfaces', 'bgp_neighbors', 'lldp_neighbors', 'lag_members'];

export const NOT_FILLED: ReadonlyArray<{ platform: string; getter: GetterName; reason: string }> = [
  {
    platform: 'frr',
    getter: 'lldp_neighbors',
    reason:
      "FRR is a routing suite reached through vtysh, which has no LLDP: neighbours are lldpd's (lldpcli) or the switch OS's, so there is no vtysh output to read",
  },
  {
    platform: 'frr',
    getter: 'lag_members',
    reason: 'bonds belong to the Linux kernel (ip -d link, /proc/net/bonding), not to FRR: vtysh prints no LAG table, so there is no vtysh output to read',
  },
];

/** The public projects whose test outputs the fixtures copy (by `owner/repo`). */
const PUBLIC_SOURCES = new Set(['networktocode/ntc-templates', 'napalm-automation/napalm', 'CiscoTestAutomation/genieparser']);
/** Case names that say a case was copied from one of them. */
const COPIED_CASE = /^(ntc|napalm|genie)_/;
/** Cases copied before fixtures named their source; their file is not in the stored copies searched. */
const COPIED_BEFORE_HEADERS = new Set([
  'cisco_ios/bgp_neighbors/genie_iosxe_all_idle',
  'cisco_ios/bgp_neighbors/napalm_normal',
  'cisco_ios/interfaces/napalm_normal',
  'cisco_ios/lldp_neighbors/napalm_normal',
]);
/** FRR's cases are recorded from the lab's FRR peers (real output): the public projects ship none for it. */
const RECORDED_IN_LAB = new Set(['frr']);

const cases = fixtureCases(join(import.meta.dirname, 'fixtures'));

describe('which getters each platform fills', () => {
  for (const platform of CLI_PLATFORMS) {
    for (const getter of CONTRACT_GETTERS) {
      const skip = NOT_FILLED.find((s) => s.platform === platform && s.getter === getter);
      const recorded = cases.filter((c) => c.platform === platform && c.getter === getter);
      test(`${platform} ${getter}: ${skip ? 'not filled, for a stated reason' : 'filled and recorded'}`, () => {
        if (skip) {
          assert.equal(recorded.length, 0, `${platform} ${getter} has recorded cases: drop it from NOT_FILLED`);
          assert.equal(requirePlatform(platform).getters[getter], undefined, `${platform} fills ${getter}: drop it from NOT_FILLED`);
          assert.ok(skip.reason.length >= 40, `${platform} ${getter}: say why it cannot be filled`);
        } else {
          assert.ok(requirePlatform(platform).getters[getter], `${platform} lacks ${getter} and NOT_FILLED does not say why`);
          assert.ok(recorded.length > 0, `${platform} ${getter} has no recorded case under test/drivers/fixtures`);
        }
      });
    }
  }

  test('NOT_FILLED names only shipped platforms and known getters', () => {
    for (const s of NOT_FILLED) {
      assert.ok((CLI_PLATFORMS as readonly string[]).includes(s.platform), s.platform);
      assert.ok(CONTRACT_GETTERS.includes(s.getter), s.getter);
    }
  });
});

describe('where the public fixtures come from', () => {
  const copied = cases.flatMap((c) => Object.entries(c.sources).map(([command, source]) => ({ c, command, source })));

  test('a copied case carries a source header on every output, naming a public project and a file in it', () => {
    for (const c of cases.filter((k) => COPIED_CASE.test(k.name) && !COPIED_BEFORE_HEADERS.has(`${k.platform}/${k.getter}/${k.name}`))) {
      for (const command of Object.keys(c.outputs)) assert.ok(c.sources[command], `${c.dir}: '${command}' has no #nrx-source header`);
    }
    assert.ok(copied.length >= 16, `only ${copied.length} outputs name their source`);
    for (const { c, source } of copied) {
      const m = /^(\S+\/\S+) (\S+)$/.exec(source);
      assert.ok(m, `${c.dir}: source '${source}' is not 'owner/repo path'`);
      assert.ok(PUBLIC_SOURCES.has(m[1]!), `${c.dir}: ${m[1]} is not one of the public reference projects`);
      assert.ok(COPIED_CASE.test(c.name), `${c.dir}: a copied case is named after its project (ntc_, napalm_, genie_)`);
    }
  });

  test('every platform but the lab-recorded FRR has copied cases, and every getter is among them', () => {
    for (const p of CLI_PLATFORMS.filter((x) => !RECORDED_IN_LAB.has(x))) {
      assert.ok(
        copied.some(({ c }) => c.platform === p),
        `${p} has no copied case`,
      );
    }
    assert.deepEqual([...new Set(copied.map(({ c }) => c.getter))].sort(), [...CONTRACT_GETTERS].sort());
  });
});
