import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { NrxError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { KEY_BYTES, keyFilePath, keyIdOf, listRetiredKeys, readKeyFile, removeStaleTempKeys, retiredKeyPath, writeKeyFile } from './key-file.js';
import { open, seal } from './sealed-token.js';

export interface RotationReport {
  /** Secret keys now sealed under the new key. */
  reencrypted: number;
  /** Id of the new key. */
  keyId: string;
  /** Expired secret keys deleted instead of re-encrypted. */
  expiredDeleted: number;
  /** False when the store could not yet erase the old ciphertext (SQLite: a reader kept it from emptying its WAL file; old pages may linger there until the next checkpoint). */
  walTruncated: boolean;
}

/**
 * Replace the secret key and re-encrypt every secret under the new one.
 *
 * Steps, each safe to interrupt:
 *  1. copy the current key to secrets.key.<oldid>.retired (0600);
 *  2. write a fresh secrets.key (atomic rename);
 *  3. in ONE store transaction, open every secret with whichever key its token names
 *     (current or any retired one) and seal it with the new key;
 *  4. the store erases the old values (SQLite: secure_delete zeroes freed space, the WAL is emptied);
 *  5. delete every retired key.
 * After an interruption every secret still opens with secrets.key or a retired key, and
 * SecretCipher loads retired keys, so the appliance keeps working. Running rotate-key again
 * finishes the job (it simply rotates once more and then removes all retired keys).
 *
 * Run it with the appliance stopped: a running appliance picks up the new key for reads and
 * writes, but a secret it sealed with the old key between steps 3 and 5 would be lost.
 */
export async function rotateKey(dataDir: string, store: Pick<Store, 'kv' | 'isReadonly' | 'location'>): Promise<RotationReport> {
  const file = keyFilePath(dataDir);
  if (!fs.existsSync(file)) {
    throw new NrxError('NRX_ERR_SECRET', `no key file ${file}: nothing to rotate (is --data-dir the appliance's data directory?)`);
  }
  if (store.isReadonly) throw new NrxError('NRX_ERR_STORE', `database ${store.location} is open read-only; key rotation writes every secret`);
  // Let the store's pending group commit land first, so no secret is written behind our back.
  await new Promise<void>((resolve) => setImmediate(resolve));

  const oldKey = readKeyFile(file);
  const oldId = keyIdOf(oldKey);
  const retiredFile = retiredKeyPath(dataDir, oldId);
  if (!fs.existsSync(retiredFile)) writeKeyFile(retiredFile, oldKey);

  const newKey = randomBytes(KEY_BYTES);
  const newId = keyIdOf(newKey);
  writeKeyFile(file, newKey);

  const keyring = new Map<string, Buffer>([[newId, newKey]]);
  for (const [id, f] of listRetiredKeys(dataDir)) keyring.set(id, readKeyFile(f));

  const { resealed, expiredDeleted, oldValuesErased } = await store.kv.resealSecrets((secret) => {
    let plain: string;
    try {
      plain = open(secret.value, (id) => keyring.get(id) ?? null);
    } catch (e) {
      throw new NrxError(
        'NRX_ERR_SECRET',
        `key rotation stopped, nothing re-encrypted: secret ${secret.scope}/${secret.key} cannot be decrypted (${(e as Error).message}); delete or re-set it, then run rotate-key again`,
        { cause: e },
      );
    }
    return seal(newKey, newId, plain);
  });

  for (const f of listRetiredKeys(dataDir).values()) fs.rmSync(f, { force: true });
  removeStaleTempKeys(dataDir);
  return { reencrypted: resealed, keyId: newId, expiredDeleted, walTruncated: oldValuesErased };
}
