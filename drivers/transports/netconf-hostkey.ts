import { NrxError } from '../../src/core/errors.js';
import { createHash } from 'node:crypto';

/**
 * Host key policy for the NETCONF transport: a known key ("ssh-ed25519 AAAA..." as in
 * known_hosts or a .pub file), or trust-on-first-use when the caller asks for it and records
 * what was learned. Nothing is accepted silently.
 */
export interface HostKeyPolicy {
  /** The device's public key in OpenSSH form: "<type> <base64> [comment]". */
  knownKey?: string;
  /** With no known key: accept the presented one and report it through onLearned. */
  trustOnFirstUse?: boolean;
  /** Called with the key that was accepted on first use, to record it. */
  onLearned?: (openSshKey: string) => void;
}

export type HostKeyVerdict = { ok: true } | { ok: false; error: NrxError };

/** Decide on the raw key blob ssh2 presents. `device` names the device in the error. */
export function verifyHostKey(policy: HostKeyPolicy, blob: Buffer, device: string): HostKeyVerdict {
  const presented = openSshKeyOf(blob);
  if (policy.knownKey) {
    const known = parseOpenSshKey(policy.knownKey);
    if (known && known.equals(blob)) return { ok: true };
    return {
      ok: false,
      error: new NrxError(
        'NRX_ERR_HOSTKEY_MISMATCH',
        `${device}: host key mismatch: expected ${known ? fingerprint(known) : `an unreadable key '${policy.knownKey.slice(0, 40)}'`}, the device presented ${fingerprint(blob)} (${presented.split(' ')[0]})`,
        {
          details: { device, expected: known ? fingerprint(known) : null, presented: fingerprint(blob) },
        },
      ),
    };
  }
  if (policy.trustOnFirstUse) {
    policy.onLearned?.(presented);
    return { ok: true };
  }
  return {
    ok: false,
    error: new NrxError(
      'NRX_ERR_HOSTKEY_UNKNOWN',
      `${device}: no known host key; the device presented ${presented.split(' ')[0]} ${fingerprint(blob)}. Check that fingerprint on the device, then add the key ` +
        `to the known-hosts file (\`ssh-keyscan -p PORT HOST\` prints the line), or let \`netreflex exec ... --trust-new-hosts\` record it on first use`,
      {
        details: { device, presented: fingerprint(blob) },
      },
    ),
  };
}

/** "ssh-ed25519 AAAA..." from a raw SSH public key blob (whose first field names its type). */
export function openSshKeyOf(blob: Buffer): string {
  let type = 'unknown';
  if (blob.length >= 4) {
    const n = blob.readUInt32BE(0);
    if (n > 0 && n < 64 && blob.length >= 4 + n) type = blob.subarray(4, 4 + n).toString('latin1');
  }
  return `${type} ${blob.toString('base64')}`;
}

function parseOpenSshKey(text: string): Buffer | null {
  const parts = text.trim().split(/\s+/);
  // Accept both "type base64 [comment]" and a known_hosts line "host type base64".
  for (let i = 0; i < parts.length - 1; i++) {
    if (/^(ssh-|ecdsa-|sk-)/.test(parts[i]!) && /^[A-Za-z0-9+/]+=*$/.test(parts[i + 1]!)) return Buffer.from(parts[i + 1]!, 'base64');
  }
  return null;
}

/** OpenSSH's SHA256 fingerprint form. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
