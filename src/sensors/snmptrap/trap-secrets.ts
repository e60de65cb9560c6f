import type { UsmUser } from './usm.js';

/** The encrypted datastore as the trap receiver reads it. */
export interface TrapSecretSource {
  list(scope: 'system', prefix: string, opts: { decrypt: true }): Promise<Array<{ key: string; value: string }>>;
  get(scope: 'system', key: string, opts: { decrypt: true }): Promise<{ value: string } | null>;
}

/**
 * SNMPv3 users for the trap receiver, from the encrypted datastore: system keys
 * `snmptrap.usm.<user>` holding JSON {auth_protocol, auth_key, priv_protocol, priv_key}, and
 * accepted v1/v2c communities in `snmptrap.communities` (comma-separated).
 */
export async function trapSecrets(kv: TrapSecretSource): Promise<{ users: UsmUser[]; communities: string[] }> {
  const users: UsmUser[] = [];
  for (const k of await kv.list('system', 'snmptrap.usm.', { decrypt: true })) {
    const v = JSON.parse(k.value) as { auth_protocol?: string; auth_key?: string; priv_protocol?: string; priv_key?: string; engine_ids?: string[] };
    users.push({
      user: k.key.slice('snmptrap.usm.'.length),
      ...(v.auth_protocol ? { authProtocol: v.auth_protocol as UsmUser['authProtocol'] } : {}),
      ...(v.auth_key ? { authKey: v.auth_key } : {}),
      ...(v.priv_protocol ? { privProtocol: v.priv_protocol as UsmUser['privProtocol'] } : {}),
      ...(v.priv_key ? { privKey: v.priv_key } : {}),
      ...(v.engine_ids ? { engineIds: v.engine_ids } : {}),
    });
  }
  const c = await kv.get('system', 'snmptrap.communities', { decrypt: true });
  return {
    users,
    communities: c
      ? c.value
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [],
  };
}
