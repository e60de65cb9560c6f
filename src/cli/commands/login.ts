import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { ApiClient, clientConfigPath, readClientConfig, resolveClientConfig, writeClientConfig } from '../api-client.js';
import { withExamples } from '../help.js';
import { printJson } from '../output.js';
import { readPassword } from '../password-prompt.js';
import { clientFor, globalsOf, guarded } from '../remote.js';

export function registerLogin(program: Command): void {
  withExamples(
    program
      .command('login')
      .description('log in to the appliance with a local user; keeps the URL and a short-lived token in the config file (mode 0600)')
      .option('--user <name>', 'user name', 'admin')
      .option('--json', 'print JSON')
      .addHelpText(
        'after',
        '\nThe password is asked for without echo, read from NETREFLEX_PASSWORD, or read from stdin.\nThe config file is $XDG_CONFIG_HOME/netreflex/config.json (default ~/.config/netreflex/config.json).\n',
      ),
    'netreflex login --url http://nrx1.example.net:8080 --user admin',
    'NETREFLEX_PASSWORD="$PW" netreflex login --user ops',
  ).action((opts: { user: string; json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const o = globalsOf(cmd);
      const url = resolveClientConfig(o.url ? { url: o.url } : {}).url;
      const password = await readPassword(`password for ${opts.user} at ${url}: `);
      const session = await new ApiClient({ url }).login(opts.user, password).catch((e: unknown) => {
        // the generic hint (log in with `netreflex login`) is no help to someone doing just that
        if (!(e instanceof NrxError) || e.code !== 'NRX_ERR_UNAUTHORIZED') throw e;
        throw new NrxError('NRX_ERR_UNAUTHORIZED', `wrong password for ${opts.user} at ${url} (or no such user)`, {
          details: { hint: `check the password and try again: netreflex login --url ${url} --user ${opts.user}` },
        });
      });
      const file = clientConfigPath();
      writeClientConfig({ url, token: session.token, expiresAt: session.expiresAt, user: session.user }, file);
      if (opts.json) printJson({ url, user: session.user, role: session.role, expiresAt: session.expiresAt, configFile: file });
      else process.stdout.write(`logged in to ${url} as ${session.user} (${session.role}); token valid until ${session.expiresAt}; saved in ${file}\n`);
    }),
  );

  withExamples(program.command('logout').description('revoke the token `netreflex login` saved and forget it (the URL stays)'), 'netreflex logout').action(() =>
    guarded(async () => {
      const file = clientConfigPath();
      const saved = readClientConfig(file);
      if (!saved.token) {
        process.stdout.write('not logged in\n');
        return;
      }
      try {
        await new ApiClient({ url: saved.url ?? resolveClientConfig().url, token: saved.token }).logout();
      } catch (e) {
        // forgetting the token locally is still worth doing when the appliance is away
        process.stderr.write(`warning: the appliance did not revoke the token: ${(e as Error).message}\n`);
      }
      const { token: _token, expiresAt: _expires, user: _user, ...rest } = saved;
      writeClientConfig(rest, file);
      process.stdout.write(`logged out${saved.url ? ` of ${saved.url}` : ''}\n`);
    }),
  );

  withExamples(
    program.command('whoami').description('show who the configured credential is: user, role and grants').option('--json', 'print JSON'),
    'netreflex whoami',
  ).action((opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const client = clientFor(cmd);
      const me = await client.whoami();
      if (opts.json) printJson({ ...me, url: client.config.url });
      else {
        const grants = Object.entries(me.grants ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        process.stdout.write(
          `${me.user} (${me.role}) at ${client.config.url}${me.via ? ` via ${me.via}` : ''}${grants.length ? `; grants: ${grants.join(' ')}` : ''}\n`,
        );
      }
    }),
  );
}
