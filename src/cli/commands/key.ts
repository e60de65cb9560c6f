import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { NrxError } from '../../core/errors.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { readHidden } from '../password-prompt.js';
import { clientFor, guarded } from '../remote.js';
import { registerKeyRotate } from './key-local.js';

interface ScopeOptions {
  scope: string;
  pack?: string;
}

/** `--scope system|user|pack --pack REF` (or `user:NAME`, `pack:REF`) as the API names scopes. */
export function scopeOf(o: ScopeOptions): string {
  if (o.scope === 'pack') {
    if (!o.pack) throw new NrxError('NRX_ERR_USAGE', '--scope pack needs --pack <ref>');
    return `pack:${o.pack}`;
  }
  if (o.pack) throw new NrxError('NRX_ERR_USAGE', '--pack goes with --scope pack');
  if (!/^(system|user|user:.+|pack:.+)$/.test(o.scope))
    throw new NrxError('NRX_ERR_USAGE', `--scope '${o.scope}': use system, user, user:<name>, pack --pack <ref>, or pack:<ref>`);
  return o.scope;
}

function ttlSeconds(ttl: string): number {
  const ms = parseDuration(/^\d+$/.test(ttl) ? Number(ttl) : ttl, { field: '--ttl' });
  const s = Math.round(ms / 1000);
  if (s < 1) throw new NrxError('NRX_ERR_USAGE', `--ttl '${ttl}' must be at least one second`);
  return s;
}

const scopeOptions = (c: Command): Command =>
  c
    .option('--scope <scope>', 'system, user (your own), pack (with --pack), user:<name> or pack:<ref>', 'system')
    .option('--pack <ref>', 'the pack, with --scope pack');

export function registerKey(program: Command): void {
  const key = program
    .command('key')
    .description('datastore keys and secrets: set, get, list, delete (secrets print as ******** unless --decrypt); rotate the secret key');

  withExamples(
    scopeOptions(
      key
        .command('set <key> [value]')
        .description('set a key (admin); without a value it is asked for without echo, or read from stdin')
        .option('--encrypt', 'store it encrypted (AES-256-GCM); it then prints as ******** unless decrypted')
        .option('--ttl <duration>', 'expire after this long: seconds, or 30m, 12h, 7d')
        .option('--json', 'print JSON'),
    ),
    'netreflex key set ntp_server 10.0.0.123',
    'netreflex key set tacacs_secret --encrypt          # asks for the value',
    'netreflex key set maintenance_note "r1 in RMA" --ttl 12h',
    'netreflex key set api_token --encrypt --scope pack --pack netbox < token.txt',
  ).action((name: string, value: string | undefined, opts: ScopeOptions & { encrypt?: boolean; ttl?: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const scope = scopeOf(opts);
      const ttl = opts.ttl !== undefined ? ttlSeconds(opts.ttl) : undefined;
      if (value !== undefined && opts.encrypt)
        process.stderr.write('note: a value on the command line shows in shell history and ps; leave it out to be asked for it, or pipe it on stdin\n');
      const v = value ?? (await readHidden(`value for ${name}: `));
      const view = await clientFor(cmd).setKey(scope, name, v, { ...(opts.encrypt ? { encrypt: true } : {}), ...(ttl !== undefined ? { ttl } : {}) });
      if (opts.json) printJson(view);
      else process.stdout.write(`${view.scope}/${view.key} set${opts.encrypt ? ' (encrypted)' : ''}${ttl ? `, expires ${String(view.expiresAt)}` : ''}\n`);
    }),
  );

  withExamples(
    scopeOptions(
      key
        .command('get <key>')
        .description("print a key's value (secrets as ******** unless --decrypt, which needs an admin)")
        .option('--decrypt', 'show a secret in clear (admin)')
        .option('--json', 'print JSON'),
    ),
    'netreflex key get ntp_server',
    'netreflex key get tacacs_secret --decrypt',
  ).action((name: string, opts: ScopeOptions & { decrypt?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const view = await clientFor(cmd).getKey(scopeOf(opts), name, Boolean(opts.decrypt));
      if (opts.json) printJson(view);
      else process.stdout.write(`${view.value}\n`);
    }),
  );

  withExamples(
    scopeOptions(
      key
        .command('list')
        .description('list the keys of a scope, optionally by prefix')
        .option('--prefix <prefix>', 'only keys starting with this')
        .option('--decrypt', 'show secrets in clear (admin)')
        .option('--json', 'print JSON'),
    ),
    'netreflex key list',
    'netreflex key list --prefix credential. --scope system',
  ).action((opts: ScopeOptions & { prefix?: string; decrypt?: boolean; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const page = await clientFor(cmd).listKeys(scopeOf(opts), opts.prefix, Boolean(opts.decrypt));
      if (opts.json) printJson(page.items);
      else process.stdout.write(`${table(page.items, ['scope', 'key', 'value', 'secret', 'expiresAt'])}\n`);
    }),
  );

  withExamples(scopeOptions(key.command('delete <key>').alias('rm').description('delete a key (admin)')), 'netreflex key delete maintenance_note').action(
    (name: string, opts: ScopeOptions, cmd: Command) =>
      guarded(async () => {
        const scope = scopeOf(opts);
        await clientFor(cmd).deleteKey(scope, name);
        process.stdout.write(`${scope}/${name} deleted\n`);
      }),
  );

  registerKeyRotate(key);
}
