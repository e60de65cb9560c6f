import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isNrxError } from '../../src/core/errors.js';
import { compileFormat, matchFormat } from '../../src/packs/alias-format.js';
import { AliasIndex } from '../../src/packs/alias-index.js';
import { loadPacks } from '../../src/packs/pack-loader.js';

const FIXTURES = path.resolve('test/fixtures/packs');
const match = (format: string, command: string) => matchFormat(compileFormat(format), command);

describe("action alias formats (StackStorm's ActionAliasFormatParser)", () => {
  test('required placeholders take words, the last one takes the rest of the line', () => {
    assert.deepEqual(match('bgp summary {{ device }}', 'bgp summary leaf1'), { device: 'leaf1' });
    assert.deepEqual(match('skip {{a}} more skip {{b}} and skip more.', 'skip a1 more skip b1 and skip more.'), { a: 'a1', b: 'b1' });
    assert.deepEqual(match('run {{cmd}} on {{hosts}}', 'run ls -l /tmp on web1,web2'), { cmd: 'ls -l /tmp', hosts: 'web1,web2' });
    assert.equal(match('bgp summary {{ device }}', 'bgp summary'), null, 'a required placeholder cannot be empty');
    assert.equal(match('bgp summary {{ device }}', 'ospf summary leaf1'), null);
  });

  test('a default fills a placeholder left out; quotes and {...} objects are one value', () => {
    assert.deepEqual(match('show {{ what=version }} on {{ device }}', 'show on leaf1'), { what: 'version', device: 'leaf1' });
    assert.deepEqual(match('show {{ what="ip route" }} on {{ device }}', 'show on leaf1'), { what: 'ip route', device: 'leaf1' });
    assert.deepEqual(match('show {{ what=version }} on {{ device }}', 'show "ip bgp summary" on leaf1'), { what: 'ip bgp summary', device: 'leaf1' });
    assert.deepEqual(match('tag {{ device }} with {{ data }}', 'tag leaf1 with {"rack": "r12"}'), { device: 'leaf1', data: '{"rack": "r12"}' });
  });

  test('key=value pairs at the end are extra parameters', () => {
    assert.deepEqual(match('bgp summary {{ device }}', 'bgp summary leaf1 vrf=red timeout=30'), { device: 'leaf1', vrf: 'red', timeout: '30' });
    assert.deepEqual(match('say {{ message }}', 'say hello note="two words"'), { message: 'hello', note: 'two words' });
    assert.deepEqual(match('set {{ pair }}', 'set a=b'), { pair: 'a=b' }, 'a pair the format itself needs stays in the format');
  });

  test('the text around placeholders is a regex, anchored like st2, on the linear-time engine', () => {
    assert.deepEqual(match('(google|search) {{ query }}', 'search bgp flap'), { query: 'bgp flap' });
    assert.equal(match('(google|search) {{ query }}', 'please search bgp'), null);
    assert.throws(
      () => compileFormat('(?=x){{ a }}'),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_SPEC_INVALID' && /lookahead/.test(e.message),
    );
    // a chat line built to make a backtracking engine spin is just long text here (it would hang V8's engine)
    assert.equal(match('{{ a }} {{ b }} {{ c }} x', `${'a '.repeat(900)}!`), null);
    assert.equal(match('bgp summary {{ device }}', `bgp summary ${'x'.repeat(3000)}`), null, 'longer than a chat command');
  });

  test('chat text is never a template: {{ 7*7 }} stays text', () => {
    assert.deepEqual(match('bgp summary {{ device }}', 'bgp summary {{ 7*7 }}'), { device: '{{ 7*7 }}' });
  });
});

describe('action alias files', () => {
  const content = loadPacks([FIXTURES]);
  const index = AliasIndex.load(content.packs);

  test('a StackStorm alias file loads unchanged: formats with display/representation, ack, result, extra', () => {
    assert.deepEqual(index.errors, []);
    const a = index.get('chatdemo.bgp_summary')!;
    assert.equal(a.actionRef, 'chatdemo.bgp_summary');
    assert.deepEqual(a.formats[0], {
      display: 'bgp table <device> [vrf <vrf>]',
      representation: ['bgp table {{ device }} vrf {{ vrf=default }}', 'bgp table {{ device }}'],
    });
    assert.deepEqual(a.formats[1], { display: 'bgp peers of {{ device }}', representation: ['bgp peers of {{ device }}'] });
    assert.equal(a.ack.appendUrl, false);
    assert.match(a.result.format!, /for n in execution.result.neighbors/);
    assert.deepEqual(a.extra, { slack: { color: '#00ad52' } });
    const say = index.get('chatdemo.say')!;
    assert.deepEqual([say.ack.enabled, say.ack.format, say.ack.appendUrl, say.result.format], [true, null, true, null]);
  });

  test("the chatops pack's own alias loads: bgp summary runs network.get_bgp_neighbors", () => {
    const shipped = AliasIndex.load(loadPacks([path.resolve('packs')]).packs);
    assert.deepEqual(shipped.errors, []);
    const m = shipped.match('bgp summary leaf1');
    assert.equal(m.alias.ref, 'chatops.bgp_summary');
    assert.equal(m.alias.actionRef, 'network.get_bgp_neighbors');
    assert.deepEqual(m.parameters, { device: 'leaf1' });
  });

  test('a command matches one alias; its parameters come from the representation that matched', () => {
    const m = index.match('bgp table leaf1 vrf blue');
    assert.equal(m.alias.ref, 'chatdemo.bgp_summary');
    assert.equal(m.representation, 'bgp table {{ device }} vrf {{ vrf=default }}');
    assert.deepEqual(m.parameters, { device: 'leaf1', vrf: 'blue' });
    assert.deepEqual(index.match('  bgp peers of spine1 ').parameters, { device: 'spine1' });
  });

  test('no match and more than one match are errors naming the command and the aliases', () => {
    assert.throws(
      () => index.match('reboot everything'),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_ALIAS_NO_MATCH' && /reboot everything/.test(e.message),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-alias-'));
    writePack(dir, 'twice', {
      'a.yaml': 'name: a\naction_ref: core.noop\nformats: ["ping {{ host }}"]\n',
      'b.yaml': 'name: b\naction_ref: core.noop\nformats: ["ping {{ target }}"]\n',
    });
    const two = AliasIndex.load(loadPacks([dir]).packs);
    assert.throws(
      () => two.match('ping leaf1'),
      (e: unknown) => isNrxError(e) && e.code === 'NRX_ERR_ALIAS_AMBIGUOUS' && /twice\.a/.test(e.message) && /twice\.b/.test(e.message),
    );
  });

  test('immutable_parameters are passed and a command cannot change them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-alias-'));
    writePack(dir, 'fixed', {
      'show.yaml': 'name: show\naction_ref: network.show\nformats: ["version of {{ device }}"]\nimmutable_parameters:\n  commands: ["show version"]\n',
    });
    const m = AliasIndex.load(loadPacks([dir]).packs).match('version of leaf1 commands=reload');
    assert.deepEqual(m.parameters, { device: 'leaf1', commands: ['show version'] });
  });

  test('a broken alias file is reported with file, line and field; the others still load', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nrx-alias-'));
    writePack(dir, 'broken', {
      'bad_format.yaml': 'name: bad\naction_ref: core.noop\nformats:\n  - display: x\n    representation: ["(?<=a){{ b }}"]\n',
      'no_ref.yaml': 'name: noref\nformats: ["x"]\n',
      'typo.yaml': 'name: typo\naction_ref: core.noop\nformat: ["x {{ y }}"]\n',
      'good.yaml': 'name: good\naction_ref: core.noop\nformats: ["hello {{ who }}"]\n',
    });
    const idx = AliasIndex.load(loadPacks([dir]).packs);
    assert.deepEqual(
      idx.aliases.map((a) => a.ref),
      ['broken.good'],
    );
    const byFile = new Map(idx.errors.map((e) => [path.basename(e.location.file!), e]));
    assert.equal(byFile.get('bad_format.yaml')!.location.field, 'formats[0].representation[0]');
    assert.equal(byFile.get('bad_format.yaml')!.location.line, 5);
    assert.match(byFile.get('bad_format.yaml')!.message, /lookbehind/);
    assert.equal(byFile.get('no_ref.yaml')!.location.field, 'action_ref');
    assert.equal(byFile.get('typo.yaml')!.location.field, 'format');
    assert.ok(idx.errors.every((e) => e.code === 'NRX_ERR_SPEC_INVALID'));
  });
});

function writePack(base: string, ref: string, aliases: Record<string, string>): void {
  const dir = path.join(base, ref);
  mkdirSync(path.join(dir, 'aliases'), { recursive: true });
  writeFileSync(path.join(dir, 'pack.yaml'), `ref: ${ref}\nname: ${ref}\n`);
  for (const [name, text] of Object.entries(aliases)) writeFileSync(path.join(dir, 'aliases', name), text);
}
