import { NrxError } from '../../src/core/errors.js';
import type { Facts } from '../contract/getters.js';
import { uptimeSeconds } from './uptime.js';

/**
 * `show version` on the Cisco-like CLIs and Junos, read by pattern (it is free text, not a
 * table): each platform names where its hostname, model, version, serial and uptime sit. A
 * field the output lacks is left out, never guessed.
 */
interface VersionPatterns {
  hostname?: RegExp;
  model?: RegExp;
  osVersion: RegExp;
  serialNumber?: RegExp;
  uptime?: RegExp;
}

export function factsFromVersion(output: string, vendor: string, p: VersionPatterns): Facts {
  const text = output.replace(/\r/g, '');
  const facts: Facts = { vendor };
  const first = (re: RegExp | undefined): string | undefined => {
    const v = re?.exec(text)?.[1]?.trim();
    return v ? v : undefined;
  };
  const hostname = first(p.hostname);
  if (hostname) facts.hostname = hostname;
  const model = first(p.model);
  if (model) facts.model = model;
  const osVersion = first(p.osVersion);
  if (osVersion) facts.osVersion = osVersion;
  const serial = first(p.serialNumber);
  if (serial) facts.serialNumber = serial;
  const up = first(p.uptime);
  const seconds = up === undefined ? null : uptimeSeconds(up);
  if (seconds !== null) facts.uptimeSeconds = seconds;
  return facts;
}

/**
 * A facts parser for one platform: an output in which even the software version cannot be
 * found is not `show version` (NRX_ERR_PARSE naming platform and command).
 */
export function versionParser(platform: string, vendor: string, p: VersionPatterns): (output: string, command: string) => Facts {
  return (output, command) => {
    if (!p.osVersion.test(output.replace(/\r/g, ''))) {
      const firstLine = output.trim().split('\n')[0] ?? '';
      throw new NrxError(
        'NRX_ERR_PARSE',
        `${platform} '${command}': no software version in the output (first line: ${JSON.stringify(firstLine.slice(0, 120))})`,
      );
    }
    return factsFromVersion(output, vendor, p);
  };
}

/** IOS / IOS-XE: `router1 uptime is 2 years, ...`, `cisco WS-C4948E (MPC8548) processor` (IOSv: `Cisco IOSv (revision 1.0)`), `Processor board ID X`. */
export const IOS_VERSION: VersionPatterns = {
  hostname: /^(\S+) uptime is /m,
  model: /^cisco (\S+) (?:.*processor|\(revision)/im,
  osVersion: /^Cisco IOS.*?Version ([^,\s]+)/m,
  serialNumber: /^Processor board ID (\S+)/im,
  uptime: /^\S+ uptime is (.+)$/m,
};

/** NX-OS: `Device name: N9K1`, `cisco Nexus9000 C9396PX Chassis`, `NXOS: version 6.1(2)I3(1)` (older: `system: version`). */
export const NXOS_VERSION: VersionPatterns = {
  hostname: /^\s*Device name:\s*(\S+)/m,
  model: /^\s*cisco (.+?Chassis)/im,
  osVersion: /^\s*(?:NXOS|system):\s+version\s+(\S+)/im,
  serialNumber: /^\s*Processor Board ID\s+(\S+)/im,
  uptime: /^Kernel uptime is (.+)$/m,
};

/** EOS: `Arista vEOS` (the model line opens the output), `Software image version: 4.14.7M`, `Serial number:`. */
export const EOS_VERSION: VersionPatterns = {
  model: /^Arista (\S+)/m,
  osVersion: /^Software image version:\s*(\S+)/m,
  serialNumber: /^Serial number:[ \t]*(\S+)/m,
  uptime: /^Uptime:\s*(.+)$/m,
};

/** IOS-XR: `Cisco IOS XR Software, Version 6.1.4`, `cisco NCS-5500 () processor`, `System uptime is ...` (no hostname: it is in the prompt only). */
export const IOSXR_VERSION: VersionPatterns = {
  model: /^cisco (\S+) .*processor/im,
  osVersion: /^Cisco IOS XR Software, Version ([^\s[]+)/m,
  uptime: /uptime is (.+)$/m,
};

/**
 * Junos: `Hostname: lab`, `Model: mx240`, `Junos: 13.3R1.4`; older releases and EX switches
 * name it only in the package lines (`JUNOS EX  Software Suite [13.2X51-D35.3]`); `Serial Number:`.
 */
export const JUNOS_VERSION: VersionPatterns = {
  hostname: /^Hostname:\s*(\S+)/m,
  model: /^Model:\s*(\S+)/m,
  osVersion: /^(?:Junos:\s*|JUNOS .*?\[)([^\]\s]+)/m,
  serialNumber: /^Serial Number:\s*(\S+)/im,
};
