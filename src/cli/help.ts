import type { Command } from 'commander';

/** Examples under a command's --help, one per line. */
export function withExamples<C extends Command>(cmd: C, ...lines: string[]): C {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** The part of `netreflex --help` that explains where commands work, credentials and exit codes. */
export const PROGRAM_HELP = `
Where commands work:
  Commands talk to the running appliance through its REST API. The URL and credential come from
  (first match wins): --url / --api-key / --token; NETREFLEX_URL / NETREFLEX_API_KEY /
  NETREFLEX_TOKEN; the config file ~/.config/netreflex/config.json ($XDG_CONFIG_HOME) that
  \`netreflex login\` writes (mode 0600); else http://127.0.0.1:8080.
  execution list|get|cancel|pause|resume, event list|emit, rule list and trigger list also work
  offline on a data directory: they do when --data-dir or NETREFLEX_DATA_DIR is set and no URL is
  configured. \`run\` and \`rule test\` run in this process unless --remote or a URL is configured.

Exit codes:
  0 ok  1 failed (the action failed, the rule did not match, a conflicting request)
  2 usage or invalid input (bad arguments, unknown action/host/rule, invalid parameters)
  3 cannot reach the API, or not authenticated  4 forbidden (role or grants do not allow it)
  5 waiting for an answer (\`run\` stopped at a pending inquiry: core.ask)

Get started:
  netreflex serve                                  # prints the admin credential once
  netreflex login --user admin                     # asks for the password
  netreflex inventory import --yaml inventory/
  netreflex inventory preview --filter 'site=dc1 and role=leaf'
  netreflex run core.echo message=hello --remote   # waits and shows the output
  netreflex completion bash > /etc/bash_completion.d/netreflex
`;
