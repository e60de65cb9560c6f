import { Client, InvalidCredentialsError } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { NrxError } from '../core/errors.js';
import type { GroupMapping, LdapConfig } from './ldap-config.js';
import type { Grants, Role } from './roles.js';

/** Who the directory says a user is, mapped to a role. */
export interface DirectoryIdentity {
  user: string;
  dn: string;
  role: Role;
  grants: Grants;
  /** The mapped group that gave the role. */
  group: string;
}

/** What AuthService needs of a directory (a fake in unit tests, LDAP on an appliance). */
export interface Directory {
  /** Where, for messages: the URL. */
  readonly where: string;
  login(user: string, password: string): Promise<DirectoryIdentity>;
}

/** RFC 4514: a login name as one attribute value inside a DN. */
export function escapeDnValue(v: string): string {
  return v
    .replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`)
    .replace(/^ /, '\\ ')
    .replace(/ $/, '\\ ');
}

/** RFC 4515: a value inside a search filter. */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `CN=NOC, ou=Groups` and `cn=noc,ou=groups` are the same DN to a directory. */
function normalDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.trim().toLowerCase())
    .join(',');
}

/** The first mapping (config order) the user's groups satisfy: by full DN, or by cn for a bare name. */
export function mapGroups(mappings: GroupMapping[], groupDns: string[]): GroupMapping | null {
  const dns = new Set(groupDns.map(normalDn));
  const cns = new Set(groupDns.map((dn) => /^cn=([^,]+)/i.exec(dn.trim())?.[1]?.trim().toLowerCase()).filter((x): x is string => Boolean(x)));
  return mappings.find((m) => (m.group.includes('=') ? dns.has(normalDn(m.group)) : cns.has(m.group.toLowerCase()))) ?? null;
}

/**
 * Directory login as Brocade Workflow Composer did it: a simple bind as the user over LDAPS or
 * StartTLS (never in clear), then a search for the groups the user is in, as that user, and the
 * group map of ldap.yaml decides the role and grants. No service account is kept.
 */
export class LdapDirectory implements Directory {
  readonly where: string;

  constructor(private readonly cfg: LdapConfig) {
    this.where = cfg.url;
  }

  private tls(): ConnectionOptions {
    return { minVersion: 'TLSv1.2', ...(this.cfg.ca ? { ca: this.cfg.ca } : {}) };
  }

  async login(user: string, password: string): Promise<DirectoryIdentity> {
    // An empty password is an anonymous bind that directories accept: never a login.
    if (!password) throw new NrxError('NRX_ERR_UNAUTHORIZED', 'wrong user name or password: the password is empty');
    const dn = this.cfg.userDn.replaceAll('{user}', escapeDnValue(user));
    const client = new Client({
      url: this.cfg.url,
      timeout: this.cfg.timeoutMs,
      connectTimeout: this.cfg.timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions is set: only for ldaps://
      ...(this.cfg.startTls ? {} : { tlsOptions: this.tls() }),
    });
    try {
      // host: the name the certificate must carry, as for ldaps:// (the socket is already open)
      if (this.cfg.startTls) await this.step('StartTLS', () => client.startTLS({ ...this.tls(), host: new URL(this.cfg.url).hostname }));
      try {
        await client.bind(dn, password);
      } catch (e) {
        if (e instanceof InvalidCredentialsError)
          throw new NrxError('NRX_ERR_UNAUTHORIZED', `wrong user name or password: the directory at ${this.where} refused the password of ${dn}`);
        throw this.unreachable('bind', e);
      }
      const filter = this.cfg.groupFilter.replaceAll('{dn}', escapeFilterValue(dn)).replaceAll('{user}', escapeFilterValue(user));
      const found = await this.step('group search', () => client.search(this.cfg.groupBase, { scope: 'sub', filter, attributes: ['cn'] }));
      const groups = found.searchEntries.map((e) => e.dn);
      const m = mapGroups(this.cfg.groups, groups);
      if (!m)
        throw new NrxError(
          'NRX_ERR_LDAP_NO_ROLE',
          `${user} logged in to the directory but is in none of the groups ${this.cfg.file} maps to a role (member of: ${groups.join('; ') || 'no group under ' + this.cfg.groupBase})`,
          { details: { groups } },
        );
      return { user, dn, role: m.role, grants: m.grants, group: m.group };
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  private async step<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (e) {
      throw this.unreachable(what, e);
    }
  }

  private unreachable(what: string, e: unknown): NrxError {
    const err = e as NodeJS.ErrnoException;
    const why = err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
    return new NrxError('NRX_ERR_LDAP_UNREACHABLE', `directory ${this.where}: ${what} failed: ${why}`, { cause: e });
  }
}

/** The appliance's directory, when ldap.yaml (or NETREFLEX_LDAP_CONFIG) configures one. */
export function directoryFor(cfg: LdapConfig | null): LdapDirectory | null {
  return cfg ? new LdapDirectory(cfg) : null;
}
