import { NrxError } from '../../src/core/errors.js';
import { normaliseCommand, type Platform } from './platform.js';

/**
 * Which typed command feeds which parser, matched the way the devices' own CLIs match it: each
 * word may be cut short while it stays unambiguous (`sh ip bgp sum`), and several commands that
 * print the same table share one parser. The one table of command patterns, per platform.
 *
 * Pattern syntax: `[words]` is optional, `<name>` is any one word (a VRF, an instance).
 * The right-hand side is the key of the platform's `parsers` that reads the output.
 */
export const COMMAND_PATTERNS: Readonly<Record<string, ReadonlyArray<readonly [pattern: string, parser: string]>>> = {
  cisco_ios: [
    ['show ip bgp [all] summary', 'show ip bgp summary'],
    ['show ip bgp ipv4 unicast summary', 'show ip bgp summary'],
    ['show bgp [all] summary', 'show ip bgp summary'],
    ['show bgp ipv4 unicast summary', 'show ip bgp summary'],
    ['show interfaces', 'show interfaces'],
    ['show lldp neighbors', 'show lldp neighbors'],
    ['show etherchannel summary', 'show etherchannel summary'],
    ['show version', 'show version'],
  ],
  cisco_nxos: [
    ['show ip bgp [all] summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show bgp ipv4 unicast summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show bgp [all] summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show bgp ipv6 unicast summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show lldp neighbors', 'show lldp neighbors'],
    ['show port-channel summary', 'show port-channel summary'],
    ['show version', 'show version'],
    ['show interface', 'show interface'],
    ['show interfaces', 'show interface'],
  ],
  arista_eos: [
    ['show ip bgp summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show bgp ipv4 unicast summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show ipv6 bgp summary [vrf <vrf>]', 'show ip bgp summary'],
    ['show interfaces', 'show interfaces'],
    ['show lldp neighbors', 'show lldp neighbors'],
    ['show version', 'show version'],
    ['show port-channel summary', 'show port-channel summary'],
  ],
  cisco_iosxr: [
    ['show bgp [ipv4 unicast] summary', 'show bgp summary'],
    ['show bgp vrf <vrf> [ipv4 unicast] summary', 'show bgp summary'],
    ['show bgp instance <instance> summary', 'show bgp summary'],
    ['show bgp [ipv6 unicast] summary', 'show bgp summary'],
    ['show ip bgp summary', 'show bgp summary'],
    ['show version', 'show version'],
    ['show interfaces', 'show interfaces'],
    ['show lldp neighbors', 'show lldp neighbors'],
    ['show bundle', 'show bundle'],
  ],
  frr: [
    ['show [ip] bgp summary', 'show ip bgp summary'],
    ['show [ip] bgp ipv4 unicast summary', 'show ip bgp summary'],
    ['show bgp ipv6 unicast summary', 'show ip bgp summary'],
    ['show interface', 'show interface'],
    ['show version', 'show version'],
  ],
  openvswitch: [
    ['show lag [<bond>]', 'show lag'],
    ['show interfaces [<port>]', 'show interfaces'],
  ],
  linux_frr: [
    ["vtysh -c 'show [ip] bgp summary'", "vtysh -c 'show ip bgp summary'"],
    ['ip -d -j link show type vxlan', 'ip -d -j link show type vxlan'],
  ],
  juniper_junos: [
    ['show bgp summary', 'show bgp summary'],
    ['show lldp neighbors', 'show lldp neighbors'],
    ['show version', 'show version'],
    ['show interfaces', 'show interfaces'],
    ['show lacp interfaces', 'show lacp interfaces'],
  ],
};

/** A slot is a keyword, or `null` for a `<name>` word that takes anything. */
type Slot = string | null;
interface Variant {
  slots: Slot[];
  parser: string;
}

/** `show ip bgp [all] summary` -> both spellings, as word slots. */
export function expandPattern(pattern: string): Slot[][] {
  let out: Slot[][] = [[]];
  for (const part of normaliseCommand(pattern).match(/\[[^\]]*\]|\S+/g) ?? []) {
    const words = (part.startsWith('[') ? part.slice(1, -1) : part).trim().split(/\s+/).map(slot);
    out = part.startsWith('[') ? out.flatMap((v) => [v, [...v, ...words]]) : out.map((v) => [...v, ...words]);
  }
  return out;
}

function slot(word: string): Slot {
  return /^<[^>]+>$/.test(word) ? null : word;
}

/** Every variant a platform accepts: its table rows, and each parser key as itself. */
function variants(platform: Platform): Variant[] {
  const rows = COMMAND_PATTERNS[platform.name] ?? [];
  const all = rows.flatMap(([pattern, parser]) => expandPattern(pattern).map((slots) => ({ slots, parser })));
  for (const key of Object.keys(platform.parsers)) all.push({ slots: key.split(' '), parser: key });
  return all;
}

/** Every full spelling a platform's table accepts (`<vrf>` left as written), for --list and tests. */
export function commandVariants(platform: Platform): Array<{ command: string; parser: string }> {
  const seen = new Map<string, string>();
  const rows = COMMAND_PATTERNS[platform.name] ?? [];
  for (const [pattern, parser] of rows) {
    const named = normaliseCommand(pattern).replace(/[[\]]/g, ' ').split(/\s+/);
    for (const slots of expandPattern(pattern)) {
      let k = 0;
      const words = slots.map((s) => {
        if (s !== null) return s;
        while (k < named.length && !named[k]!.startsWith('<')) k++;
        return named[k++] ?? '<word>';
      });
      seen.set(words.join(' '), parser);
    }
  }
  for (const key of Object.keys(platform.parsers)) if (!seen.has(key)) seen.set(key, key);
  return [...seen].map(([command, parser]) => ({ command, parser }));
}

export interface ResolvedCommand {
  /** Key of the platform's `parsers`. */
  parser: string;
  /** The command written out in full (`sh ip bgp sum` -> `show ip bgp summary`). */
  command: string;
}

/**
 * Match a typed command word by word, as IOS does: a word that is a keyword exactly wins;
 * otherwise it must be the prefix of exactly one keyword among the commands still possible.
 * Ambiguous, incomplete and unknown commands are NRX_ERR_UNSUPPORTED naming what could follow.
 */
export function resolveCommand(platform: Platform, typed: string): ResolvedCommand {
  // keywords match in any case; a <name> word (a VRF) keeps the case it was typed in
  const asTyped = typed
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const words = asTyped.map((w) => w.toLowerCase());
  let live = variants(platform);
  const full: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    const here = live.filter((v) => k < v.slots.length);
    const keywords = [...new Set(here.map((v) => v.slots[k]).filter((s): s is string => s !== null && s.startsWith(w)))];
    if (keywords.includes(w) || keywords.length === 1) {
      const kw = keywords.includes(w) ? w : keywords[0]!;
      live = here.filter((v) => v.slots[k] === kw);
      full.push(kw);
    } else if (keywords.length > 1) {
      throw new NrxError(
        'NRX_ERR_UNSUPPORTED',
        `platform ${platform.name}: ambiguous command '${typed.trim()}': '${w}' could be ${keywords.sort().join(', ')}`,
      );
    } else {
      live = here.filter((v) => v.slots[k] === null);
      full.push(asTyped[k]!);
    }
    if (live.length === 0) throw noParser(platform, typed);
  }
  const done = live.filter((v) => v.slots.length === words.length);
  if (done.length > 0) return { parser: done[0]!.parser, command: full.join(' ') };
  const next = [...new Set(live.map((v) => v.slots[words.length] ?? '<word>'))].sort();
  throw new NrxError('NRX_ERR_UNSUPPORTED', `platform ${platform.name}: incomplete command '${typed.trim()}' (next word: ${next.join(', ')})`);
}

function noParser(platform: Platform, typed: string): NrxError {
  return new NrxError(
    'NRX_ERR_UNSUPPORTED',
    `platform ${platform.name} has no parser for '${typed.trim()}' (parsers: ${commandVariants(platform)
      .map((v) => v.command)
      .join(', ')})`,
  );
}
