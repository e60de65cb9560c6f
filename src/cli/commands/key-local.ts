import fs from 'node:fs';
import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { rotateKey } from '../../datastore/cipher.js';
import { keyFilePath } from '../../datastore/key-file.js';
import { openApplianceStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { configFrom, reportError, type DataOptions } from '../context.js';
import { printJson } from '../output.js';

/**
 * `netreflex key rotate-key`: works on the data directory itself, not through the API,
 * because it replaces the key file the appliance reads.
 */
export function registerKeyRotate(keyCommand: Command): void {
  keyCommand
    .command('rotate-key')
    .description('replace the secret key (secrets.key) and re-encrypt every secret under the new one')
    .option('--data-dir <dir>', 'data directory (default $NETREFLEX_DATA_DIR, else ~/.netreflex)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Stop the appliance first. The old key is kept as secrets.key.<id>.retired until every
secret is re-encrypted in one transaction, then removed. If the command is interrupted,
secrets still decrypt (retired keys are read too); run it again to finish.

Example:
  netreflex key rotate-key --data-dir /var/lib/netreflex`,
    )
    .action(async (opts: DataOptions & { json?: boolean }) => {
      let store: Store | undefined;
      try {
        const dataDir = configFrom(opts).dataDir;
        // Checked before opening the store, which would create an empty database in a mistyped directory.
        if (!fs.existsSync(keyFilePath(dataDir)))
          throw new NrxError('NRX_ERR_USAGE', `no key file ${keyFilePath(dataDir)}: is ${dataDir} the appliance's data directory?`);
        store = openApplianceStore(dataDir);
        const r = await rotateKey(dataDir, store);
        if (opts.json) printJson(r);
        else {
          process.stdout.write(`new key ${r.keyId}: ${r.reencrypted} secret(s) re-encrypted, ${r.expiredDeleted} expired secret(s) deleted\n`);
          if (!r.walTruncated)
            process.stdout.write('note: the database WAL file could not be emptied (another process is reading); old pages leave it at the next checkpoint\n');
        }
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store?.close();
      }
    });
}
