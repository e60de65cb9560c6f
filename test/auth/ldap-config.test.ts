import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadLdapConfig, parseLdapConfig } from '../../src/auth/ldap-config.js';
import { escapeDnValue, escapeFilterValue, mapGroups } from '../../src/auth/ldap.js';
import { NrxError } from '../../src/core/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nrx-ldap-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'ldap.yaml');
const base = {
  url: 'ldaps://dir.example.net',
  userDn: 'uid={user},ou=people,dc=example,dc=net',
  groupBase: 'ou=groups,dc=example,dc=net',
  groups: [{ group: 'noc', role: 'operator' }],
};
const refused = (field: string, text: RegExp) => (e: unknown) =>
  e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && e.location.field === field && e.location.file === file && text.test(e.message);

describe('ldap.yaml', () => {
  test('a minimal LDAPS configuration gets the documented defaults', () => {
    const c = parseLdapConfig(base, file);
    assert.equal(c.startTls, false);
    assert.equal(c.timeoutMs, 5000);
    assert.equal(c.groupFilter, '(|(member={dn})(uniqueMember={dn})(memberUid={user}))');
    assert.deepEqual(c.groups, [{ group: 'noc', role: 'operator', grants: {} }]);
  });

  test('passwords are never sent in clear: ldap:// needs startTls, ldaps:// must not have it', () => {
    assert.throws(() => parseLdapConfig({ ...base, url: 'ldap://dir.example.net' }, file), refused('url', /in clear.*ldaps:\/\/.*startTls/));
    assert.equal(parseLdapConfig({ ...base, url: 'ldap://dir.example.net', startTls: true }, file).startTls, true);
    assert.throws(() => parseLdapConfig({ ...base, startTls: true }, file), refused('startTls', /ldaps/));
    assert.throws(() => parseLdapConfig({ ...base, url: 'http://dir' }, file), refused('url', /must start with ldaps:\/\//));
  });

  test('mistakes name the key: unknown keys, a userDn without {user}, a bad role or grant, no groups, an unreadable caFile', () => {
    assert.throws(() => parseLdapConfig({ ...base, bindDN: 'x' }, file), refused('bindDN', /unknown key 'bindDN'/));
    assert.throws(() => parseLdapConfig({ ...base, userDn: 'cn=x' }, file), refused('userDn', /\{user\}/));
    assert.throws(() => parseLdapConfig({ ...base, groups: [{ group: 'noc', role: 'root' }] }, file), refused('groups[0].role', /admin, operator, observer/));
    assert.throws(
      () => parseLdapConfig({ ...base, groups: [{ group: 'noc', role: 'operator', grants: { sites: ['x'] } }] }, file),
      refused('groups[0].grants.sites', /unknown grant/),
    );
    assert.throws(() => parseLdapConfig({ ...base, groups: [] }, file), refused('groups', /at least one/));
    assert.throws(() => parseLdapConfig({ ...base, caFile: 'missing.pem' }, file), refused('caFile', /cannot read .*missing\.pem/));
    assert.throws(() => parseLdapConfig({ ...base, timeoutMs: 5 }, file), refused('timeoutMs', /100 to 60000/));
  });

  test('found in the data directory, or where NETREFLEX_LDAP_CONFIG says (which must exist); none: local users only', () => {
    assert.equal(loadLdapConfig(dir, {}), null);
    writeFileSync(file, 'url: ldaps://dir.example.net\nuserDn: "uid={user},dc=x"\ngroupBase: dc=x\ngroups:\n  - {group: noc, role: observer}\n');
    assert.equal(loadLdapConfig(dir, {})?.groups[0]?.role, 'observer');
    assert.throws(
      () => loadLdapConfig(dir, { NETREFLEX_LDAP_CONFIG: path.join(dir, 'nope.yaml') }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_CONFIG' && /nope\.yaml.*does not exist/.test(e.message),
    );
    writeFileSync(path.join(dir, 'broken.yaml'), 'url: [unclosed\n');
    assert.throws(
      () => loadLdapConfig(dir, { NETREFLEX_LDAP_CONFIG: path.join(dir, 'broken.yaml') }),
      (e) => e instanceof NrxError && e.code === 'NRX_ERR_YAML_SYNTAX',
    );
  });
});

describe('group map and escaping', () => {
  const map = [
    { group: 'cn=NetEng,ou=groups,dc=example,dc=net', role: 'admin' as const, grants: {} },
    { group: 'noc', role: 'operator' as const, grants: { inventory: 'site=dc1' } },
  ];
  test('the first mapping the groups satisfy wins; DNs compare without case or spaces, a bare name is the cn', () => {
    assert.equal(mapGroups(map, ['cn=noc,ou=groups,dc=example,dc=net', 'CN=neteng, OU=Groups, DC=example, DC=net'])?.role, 'admin');
    assert.equal(mapGroups(map, ['cn=NOC,ou=other,dc=example,dc=net'])?.role, 'operator');
    assert.equal(mapGroups(map, ['cn=finance,ou=groups,dc=example,dc=net']), null);
    assert.equal(mapGroups(map, []), null);
  });
  test('a login name cannot change the DN or the filter it is put in', () => {
    assert.equal(escapeDnValue('a,ou=admins'), 'a\\,ou\\=admins');
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
  });
});
