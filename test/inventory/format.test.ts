import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostDetail, formatHostTable, hostRow } from '../../src/inventory/format.js';
import type { Host, ResolvedHost } from '../../src/inventory/model.js';

const leaf: ResolvedHost = {
  name: 'dc1-leaf1',
  hostname: '10.1.1.1',
  platform: 'frr',
  port: 22,
  username: 'netops',
  credential: 'lab-frr',
  connectionOptions: { netconf: { port: 830 } },
  data: { asn: 65101, site: 'dc1', role: 'leaf', tags: ['evpn', 'edge'] },
  groups: ['dc1', 'leaves', 'fabric'],
};
const raw: Host = { name: 'dc1-leaf1', hostname: '10.1.1.1', platform: 'frr', groups: ['dc1', 'leaves'], data: { asn: 65101, tags: ['evpn', 'edge'] } };

test('the host table has one aligned row per host; wide adds port, user, credential, tags', () => {
  const lines = formatHostTable([leaf, { ...leaf, name: 'dc1-spine10', platform: null, data: {} }]).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^NAME\s+HOSTNAME\s+PLATFORM\s+SITE\s+ROLE\s+GROUPS$/);
  assert.match(lines[1]!, /^dc1-leaf1\s+10\.1\.1\.1\s+frr\s+dc1\s+leaf\s+dc1,leaves,fabric$/);
  assert.match(lines[2]!, /^dc1-spine10\s+10\.1\.1\.1\s+-\s+-\s+-\s+dc1,leaves,fabric$/);
  assert.equal(lines[1]!.indexOf('10.1.1.1'), lines[0]!.indexOf('HOSTNAME'));
  assert.match(formatHostTable([leaf], { wide: true }).split('\n')[1]!, /22\s+netops\s+lab-frr\s+evpn,edge$/);
  assert.equal(formatHostTable([]), 'no hosts match');
  assert.equal(hostRow(leaf).tags, 'evpn,edge');
});

test('the detail view marks what the host inherits', () => {
  const text = formatHostDetail(leaf, raw);
  assert.match(text, /^platform: +frr$/m);
  assert.match(text, /^username: +netops {2}\(inherited\)$/m);
  assert.match(text, /^groups: +dc1, leaves, fabric \(inherited\)$/m);
  assert.match(text, /^ {2}asn: +65101$/m);
  assert.match(text, /^ {2}site: +dc1 {2}\(inherited\)$/m);
  assert.match(text, /^ {2}netconf: +\{"port":830\} {2}\(inherited\)$/m);
  assert.doesNotMatch(formatHostDetail(leaf), /inherited/, 'without the raw host nothing is marked');
});
