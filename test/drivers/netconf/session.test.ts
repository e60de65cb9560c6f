import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetconfStreamSession as NetconfSession } from '../../../drivers/transports/netconf-session.js';
import { FrameDecoder } from '../../../drivers/transports/netconf-framing.js';
import { CAP_BASE_10, CAP_BASE_11 } from '../../../drivers/contract/netconf.js';
import { NrxError } from '../../../src/core/errors.js';
import { FakeNetconfServer, OK_REPLY } from './fake-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureText = (name: string): string => fs.readFileSync(path.join(here, 'fixtures', name), 'utf8');

/** The three replies netconfd sent in the recorded 1.1 session (get-config, rpc-error, ok). */
function netconfdReplies(): string[] {
  const bytes = fs.readFileSync(path.join(here, 'fixtures', 'netconfd-session-1.1.bin'));
  const d = new FrameDecoder();
  const [hello] = d.push(bytes.subarray(0, bytes.indexOf(']]>]]>') + 6));
  assert.ok(hello);
  d.useChunked();
  return d.push(bytes.subarray(bytes.indexOf(']]>]]>') + 6));
}

async function rejection(p: Promise<unknown>): Promise<NrxError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof NrxError, `expected NrxError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the promise to reject');
}

describe('NETCONF session', () => {
  test('hello: base:1.1 on both sides selects chunked framing; capabilities and session-id are read', async () => {
    const server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11, 'urn:ietf:params:netconf:capability:candidate:1.0'], () => OK_REPLY, 42);
    const s = await NetconfSession.open(server.clientSide, { device: 'leaf1' });
    assert.equal(s.framing, 'chunked');
    assert.equal(s.sessionId, 42);
    assert.ok(s.hasCapability('urn:ietf:params:netconf:capability:candidate:1.0'));
    await s.lock('candidate');
    assert.equal(server.mode, 'chunked');
    assert.match(server.received[0]!, /<rpc [^>]*message-id="1"><lock><target><candidate\/><\/target><\/lock><\/rpc>/);
  });

  test('hello: a base:1.0-only server keeps end-of-message framing; offerBase11=false pins 1.0', async () => {
    const old = new FakeNetconfServer([CAP_BASE_10], () => OK_REPLY);
    const s1 = await NetconfSession.open(old.clientSide, { device: 'old' });
    assert.equal(s1.framing, 'eom');
    await s1.unlock('running');
    const modern = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => OK_REPLY);
    const s2 = await NetconfSession.open(modern.clientSide, { device: 'pinned', offerBase11: false });
    assert.equal(s2.framing, 'eom');
    await s2.discardChanges();
    assert.equal(modern.mode, 'eom');
  });

  test('replies are matched by message-id, not by order', async () => {
    const held: Array<[string, string]> = [];
    let server!: FakeNetconfServer;
    server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], (rpc, id) => {
      held.push([id, rpc.includes('<running/>') ? 'running' : 'candidate']);
      if (held.length === 2) {
        for (const [hid, which] of [...held].reverse()) {
          server.send(
            `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${hid}"><data><which xmlns="urn:x">${which}</which></data></rpc-reply>`,
          );
        }
      }
      return null;
    });
    const s = await NetconfSession.open(server.clientSide, { device: 'leaf1' });
    const [a, b] = await Promise.all([s.getConfig('running'), s.getConfig('candidate')]);
    assert.equal(a.data.which, 'running');
    assert.equal(b.data.which, 'candidate');
  });

  test('get-config returns <data> as XML and parsed, also with an nc: prefix (Junos) and a large IOS-XE reply', async () => {
    const junos = fixtureText('junos-get-config-nc-prefix.xml').replace('message-id="101"', 'message-id="$ID"');
    const iosxe = fixtureText('iosxe-get-config.xml').replace('message-id="101"', 'message-id="$ID"');
    const server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], (rpc) => (rpc.includes('<candidate/>') ? iosxe : junos));
    const s = await NetconfSession.open(server.clientSide, { device: 'vsrx' });
    const j = await s.getConfig('running', { subtree: '<configuration/>' });
    assert.match(j.xml, /^\s*<configuration/);
    assert.doesNotMatch(j.xml, /nc:data/);
    const conf = j.data.configuration as Record<string, unknown>;
    assert.ok(conf.interfaces);
    assert.match(server.received[0]!, /<filter type="subtree"><configuration\/><\/filter>/);
    const x = await s.getConfig('candidate');
    assert.equal((x.data.native as Record<string, unknown>).version, '16.12');
  });

  test("rpc-error from netconfd's real reply becomes NRX_ERR_NETCONF_RPC with tag, type, path and message", async () => {
    const errorReply = netconfdReplies()[1]!.replace('message-id="2"', 'message-id="$ID"');
    const server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => errorReply);
    const s = await NetconfSession.open(server.clientSide, { device: 'nc1' });
    const e = await rejection(s.editConfig('<device xmlns="urn:netreflex:lab"/>', { target: 'running' }));
    assert.equal(e.code, 'NRX_ERR_NETCONF_RPC');
    assert.equal(e.details.errorTag, 'operation-failed');
    assert.equal(e.details.errorType, 'protocol');
    assert.equal(e.details.errorPath, '/nc:rpc/nc:edit-config/nc:target');
    assert.equal(e.details.errorMessage, 'cannot write to this configuration directly');
    assert.match(e.message, /^nc1: NETCONF edit-config running failed: operation-failed \(protocol\) at \/nc:rpc\/nc:edit-config\/nc:target: cannot write/);
    // The session survives an rpc-error.
    assert.equal(s.closed, false);
  });

  test('a warning-only rpc-error resolves', async () => {
    const server = new FakeNetconfServer(
      [CAP_BASE_10],
      () =>
        '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="$ID"><rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity></rpc-error><ok/></rpc-reply>',
    );
    const s = await NetconfSession.open(server.clientSide, { device: 'r' });
    const r = await s.commit();
    assert.equal(r.errors[0]!.severity, 'warning');
  });

  test('operations build the RFC 6241 XML: edit-config options, confirmed commit, cancel-commit, validate, xpath filter', async () => {
    const server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => OK_REPLY);
    const s = await NetconfSession.open(server.clientSide, { device: 'r' });
    await s.editConfig('<device xmlns="urn:netreflex:lab"><interface nc:operation="delete"><name>eth9</name></interface></device>', {
      target: 'candidate',
      defaultOperation: 'none',
      errorOption: 'rollback-on-error',
      testOption: 'test-then-set',
    });
    await s.commit({ confirmed: true, confirmTimeoutS: 30, persist: 'tok' });
    await s.commit({ persistId: 'tok' });
    await s.cancelCommit('tok');
    await s.validate('candidate');
    await s.validate({ config: '<a xmlns="urn:x"/>' });
    await s.rpc('<get><filter type="xpath" select="/device"/></get>');
    await s.get({ xpath: '/nrx:device/nrx:vxlan', namespaces: { nrx: 'urn:netreflex:lab' } }).catch(() => undefined);
    const r = server.received;
    assert.match(
      r[0]!,
      /<edit-config><target><candidate\/><\/target><default-operation>none<\/default-operation><test-option>test-then-set<\/test-option><error-option>rollback-on-error<\/error-option><config xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><device xmlns="urn:netreflex:lab"><interface nc:operation="delete">/,
    );
    assert.match(r[1]!, /<commit><confirmed\/><confirm-timeout>30<\/confirm-timeout><persist>tok<\/persist><\/commit>/);
    assert.match(r[2]!, /<commit><persist-id>tok<\/persist-id><\/commit>/);
    assert.match(r[3]!, /<cancel-commit><persist-id>tok<\/persist-id><\/cancel-commit>/);
    assert.match(r[4]!, /<validate><source><candidate\/><\/source><\/validate>/);
    assert.match(r[5]!, /<validate><source><config><a xmlns="urn:x"\/><\/config><\/source><\/validate>/);
    assert.match(r[7]!, /<get><filter type="xpath" xmlns:nrx="urn:netreflex:lab" select="\/nrx:device\/nrx:vxlan"\/><\/get>/);
    await assert.rejects(
      () => s.editConfig('<x/>', { target: 'bogus' as 'running' }),
      (e: unknown) => e instanceof NrxError && e.code === 'NRX_ERR_PARAM_INVALID' && /target must be running, candidate or startup/.test(e.message),
    );
    await assert.rejects(() => s.commit({ confirmed: true, confirmTimeoutS: 0 }), /confirm-timeout must be a whole number/);
  });

  test('a silent server times out with NRX_ERR_DEVICE_TIMEOUT; a late reply is ignored and the session goes on', async () => {
    let first = true;
    let server!: FakeNetconfServer;
    server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], (_rpc, id) => {
      if (first) {
        first = false;
        setTimeout(() => server.send(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${id}"><ok/></rpc-reply>`), 80);
        return null;
      }
      return OK_REPLY;
    });
    const s = await NetconfSession.open(server.clientSide, { device: 'slow' });
    const e = await rejection(s.lock('candidate', { timeoutMs: 30 }));
    assert.equal(e.code, 'NRX_ERR_DEVICE_TIMEOUT');
    assert.match(e.message, /slow: no reply to NETCONF lock candidate \(message-id 1\) within 30 ms/);
    await new Promise((r) => setTimeout(r, 100));
    await s.unlock('candidate');
  });

  test('an abort signal cancels a waiting RPC', async () => {
    const server = new FakeNetconfServer([CAP_BASE_10], () => null);
    const s = await NetconfSession.open(server.clientSide, { device: 'r' });
    const ac = new AbortController();
    const p = s.commit({}, { signal: ac.signal });
    ac.abort();
    assert.equal((await rejection(p)).code, 'NRX_ERR_CANCELED');
  });

  test('the device hanging up fails every RPC in flight with NRX_ERR_CONNECTION_LOST', async () => {
    let server!: FakeNetconfServer;
    server = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => {
      setImmediate(() => server.hangUp());
      return null;
    });
    const s = await NetconfSession.open(server.clientSide, { device: 'gone' });
    const e = await rejection(s.getConfig());
    assert.equal(e.code, 'NRX_ERR_CONNECTION_LOST');
    assert.equal(s.closed, true);
    assert.equal((await rejection(s.lock())).code, 'NRX_ERR_CONNECTION_LOST');
  });

  test('malformed XML or broken framing from the server closes the session with NRX_ERR_NETCONF_FRAMING', async () => {
    const bad = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => '<rpc-reply message-id="$ID"><data></rpc-reply>');
    const s1 = await NetconfSession.open(bad.clientSide, { device: 'bad' });
    const e1 = await rejection(s1.getConfig());
    assert.equal(e1.code, 'NRX_ERR_NETCONF_FRAMING');
    assert.match(e1.message, /bad: reply: malformed XML at line 1/);
    assert.equal(s1.closed, true);
    const broken = new FakeNetconfServer([CAP_BASE_10, CAP_BASE_11], () => Buffer.from('\n#zz\n'));
    const s2 = await NetconfSession.open(broken.clientSide, { device: 'broken' });
    const e2 = await rejection(s2.getConfig());
    assert.match(e2.message, /base:1\.1 chunked framing broken at byte \d+: expected chunk size digits/);
    const dtd = new FakeNetconfServer([CAP_BASE_10], () => '<!DOCTYPE x [<!ENTITY a "aaaa">]><rpc-reply message-id="$ID"><ok/></rpc-reply>');
    const s3 = await NetconfSession.open(dtd.clientSide, { device: 'dtd' });
    assert.match((await rejection(s3.lock())).message, /DOCTYPE is not allowed/);
  });

  test('a first message that is not a hello is refused', async () => {
    const { Duplex, PassThrough } = await import('node:stream');
    const toClient = new PassThrough();
    const stream = Duplex.from({ readable: toClient, writable: new PassThrough() });
    toClient.write('<rpc-reply message-id="1"><ok/></rpc-reply>]]>]]>');
    const e = await rejection(NetconfSession.open(stream, { device: 'odd' }));
    assert.match(e.message, /odd: the first message is not a <hello> \(got <rpc-reply>\)/);
  });

  test('no hello within the timeout is NRX_ERR_DEVICE_TIMEOUT', async () => {
    const { Duplex, PassThrough } = await import('node:stream');
    const stream = Duplex.from({ readable: new PassThrough(), writable: new PassThrough() });
    const e = await rejection(NetconfSession.open(stream, { device: 'mute', helloTimeoutMs: 30 }));
    assert.equal(e.code, 'NRX_ERR_DEVICE_TIMEOUT');
  });
});
