import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NrxError } from '../../src/core/errors.js';

/**
 * Host keys checked against an OpenSSH known_hosts file: `[host]:port ssh-ed25519 AAAA...`
 * (plain `host` for port 22; hashed `|1|salt|hash` names are matched too). Trust on first use
 * happens only when the policy says so, and the key it trusted is written to the file.
 */

/** strict: the key must already be known. tofu: an unknown host is trusted once and recorded. */
export type HostKeyPolicy = 'strict' | 'tofu';

export interface HostKeyDecision {
  trusted: true;
  /** True when this connection recorded a new key (trust on first use). */
  recorded: boolean;
  fingerprint: string;
}

/** OpenSSH's spelling of a host in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:...` as `ssh-keygen -lf` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && len < 64 && keyBlob.length >= 4 + len ? keyBlob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** A `ssh-ed25519 AAAA...` line (an authorized_keys/.pub line) -> the key blob. */
export function parsePublicKeyLine(line: string): Buffer {
  const parts = line.trim().split(/\s+/);
  const blob = Buffer.from(parts[1] ?? '', 'base64');
  if (blob.length === 0 || keyTypeOf(blob) !== parts[0])
    throw new NrxError('NRX_ERR_CONFIG', `not an OpenSSH public key line: ${JSON.stringify(line.slice(0, 60))}`);
  return blob;
}

function nameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').includes(name);
}

/** A host key trusted on first use and written to a known-hosts file. */
export interface RecordedHostKey {
  /** The inventory device, when the caller knows it. */
  device: string | null;
  /** As written in the file: `host` or `[host]:port`. */
  name: string;
  keyType: string;
  fingerprint: string;
  file: string;
}

const recordedListeners = new Set<(k: RecordedHostKey) => void>();

/**
 * Be told of every key this process trusts on first use (`exec --trust-new-hosts` prints each
 * one, so the operator can check the fingerprints). Returns the unsubscribe.
 */
export function onHostKeyRecorded(fn: (k: RecordedHostKey) => void): () => void {
  recordedListeners.add(fn);
  return () => recordedListeners.delete(fn);
}

export class KnownHosts {
  constructor(readonly file: string) {}

  /** Keys recorded for host:port, as blobs. `@revoked`/`@cert-authority` lines are skipped. */
  lookup(host: string, port: number): Buffer[] {
    if (!existsSync(this.file)) return [];
    const name = knownHostsName(host, port);
    const keys: Buffer[] = [];
    for (const raw of readFileSync(this.file, 'utf8').split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
      const [names, , b64] = line.split(/\s+/);
      if (names && b64 && nameMatches(names, name)) keys.push(Buffer.from(b64, 'base64'));
    }
    return keys;
  }

  add(host: string, port: number, keyBlob: Buffer, device: string | null = null): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${knownHostsName(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
    const recorded = { device, name: knownHostsName(host, port), keyType: keyTypeOf(keyBlob), fingerprint: fingerprint(keyBlob), file: this.file };
    for (const fn of recordedListeners) fn(recorded);
  }

  /**
   * Decide whether to trust the key a device presented. A known host with a different key is
   * refused whatever the policy: that is what a man in the middle looks like.
   */
  verify(device: string, host: string, port: number, keyBlob: Buffer, policy: HostKeyPolicy): HostKeyDecision {
    const presented = fingerprint(keyBlob);
    const known = this.lookup(host, port);
    if (known.some((k) => k.equals(keyBlob))) return { trusted: true, recorded: false, fingerprint: presented };
    if (known.length > 0) {
      throw new NrxError(
        'NRX_ERR_HOSTKEY_MISMATCH',
        `device ${device} (${knownHostsName(host, port)}) presented host key ${keyTypeOf(keyBlob)} ${presented}, but ${this.file} records ${known.map((k) => `${keyTypeOf(k)} ${fingerprint(k)}`).join(', ')}; refusing to connect`,
        { details: { device, presented, known: known.map(fingerprint), knownHostsFile: this.file } },
      );
    }
    if (policy === 'tofu') {
      this.add(host, port, keyBlob, device);
      return { trusted: true, recorded: true, fingerprint: presented };
    }
    throw new NrxError(
      'NRX_ERR_HOSTKEY_UNKNOWN',
      `device ${device} (${knownHostsName(host, port)}) is not in ${this.file}; its host key is ${keyTypeOf(keyBlob)} ${presented}. ` +
        `Check that fingerprint on the device, then record it: \`ssh-keyscan ${port === 22 ? '' : `-p ${port} `}-t ${keyTypeOf(keyBlob)} ${host} >> ${this.file}\`, ` +
        `or let \`netreflex exec ... --trust-new-hosts\` record it on first use (it prints each key it adds)`,
      { details: { device, presented, knownHostsFile: this.file } },
    );
  }
}
