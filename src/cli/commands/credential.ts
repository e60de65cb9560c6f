import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { SecretCipher } from '../../datastore/cipher.js';
import { CredentialStore, type Credential } from '../../datastore/credentials.js';
import { KeyValueStore } from '../../datastore/keyvalue.js';
import { openApplianceStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { configFrom, reportError, type DataOptions } from '../context.js';
import { noteNewDataDir } from '../data-dir-notice.js';
import { printJson, table } from '../output.js';

/** The credential store of a data directory, opened by the CLI on the appliance's host. */
export function openCredentials(opts: DataOptions): { store: Store; credentials: CredentialStore } {
  const { dataDir } = configFrom(opts);
  noteNewDataDir(dataDir, 'for the encrypted credential store and its key');
  const store = openApplianceStore(dataDir);
  return { store, credentials: new CredentialStore(new KeyValueStore(store, SecretCipher.loadOrCreate(dataDir))) };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerCredential(program: Command): void {
  const cred = program
    .command('credential')
    .description('device credentials in the encrypted secret store (the inventory names them with credential: NAME); works on the data directory')
    .addHelpText('after', '\nSecrets are never taken as command-line arguments (they would show in ps and shell history).\n');
  cred
    .command('set <name>')
    .description('store a device credential (password from stdin or an environment variable, or a private key file)')
    .requiredOption('--username <user>', 'login name')
    .option('--password-stdin', 'read the password from standard input')
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--private-key <file>', 'OpenSSH private key file')
    .option('--data-dir <dir>', 'data directory')
    .addHelpText(
      'after',
      '\nExamples:\n  printf %s "$PW" | netreflex credential set dc1-fabric --username netops --password-stdin\n  netreflex credential set lab --username admin --private-key ~/.ssh/id_ed25519\n',
    )
    .action(async (name: string, o: DataOptions & { username: string; passwordStdin?: boolean; passwordEnv?: string; privateKey?: string }) => {
      const { store, credentials } = openCredentials(o);
      try {
        const c: Credential = { username: o.username };
        if (o.passwordStdin) c.password = await readStdin();
        else if (o.passwordEnv) {
          const v = process.env[o.passwordEnv];
          if (v === undefined) throw new NrxError('NRX_ERR_USAGE', `environment variable ${o.passwordEnv} is not set`);
          c.password = v;
        }
        if (o.privateKey) c.private_key = readFileSync(o.privateKey, 'utf8');
        await credentials.set(name, c);
        process.stdout.write(`credential ${name} stored (encrypted)\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  cred
    .command('import <file>')
    .description('store every credential of a JSON file {NAME: {username, password?, private_key?, private_key_path?}} (the lab writes one)')
    .option('--data-dir <dir>', 'data directory')
    .action(async (file: string, o: DataOptions) => {
      const { store, credentials } = openCredentials(o);
      try {
        const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
        let n = 0;
        for (const [name, v] of Object.entries(doc)) {
          const c: Credential = { username: v.username! };
          if (v.password) c.password = v.password;
          if (v.private_key) c.private_key = v.private_key;
          else if (v.private_key_path) c.private_key = readFileSync(path.resolve(path.dirname(file), v.private_key_path), 'utf8');
          await credentials.set(name, c);
          n++;
        }
        process.stdout.write(`${n} credentials stored (encrypted)\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  cred
    .command('list')
    .description('credential names (never their secrets)')
    .option('--data-dir <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (o: DataOptions & { json?: boolean }) => {
      const { store, credentials } = openCredentials(o);
      try {
        const names = await credentials.list();
        if (o.json) printJson(names);
        else
          process.stdout.write(
            `${table(
              names.map((name) => ({ name })),
              ['name'],
            )}\n`,
          );
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
  cred
    .command('delete <name>')
    .description('remove a credential')
    .option('--data-dir <dir>', 'data directory')
    .action(async (name: string, o: DataOptions) => {
      const { store, credentials } = openCredentials(o);
      try {
        if (!(await credentials.delete(name))) throw new NrxError('NRX_ERR_NOT_FOUND', `no credential ${name}`);
        process.stdout.write(`credential ${name} deleted\n`);
      } catch (e) {
        process.exitCode = reportError(e);
      } finally {
        await store.close();
      }
    });
}
