import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { usersApi, type UserView } from '../auth-client.js';
import type { DataOptions } from '../context.js';
import { grantOptions, grantsFrom, grantsText, roleFrom, type GrantFlags } from '../grant-options.js';
import { withExamples } from '../help.js';
import { auditOffline, authOf, withDataDir } from '../local-data.js';
import { printJson, table } from '../output.js';
import { readHidden, readPassword } from '../password-prompt.js';
import { clientFor, globalsOf, guarded, useDataDir } from '../remote.js';

const WHERE_HELP = `
Through the API when a URL is configured (netreflex login), as an admin; offline on the data
directory with --data-dir (or NETREFLEX_DATA_DIR) and no URL, on the appliance's host.
A password is never a flag: it is asked for without echo, read from the first line of stdin,
or taken from NETREFLEX_NEW_PASSWORD (and your current one, for your own passwd, from
NETREFLEX_PASSWORD).`;

/** A new password: NETREFLEX_NEW_PASSWORD, else typed without echo, else the first line of stdin. */
async function newPassword(name: string): Promise<string> {
  const pw = process.env.NETREFLEX_NEW_PASSWORD || (await readHidden(`new password for ${name}: `));
  if (!pw) throw new NrxError('NRX_ERR_USAGE', 'no password given (type it at the prompt, pipe it on stdin, or set NETREFLEX_NEW_PASSWORD)');
  return pw;
}

const dataDirOption = (c: Command): Command => c.option('--data-dir <dir>', 'work offline on this data directory instead of the API');

function printUsers(users: UserView[]): void {
  process.stdout.write(
    `${table(
      users.map((u) => ({ name: u.name, role: u.role, grants: grantsText(u.grants), source: u.source ?? 'local', created: u.createdAt })),
      ['name', 'role', 'grants', 'source', 'created'],
    )}\n`,
  );
}

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('appliance users and their roles (admin, operator, observer): add, list, passwd, rm')
    .addHelpText('after', WHERE_HELP);

  withExamples(
    grantOptions(
      dataDirOption(
        user
          .command('add <name>')
          .description('add a local user with a role; the password is asked for')
          .requiredOption('--role <role>', 'admin (everything), operator (run, respond, emit) or observer (read only)'),
      ),
    ).option('--json', 'print JSON'),
    'netreflex user add alice --role operator',
    "netreflex user add noc --role observer --inventory 'site=dc1'",
    'echo "$PW" | netreflex user add ci --role operator --packs netops --data-dir /var/lib/netreflex',
  ).action((name: string, opts: DataOptions & GrantFlags & { role: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const role = roleFrom(opts.role);
      const grants = grantsFrom(opts);
      const password = await newPassword(name);
      const wanted = { name, password, role, ...(grants ? { grants } : {}) };
      const made = useDataDir(globalsOf(cmd))
        ? await withDataDir(opts, async ({ store }) => {
            const u = await authOf(store).createUser(wanted);
            await auditOffline(store, 'user add', u.name, { role: u.role, grants: u.grants });
            return u;
          })
        : await usersApi(clientFor(cmd)).add(wanted);
      if (opts.json) printJson(made);
      else process.stdout.write(`user ${made.name} added (${made.role}${grants ? `; ${grantsText(made.grants)}` : ''})\n`);
    }),
  );

  withExamples(
    dataDirOption(user.command('list').alias('ls').description('list the users with role and grants')).option('--json', 'print JSON'),
    'netreflex user list',
  ).action((opts: DataOptions & { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const users = useDataDir(globalsOf(cmd))
        ? await withDataDir(opts, ({ store }) => authOf(store).listUsers())
        : (await usersApi(clientFor(cmd)).list()).items;
      if (opts.json) printJson(users);
      else printUsers(users);
    }),
  );

  withExamples(
    dataDirOption(
      user
        .command('passwd [name]')
        .description("set a user's password (an admin: anybody's; otherwise your own, after your current one); revokes the user's login tokens"),
    ),
    'netreflex user passwd alice',
    'netreflex user passwd            # your own: asks for the current password first',
  ).action((name: string | undefined, opts: DataOptions, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd))) {
        if (!name) throw new NrxError('NRX_ERR_USAGE', 'offline, name the user: netreflex user passwd <name> --data-dir DIR');
        const password = await newPassword(name);
        await withDataDir(opts, async ({ store }) => {
          await authOf(store).setPassword(name, password);
          await auditOffline(store, 'user passwd', name);
        });
        process.stdout.write(`password of ${name} changed; its login tokens are revoked\n`);
        return;
      }
      const client = clientFor(cmd);
      const me = await client.whoami();
      const target = name ?? me.user;
      // a non-admin proves it is itself; an admin resets without knowing the old password
      const current = me.role === 'admin' ? undefined : await readPassword(`current password for ${target}: `);
      const password = await newPassword(target);
      await usersApi(client).setPassword(target, password, current);
      process.stdout.write(`password of ${target} changed; its login tokens are revoked${target === me.user && me.via === 'token' ? ' (log in again)' : ''}\n`);
    }),
  );

  withExamples(
    dataDirOption(user.command('rm <name>').alias('delete').description('delete a user with its login tokens and API keys (never the last admin)')),
    'netreflex user rm alice',
  ).action((name: string, opts: DataOptions, cmd: Command) =>
    guarded(async () => {
      if (useDataDir(globalsOf(cmd)))
        await withDataDir(opts, async ({ store }) => {
          await authOf(store).removeUser(name);
          await auditOffline(store, 'user rm', name);
        });
      else await usersApi(clientFor(cmd)).remove(name);
      process.stdout.write(`user ${name} deleted, with its login tokens and API keys\n`);
    }),
  );
}
