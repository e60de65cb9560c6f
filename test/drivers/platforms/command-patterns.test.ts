import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMMAND_PATTERNS, commandVariants, expandPattern, resolveCommand } from '../../../drivers/platforms/command-patterns.js';
import { parseCommandOutput, platformNames, requirePlatform } from '../../../drivers/platforms/registry.js';
import { isNrxError } from '../../../src/core/errors.js';

function refused(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_UNSUPPORTED' && re.test(e.message));
}

describe('command patterns: matching typed commands as the devices do', () => {
  test('an optional group expands to both spellings and <name> takes any word', () => {
    assert.deepEqual(expandPattern('show ip bgp [all] summary'), [
      ['show', 'ip', 'bgp', 'summary'],
      ['show', 'ip', 'bgp', 'all', 'summary'],
    ]);
    assert.deepEqual(expandPattern('show bgp vrf <vrf> summary'), [['show', 'bgp', 'vrf', null, 'summary']]);
  });

  test('abbreviations resolve to the full command and its parser', () => {
    const ios = requirePlatform('cisco_ios');
    assert.deepEqual(resolveCommand(ios, 'sh ip bgp sum'), { parser: 'show ip bgp summary', command: 'show ip bgp summary' });
    assert.deepEqual(resolveCommand(ios, '  SH  BGP   IPV4 UNI  SU '), { parser: 'show ip bgp summary', command: 'show bgp ipv4 unicast summary' });
    assert.deepEqual(resolveCommand(ios, 'sh int'), { parser: 'show interfaces', command: 'show interfaces' });
    assert.deepEqual(resolveCommand(requirePlatform('cisco_nxos'), 'sh ip bgp al sum vrf all'), {
      parser: 'show ip bgp summary',
      command: 'show ip bgp all summary vrf all',
    });
    assert.deepEqual(resolveCommand(requirePlatform('cisco_iosxr'), 'sh bgp vrf CUST-A sum'), {
      parser: 'show bgp summary',
      command: 'show bgp vrf CUST-A summary',
    });
  });

  test('an exact keyword wins over longer keywords it is a prefix of', () => {
    // `ip` is a keyword and also the start of `ipv4` on FRR: `show ip bgp sum` is not ambiguous
    assert.equal(resolveCommand(requirePlatform('frr'), 'show ip bgp sum').command, 'show ip bgp summary');
  });

  test('`sh i` is refused as ambiguous, naming the candidates', () => {
    refused(() => resolveCommand(requirePlatform('cisco_ios'), 'sh i'), /ambiguous command 'sh i': 'i' could be interfaces, ip/);
    refused(() => resolveCommand(requirePlatform('frr'), 'sh i bgp sum'), /'i' could be interface, ip/);
  });

  test('incomplete and unknown commands are refused, saying what could follow or what exists', () => {
    refused(() => resolveCommand(requirePlatform('cisco_ios'), 'sh ip bgp'), /incomplete command 'sh ip bgp' \(next word: all, ipv4, summary\)/);
    refused(() => resolveCommand(requirePlatform('frr'), 'show ip ospf neighbor'), /no parser for 'show ip ospf neighbor'.*show ip bgp summary/);
    refused(() => resolveCommand(requirePlatform('juniper_junos'), 'show bgp summary extra'), /no parser/);
    refused(() => resolveCommand(requirePlatform('cisco_ios'), ''), /incomplete command/);
  });

  test('every variant in the table, and every parser key, resolves to its parser, also cut to 3 letters a word', () => {
    for (const name of platformNames()) {
      const platform = requirePlatform(name);
      assert.ok(COMMAND_PATTERNS[name], `${name} has no row in the command-pattern table`);
      for (const [, parser] of COMMAND_PATTERNS[name]!) assert.ok(platform.parsers[parser], `${name}: the table names a parser '${parser}' it lacks`);
      const variants = commandVariants(platform);
      for (const key of Object.keys(platform.parsers))
        assert.ok(
          variants.some((v) => v.command === key),
          `${name}: '${key}' not listed`,
        );
      for (const { command, parser } of variants) {
        const typed = command.replace(/<(\w+)>/g, 'B1');
        assert.equal(resolveCommand(platform, typed).parser, parser, `${name} '${typed}'`);
        // cut every keyword to its shortest unambiguous length is device-specific; 3 letters is unambiguous in this table
        const short = typed
          .split(' ')
          .map((w) => (w.length > 3 && w !== 'ipv4' && w !== 'ipv6' && w !== 'interface' && w !== 'interfaces' ? w.slice(0, 3) : w))
          .join(' ');
        assert.equal(resolveCommand(platform, short).command, typed, `${name} '${short}'`);
      }
    }
  });

  test('netreflex parse goes through the matcher: an abbreviation parses like the full command', () => {
    const out = [
      'Neighbor        V   AS MsgRcvd MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd',
      '10.0.0.2        4 65002      10      12        5    0    0 00:01:02        3',
    ].join('\n');
    const full = parseCommandOutput('cisco_ios', 'show ip bgp summary', out);
    const short = parseCommandOutput('cisco_ios', 'sh ip bg su', out);
    assert.deepEqual(short.model, full.model);
    assert.equal(short.command, 'show ip bgp summary');
  });
});
