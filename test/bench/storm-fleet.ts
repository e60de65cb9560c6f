/**
 * The storm benchmark's world: a generated inventory (N devices), N rules on the state-change
 * trigger types, and the syslog lines a storm is made of (interface, BGP and LAG messages in
 * real vendor spellings from a set of devices). Deterministic: the same seed gives the same storm.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STORM_TYPES = ['network.interface_down', 'network.bgp_peer_state_changed', 'network.lag_member_down', 'network.interface_up'] as const;

export function deviceName(i: number): string {
  return `dev${String(i).padStart(5, '0')}`;
}

function deviceAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** hosts.yaml with `devices` hosts (half IOS, half EOS) in a new inventory directory. */
export function writeInventory(dir: string, devices: number): string {
  const inv = path.join(dir, 'inventory');
  mkdirSync(inv, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < devices; i++) {
    lines.push(`${deviceName(i)}:\n  hostname: ${deviceAddress(i)}\n  platform: ${i % 2 ? 'eos' : 'ios'}\n  groups: [${i % 10 === 0 ? 'spine' : 'leaf'}]`);
  }
  writeFileSync(path.join(inv, 'hosts.yaml'), `${lines.join('\n')}\n`);
  writeFileSync(path.join(inv, 'groups.yaml'), 'spine: {data: {role: spine}}\nleaf: {data: {role: leaf}}\n');
  return inv;
}

/**
 * A pack with `rules` rules: one per (device, trigger type) over the first devices, each with an
 * equality on the device and a second criterion, as an operator writes them, and a throttle so a
 * storm starts a bounded number of executions.
 */
export function writePack(dir: string, rules: number): string {
  const base = path.join(dir, 'packs');
  const pack = path.join(base, 'storm');
  mkdirSync(path.join(pack, 'rules'), { recursive: true });
  writeFileSync(path.join(pack, 'pack.yaml'), 'ref: storm\nname: storm\ndescription: storm benchmark rules\nversion: 1.0.0\n');
  for (let i = 0; i < rules; i++) {
    const type = STORM_TYPES[i % STORM_TYPES.length]!;
    const device = deviceName(Math.floor(i / STORM_TYPES.length));
    writeFileSync(
      path.join(pack, 'rules', `r${i}.yaml`),
      `name: r${i}\npack: storm\nenabled: true\ntrigger:\n  type: ${type}\ncriteria:\n  trigger.device:\n    type: equals\n    pattern: ${device}\n  trigger.severity:\n    type: lessthan\n    pattern: 7\nthrottle:\n  key: "{{ trigger.device }}"\n  max: 3\n  per: 10m\naction:\n  ref: core.noop\n`,
    );
  }
  return base;
}

/**
 * `count` syslog datagrams from `devices` devices (the first ones of the inventory): interface
 * down/up (IOS LINEPROTO and EOS spellings), BGP ADJCHANGE and LAG member messages, a few
 * interfaces and peers per device, and one line in ten that no normaliser knows.
 */
export function stormLines(count: number, devices: number, seed = 7): Buffer[] {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const d = rnd(devices);
    const host = deviceName(d);
    const port = rnd(8) + 1;
    const pick = rnd(10);
    let line: string;
    if (pick < 3)
      line = `<187>Dec  2 05:00:01 ${host} ${d % 2 ? 'Ebra' : 'LINEPROTO'}: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet${port}, changed state to down`;
    else if (pick < 5) line = `<189>Dec  2 05:00:01 ${host} LINEPROTO: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet${port}, changed state to up`;
    else if (pick < 7)
      line = `<13>Dec  2 05:00:01 ${host} Bgp: %BGP-5-ADJCHANGE: peer 10.0.${port}.1 (VRF default AS 65000) old state Established event HoldTimerExpired new state Idle`;
    else if (pick < 9) line = `<189>Dec  2 05:00:01 ${host} EC: %EC-5-UNBUNDLE: Interface GigabitEthernet1/0/${port} left the port-channel Port-channel1`;
    else line = `<190>Dec  2 05:00:01 ${host} sshd[${rnd(9000) + 1000}]: Accepted publickey for netops from 192.0.2.${port} port 40000 ssh2`;
    out.push(Buffer.from(line));
  }
  return out;
}
