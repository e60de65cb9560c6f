import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { NrxError } from '../../../src/core/errors.js';
import { TextFsmLibrary } from '../../../drivers/textfsm/library.js';
import { expandAbbreviations, findIndexRow, parseIndex } from '../../../drivers/textfsm/template-index.js';
import { textfsmParse, textfsmPlatformNames } from '../../../drivers/textfsm/textfsm.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-textfsm-index-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

const ONE_VALUE = (name: string, regex: string): string => `Value ${name} (\\S+)\n\nStart\n  ^${regex} -> Record\n`;

test('[[...]] accepts every abbreviation of the bracketed part', () => {
  assert.equal(expandAbbreviations('sh[[ow]] ip b[[gp]]'), 'sh(o(w)?)? ip b(g(p)?)?');
  const index = parseIndex('Template, Hostname, Platform, Command\n\nt.textfsm, .*, cisco_ios, sh[[ow]] ip b[[gp]] s[[ummary]]\n');
  for (const command of ['sh ip b s', 'show ip bgp summary', 'sho ip bg summ'])
    assert.ok(findIndexRow(index, { Platform: 'cisco_ios', Command: command }), command);
  assert.equal(findIndexRow(index, { Platform: 'cisco_ios', Command: 's ip b s' }), undefined);
  assert.equal(findIndexRow(index, { Platform: 'cisco_nxos', Command: 'show ip bgp summary' }), undefined);
});

test('an index reads as clitable reads it: comments, header, rows with the wrong cell count skipped, first match wins', () => {
  const index = parseIndex(
    [
      '# comment before the header',
      '',
      'Template, Hostname, Platform, Command  # a comment after the header',
      '',
      '# a full-line comment',
      'long.textfsm, .*, cisco_ios, sh[[ow]] ip route vrf',
      'broken.textfsm, cisco_ios, show ip route',
      'short.textfsm, .*, cisco_ios, sh[[ow]] ip route',
      'any.textfsm:extra.textfsm, , , show clock',
      'host.textfsm, core.*, , show run',
    ].join('\n'),
    'index',
  );
  assert.deepEqual(index.columns, ['Template', 'Hostname', 'Platform', 'Command']);
  assert.deepEqual(
    index.rows.map((r) => [r.line, r.templates]),
    [
      [6, ['long.textfsm']],
      [8, ['short.textfsm']],
      [9, ['any.textfsm', 'extra.textfsm']],
      [10, ['host.textfsm']],
    ],
  );
  assert.equal(findIndexRow(index, { Platform: 'cisco_ios', Command: 'show ip route vrf red' })!.line, 6);
  assert.equal(findIndexRow(index, { Platform: 'cisco_ios', Command: 'show ip route' })!.line, 8);
  assert.equal(findIndexRow(index, { Platform: 'anything', Command: 'show clock' })!.line, 9, 'empty cells match anything');
  assert.equal(findIndexRow(index, { Command: 'show run', Hostname: 'edge1' }), undefined);
  assert.equal(findIndexRow(index, { Command: 'show run', Hostname: 'core1' })!.line, 10);
  assert.equal(findIndexRow(index, { Command: 'show run', Colour: 'blue' })!.line, 10, 'attributes the index has no column for are ignored');
});

test('a broken index is NRX_ERR_TEMPLATE naming the file and line', () => {
  assert.throws(
    () => parseIndex('Hostname, Platform, Command\n', 'idx'),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_TEMPLATE' && /no 'Template' column/.test(e.message),
  );
  assert.throws(() => parseIndex('\n# only comments\n', 'idx'), /no header line/);
  assert.throws(
    () => parseIndex('Template, Platform, Command\n\nt.textfsm, cisco_ios, show [ip\n', 'idx'),
    (e: unknown) => e instanceof NrxError && e.location.line === 3 && /column Command: invalid regex/.test(e.message),
  );
});

test('NETREFLEX_TEXTFSM_PATH: folders searched in order, inventory platform names and ntc spellings both found', () => {
  const mine = folder('mine', {
    index: 'Template, Platform, Command\nmine_version.textfsm, cisco_ios, sh[[ow]] ver[[sion]]\n',
    'mine_version.textfsm': ONE_VALUE('Mine', '${Mine}'),
  });
  const ntc = folder('ntc', {
    index: 'Template, Hostname, Platform, Command\nntc_version.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]\nxr_clock.textfsm, .*, cisco_xr, sh[[ow]] clock\n',
    'ntc_version.textfsm': ONE_VALUE('Ntc', '${Ntc}'),
    'xr_clock.textfsm': ONE_VALUE('Clock', '${Clock}'),
  });
  const env = { NETREFLEX_TEXTFSM_PATH: `${mine}:${ntc}` };
  const version = textfsmParse({ output: 'IOS 15.2\n', platform: 'ios', command: 'sh ver' }, { env, templates: 'library' });
  assert.deepEqual(version.records, [{ Mine: 'IOS' }]);
  assert.deepEqual(version.templates, [path.join(mine, 'mine_version.textfsm')]);
  assert.deepEqual(textfsmPlatformNames('cisco_iosxr'), ['cisco_iosxr', 'cisco_xr']);
  assert.deepEqual(textfsmPlatformNames('iosxr'), ['iosxr', 'cisco_iosxr', 'cisco_xr']);
  const clock = textfsmParse({ output: '12:00:00.000 UTC\n', platform: 'cisco_iosxr', command: 'show clock' }, { env, templates: 'library' });
  assert.deepEqual(clock.records, [{ Clock: '12:00:00.000' }]);
  assert.throws(
    () => textfsmParse({ output: '', platform: 'frr', command: 'show version' }, { env, templates: 'library' }),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_UNSUPPORTED',
  );
  assert.throws(
    () => textfsmParse({ output: '', platform: 'ios', command: 'sh ver' }, { env: { NETREFLEX_TEXTFSM_PATH: tmp }, templates: 'library' }),
    (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && /has no 'index' file/.test(e.message),
  );
});

test('a changed template is read again; names from parameters never leave the template folders', () => {
  const dir = folder('changing', {
    index: 'Template, Platform, Command\nt.textfsm, x, show t\nescape.textfsm:../mine/mine_version.textfsm, x, show escape\n',
    't.textfsm': ONE_VALUE('Before', '${Before}'),
  });
  const library = new TextFsmLibrary([dir]);
  assert.deepEqual(library.parse(['x'], 'show t', 'a\n').records, [{ Before: 'a' }]);
  writeFileSync(path.join(dir, 't.textfsm'), ONE_VALUE('AfterTheEdit', '${AfterTheEdit}'));
  utimesSync(path.join(dir, 't.textfsm'), new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(library.parse(['x'], 'show t', 'a\n').records, [{ AfterTheEdit: 'a' }]);
  assert.throws(() => library.parse(['x'], 'show escape', ''), /template '\.\.\/mine\/mine_version\.textfsm' is outside the template folder/);
  assert.equal(library.resolveTemplate('t.textfsm'), path.join(dir, 't.textfsm'));
  for (const name of ['../mine/mine_version.textfsm', '/etc/passwd', '.', 'missing.textfsm']) {
    assert.throws(
      () => library.resolveTemplate(name),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_PARAM_INVALID',
      name,
    );
  }
});

test('several templates for one command: records joined on Key, or row by row when no template has a Key', () => {
  const dir = folder('merge', {
    index: 'Template, Platform, Command\nbase.textfsm:counters.textfsm, x, show keyed\nplain.textfsm:extra.textfsm, x, show plain\n',
    'base.textfsm': 'Value Key Port (\\S+)\nValue State (\\S+)\n\nStart\n  ^${Port} is ${State} -> Record\n',
    'counters.textfsm': 'Value Key Port (\\S+)\nValue Errors (\\d+)\n\nStart\n  ^${Port} errors ${Errors} -> Record\n',
    'plain.textfsm': 'Value A (\\S+)\n\nStart\n  ^a ${A} -> Record\n',
    'extra.textfsm': 'Value B (\\S+)\n\nStart\n  ^b ${B} -> Record\n',
  });
  const library = new TextFsmLibrary([dir]);
  const keyed = library.parse(['x'], 'show keyed', 'Gi1 is up\nGi2 is down\nGi2 errors 7\nGi9 errors 1\n');
  assert.deepEqual(keyed.records, [
    { Port: 'Gi1', State: 'up', Errors: '' },
    { Port: 'Gi2', State: 'down', Errors: '7' },
  ]);
  const plain = library.parse(['x'], 'show plain', 'a 1\nb 2\na 3\n');
  assert.deepEqual(plain.records, [
    { A: '1', B: '2' },
    { A: '3', B: '' },
  ]);
});
