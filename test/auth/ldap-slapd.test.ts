import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAppliance, type AssembledAppliance } from '../../src/assembly.js';
import { AuthService } from '../../src/auth/auth-service.js';
import { parseLdapConfig, type LdapConfig } from '../../src/auth/ldap-config.js';
import { LdapDirectory } from '../../src/auth/ldap.js';
import { loadConfig } from '../../src/core/config.js';
import { NrxError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { cli } from '../cli/cli-harness.js';
import { freePort, GROUPS, PEOPLE, slapdSkipReason, startSlapd, type Slapd } from './slapd.js';

/**
 * Directory login against a real OpenLDAP (Debian's slapd) this test starts on free ports with a
 * self-signed certificate: LDAPS and StartTLS binds, the group map, and each way a login fails.
 */
const skip = slapdSkipReason();
const isCode = (code: string, text?: RegExp) => (e: unknown) => e instanceof NrxError && e.code === code && (!text || text.test(e.message));

describe('LDAP login against a real slapd', { skip }, () => {
  let slapd: Slapd;
  const tmp = mkdtempSync(path.join(tmpdir(), 'nrx-ldap-test-'));
  const stores: SqliteStore[] = [];

  /** The configuration an operator would write, as parsed from ldap.yaml. */
  const config = (over: Record<string, unknown> = {}): LdapConfig =>
    parseLdapConfig(
      {
        url: slapd.ldapsUrl,
        caFile: slapd.caFile,
        userDn: `uid={user},${PEOPLE}`,
        groupBase: GROUPS,
        timeoutMs: 3000,
        groups: [
          { group: `cn=neteng,${GROUPS}`, role: 'admin' },
          { group: 'noc', role: 'operator', grants: { inventory: 'site=dc1', packs: ['core'] } },
        ],
        ...over,
      },
      path.join(tmp, 'ldap.yaml'),
    );
  const service = (cfg: LdapConfig): { auth: AuthService; store: SqliteStore } => {
    const store = openSqliteStore(mkdtempSync(path.join(tmp, 'store-')));
    stores.push(store);
    return { auth: new AuthService(store, { directory: new LdapDirectory(cfg) }), store };
  };

  before(async () => {
    slapd = await startSlapd();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await slapd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('over LDAPS a directory user logs in with the role and grants of its mapped group; the token works', async () => {
    const { auth } = service(config());
    const alice = await auth.login('alice', 'alice-directory-pw');
    assert.deepEqual([alice.user, alice.role], ['alice', 'admin']);
    const who = await auth.authenticate({ bearer: alice.token });
    assert.deepEqual([who?.user, who?.role], ['alice', 'admin']);
    const bob = await auth.login('bob', 'bob-directory-pw');
    assert.equal(bob.role, 'operator');
    assert.deepEqual((await auth.authenticate({ bearer: bob.token }))?.grants, { inventory: 'site=dc1', packs: ['core'] });
    assert.equal((await auth.getUser('bob'))?.source, 'directory');
  });

  test('over StartTLS on the plain port the same login works', async () => {
    const { auth } = service(config({ url: slapd.ldapUrl, startTls: true }));
    assert.equal((await auth.login('bob', 'bob-directory-pw')).role, 'operator');
  });

  test('a wrong password, an unknown user and an empty password are NRX_ERR_UNAUTHORIZED', async () => {
    const { auth, store } = service(config());
    await assert.rejects(auth.login('alice', 'not-her-password'), isCode('NRX_ERR_UNAUTHORIZED', /wrong user name or password: the directory .* refused/));
    await assert.rejects(auth.login('mallory', 'whatever-pw'), isCode('NRX_ERR_UNAUTHORIZED'));
    // an empty password would be an anonymous bind, which slapd accepts
    await assert.rejects(auth.login('alice', ''), isCode('NRX_ERR_UNAUTHORIZED', /empty/));
    assert.equal(await store.users.count(), 0, 'a refused login leaves no user behind');
  });

  test('a user in no mapped group is NRX_ERR_LDAP_NO_ROLE naming its groups; dropped from its group, a known user loses its account', async () => {
    const { auth, store } = service(config());
    await assert.rejects(auth.login('carol', 'carol-directory-pw'), isCode('NRX_ERR_LDAP_NO_ROLE', /carol .* none of the groups .*cn=finance/));
    await auth.login('bob', 'bob-directory-pw');
    const key = await auth.createApiKey({ user: 'bob', role: 'operator', grants: {} });
    // the operator changes the map: noc is no longer mapped
    const narrowed = new AuthService(store, { directory: new LdapDirectory(config({ groups: [{ group: `cn=neteng,${GROUPS}`, role: 'admin' }] })) });
    await assert.rejects(narrowed.login('bob', 'bob-directory-pw'), isCode('NRX_ERR_LDAP_NO_ROLE'));
    assert.equal(await narrowed.getUser('bob'), null);
    await assert.rejects(narrowed.authenticate({ apiKey: key.key }), isCode('NRX_ERR_UNAUTHORIZED'), 'its API keys went with it');
  });

  test('a changed mapping applies at the next login, keeping the API keys', async () => {
    const { auth, store } = service(config());
    await auth.login('bob', 'bob-directory-pw');
    const key = await auth.createApiKey({ user: 'bob', role: 'operator', grants: {} });
    const demoted = new AuthService(store, { directory: new LdapDirectory(config({ groups: [{ group: 'noc', role: 'observer' }] })) });
    assert.equal((await demoted.login('bob', 'bob-directory-pw')).role, 'observer');
    const via = await demoted.authenticate({ apiKey: key.key });
    assert.equal(via?.role, 'observer', 'a key never outranks its user, now an observer');
  });

  test('an unreachable directory and an untrusted certificate are NRX_ERR_LDAP_UNREACHABLE naming the URL', async () => {
    const down = service(config({ url: slapd.closedUrl })).auth;
    await assert.rejects(down.login('alice', 'alice-directory-pw'), isCode('NRX_ERR_LDAP_UNREACHABLE', new RegExp(slapd.closedUrl.replace(/[.]/g, '\\.'))));
    const untrusted = service(config({ caFile: undefined })).auth;
    await assert.rejects(untrusted.login('alice', 'alice-directory-pw'), isCode('NRX_ERR_LDAP_UNREACHABLE', /certificate/i));
  });

  test("a certificate that does not name the directory's host is refused, over LDAPS and over StartTLS", async () => {
    const ldaps = service(config({ url: slapd.misnamedLdapsUrl })).auth;
    await assert.rejects(ldaps.login('alice', 'alice-directory-pw'), isCode('NRX_ERR_LDAP_UNREACHABLE', /altnames/));
    const startTls = service(config({ url: slapd.misnamedLdapUrl, startTls: true })).auth;
    await assert.rejects(startTls.login('alice', 'alice-directory-pw'), isCode('NRX_ERR_LDAP_UNREACHABLE', /StartTLS failed: .*altnames/));
  });

  test('local users still log in with their local password, and a directory user cannot set one', async () => {
    const { auth } = service(config());
    await auth.createUser({ name: 'ops', password: 'local-password', role: 'operator' });
    assert.equal((await auth.login('ops', 'local-password')).role, 'operator');
    await auth.login('alice', 'alice-directory-pw');
    await assert.rejects(auth.setPassword('alice', 'a-local-password'), isCode('NRX_ERR_CONFLICT', /directory/));
  });

  describe('through serve (ldap.yaml in the data directory) and the CLI', () => {
    let served: AssembledAppliance;
    let url: string;
    const home = path.join(tmp, 'home');
    before(async () => {
      const dataDir = mkdtempSync(path.join(tmp, 'data-'));
      writeFileSync(
        path.join(dataDir, 'ldap.yaml'),
        [
          `url: ${slapd.ldapUrl}`,
          'startTls: true',
          `caFile: ${slapd.caFile}`,
          `userDn: "uid={user},${PEOPLE}"`,
          `groupBase: "${GROUPS}"`,
          'groups:',
          `  - group: "cn=neteng,${GROUPS}"`,
          '    role: admin',
          '',
        ].join('\n'),
      );
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      served = buildAppliance({ config: loadConfig({ dataDir }, {}), api: { host: '127.0.0.1', port }, sensors: null, log: silentLogger });
      await served.start();
    });
    after(async () => {
      await served?.stop();
    });

    test('netreflex login with directory credentials; the wrong password and an unmapped user say so with their codes', async () => {
      const ok = await cli(['login', '--url', url, '--user', 'alice'], { XDG_CONFIG_HOME: home, NETREFLEX_PASSWORD: 'alice-directory-pw' });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /as alice \(admin\)/);
      const users = await cli(['user', 'list', '--json'], { XDG_CONFIG_HOME: home });
      assert.equal(users.code, 0, users.stderr);
      assert.equal((JSON.parse(users.stdout) as Array<{ name: string; source: string }>).find((u) => u.name === 'alice')?.source, 'directory');
      const wrong = await cli(['login', '--url', url, '--user', 'alice'], { XDG_CONFIG_HOME: path.join(tmp, 'h2'), NETREFLEX_PASSWORD: 'nope-nope' });
      assert.equal(wrong.code, 3);
      assert.match(wrong.stderr, /NRX_ERR_UNAUTHORIZED/);
      const carol = await cli(['login', '--url', url, '--user', 'carol'], { XDG_CONFIG_HOME: path.join(tmp, 'h3'), NETREFLEX_PASSWORD: 'carol-directory-pw' });
      assert.notEqual(carol.code, 0);
      assert.match(carol.stderr, /NRX_ERR_LDAP_NO_ROLE/);
    });
  });
});
