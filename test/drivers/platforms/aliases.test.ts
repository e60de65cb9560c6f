import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalPlatform, KNOWN_PLATFORMS } from '../../../drivers/platforms/aliases.js';
import { findPlatform, platformNames } from '../../../drivers/platforms/registry.js';
import { mapPlatform } from '../../../src/inventory/netbox.js';
import { normaliserFor, PLATFORM_NORMALISERS } from '../../../src/sensors/syslog/platforms/index.js';

test('one alias table: case and -/_ do not matter, unknown names come back as given', () => {
  const cases: Record<string, string> = {
    ios: 'cisco_ios',
    'IOS-XE': 'cisco_ios',
    cisco_xe: 'cisco_ios',
    'cisco-ios-xe': 'cisco_ios',
    Cisco_IOS: 'cisco_ios',
    'nx-os': 'cisco_nxos',
    nxos_ssh: 'cisco_nxos',
    'cisco-nx-os': 'cisco_nxos',
    'ios-xr': 'cisco_iosxr',
    cisco_xr: 'cisco_iosxr',
    eos: 'arista_eos',
    'arista-eos': 'arista_eos',
    junos: 'juniper_junos',
    'Juniper-Junos': 'juniper_junos',
    frrouting: 'frr',
    frr: 'frr',
    ovs: 'openvswitch',
    'brocade-netiron': 'extreme_netiron',
    netiron: 'extreme_netiron',
    SONiC: 'sonic',
    opengear: 'opengear',
    'My-Box': 'My-Box',
  };
  for (const [name, want] of Object.entries(cases)) assert.equal(canonicalPlatform(name), want, name);
});

test('every platform with a driver or a syslog normaliser is in the table', () => {
  for (const p of platformNames()) assert.ok(KNOWN_PLATFORMS.includes(p), p);
  for (const p of PLATFORM_NORMALISERS.keys()) assert.ok(KNOWN_PLATFORMS.includes(p), p);
});

test('drivers, syslog normalisers and the NetBox import read every spelling the same way', () => {
  for (const name of [
    'ios',
    'IOS-XE',
    'cisco-ios-xe',
    'nx-os',
    'nxos_ssh',
    'ios-xr',
    'cisco_xr',
    'eos',
    'arista-eos',
    'junos',
    'juniper-junos',
    'frrouting',
    'FRR',
    'ovs',
    'brocade-netiron',
  ]) {
    const canonical = canonicalPlatform(name);
    assert.equal(mapPlatform(name), canonical, `netbox ${name}`);
    const driver = findPlatform(name)?.name;
    if (driver !== undefined) assert.equal(driver, canonical, `driver ${name}`);
    const normaliser = normaliserFor(name)?.platform;
    if (normaliser !== undefined) assert.equal(normaliser, canonical, `syslog ${name}`);
    assert.ok(driver !== undefined || normaliser !== undefined, `${name} reaches a driver or a normaliser`);
  }
});
