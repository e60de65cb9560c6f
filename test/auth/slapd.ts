/**
 * A real OpenLDAP server (Debian's slapd) for the directory-login tests: a temp directory with
 * its own slapd.conf, a self-signed certificate made with openssl, a small directory loaded with
 * slapadd, and slapd in the foreground on two free ports (ldaps:// and ldap:// for StartTLS).
 * Needs root (apt-get install slapd; slapd's modules and schema files).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePackages } from '../lab/packages.js';
import { run, waitFor } from '../lab/run.js';

export const SUFFIX = 'dc=example,dc=net';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;

/** Who is in the test directory: name, password, groups. */
export const PEOPLE_IN_DIRECTORY = [
  { uid: 'alice', password: 'alice-directory-pw', groups: ['neteng'] },
  { uid: 'bob', password: 'bob-directory-pw', groups: ['noc'] },
  { uid: 'carol', password: 'carol-directory-pw', groups: ['finance'] },
] as const;

export interface Slapd {
  dir: string;
  ldapsUrl: string;
  /** Plain port: only with StartTLS. */
  ldapUrl: string;
  /** The self-signed certificate, which is its own CA. */
  caFile: string;
  /** A port nothing listens on. */
  closedUrl: string;
  /** The same server at an address its certificate does not name (127.0.0.2): LDAPS, and plain for StartTLS. */
  misnamedLdapsUrl: string;
  misnamedLdapUrl: string;
  stop(): Promise<void>;
}

/** Whether slapd can run here; otherwise the reason, loud in the test report. Under CI it must run. */
export function slapdSkipReason(): string | false {
  let reason: string | false = false;
  if (process.platform !== 'linux') reason = `LDAP SKIPPED: the slapd tests need Linux (this is ${process.platform})`;
  else if (process.getuid?.() !== 0) reason = 'LDAP SKIPPED: the slapd tests need root (apt-get install slapd); run them as root';
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') throw new Error(`the slapd tests must run under CI, but: ${reason}`);
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function ldif(): string {
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups`,
    ...PEOPLE_IN_DIRECTORY.map(
      (p) => `dn: uid=${p.uid},${PEOPLE}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.uid}\nsn: ${p.uid}\nuserPassword: ${p.password}`,
    ),
    ...['neteng', 'noc', 'finance'].map(
      (g) =>
        `dn: cn=${g},${GROUPS}\nobjectClass: groupOfNames\ncn: ${g}\n${PEOPLE_IN_DIRECTORY.filter((p) => (p.groups as readonly string[]).includes(g))
          .map((p) => `member: uid=${p.uid},${PEOPLE}`)
          .join('\n')}`,
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

function slapdConf(dir: string): string {
  return [
    ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCertificateFile ${dir}/cert.pem`,
    `TLSCertificateKeyFile ${dir}/key.pem`,
    // users may read the directory once bound; nobody reads passwords; anonymous may only bind
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by anonymous auth',
    'database mdb',
    `suffix "${SUFFIX}"`,
    `rootdn "cn=admin,${SUFFIX}"`,
    `directory ${dir}/db`,
    'maxsize 10485760',
    '',
  ].join('\n');
}

export async function startSlapd(): Promise<Slapd> {
  await ensurePackages(['slapd', 'openssl']);
  const dir = mkdtempSync(path.join(tmpdir(), 'nrx-slapd-'));
  let child: ChildProcess | undefined;
  try {
    mkdirSync(path.join(dir, 'db'));
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]);
    writeFileSync(path.join(dir, 'slapd.conf'), slapdConf(dir));
    writeFileSync(path.join(dir, 'data.ldif'), ldif());
    await run('slapadd', ['-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'data.ldif')]);
    const [ldaps, ldap, closed, misLdaps, misLdap] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const urls = `ldaps://127.0.0.1:${ldaps}/ ldap://127.0.0.1:${ldap}/ ldaps://127.0.0.2:${misLdaps}/ ldap://127.0.0.2:${misLdap}/`;
    // -d keeps slapd in the foreground as our child, so stopping it is killing our own process
    child = spawn('slapd', ['-d', '0', '-f', path.join(dir, 'slapd.conf'), '-h', urls], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const proc = child;
    await waitFor(
      `slapd listening on ${urls} (${stderr.trim().split('\n').slice(-3).join(' | ')})`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`slapd exited ${proc.exitCode}: ${stderr.trim()}`);
        return (await canConnect(ldaps)) && (await canConnect(ldap)) && (await canConnect(misLdaps, '127.0.0.2'));
      },
      15_000,
    );
    return {
      dir,
      ldapsUrl: `ldaps://127.0.0.1:${ldaps}`,
      ldapUrl: `ldap://127.0.0.1:${ldap}`,
      caFile: path.join(dir, 'cert.pem'),
      closedUrl: `ldaps://127.0.0.1:${closed}`,
      misnamedLdapsUrl: `ldaps://127.0.0.2:${misLdaps}`,
      misnamedLdapUrl: `ldap://127.0.0.2:${misLdap}`,
      async stop() {
        await stopChild(proc);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}
