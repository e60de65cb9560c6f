import type { ParamSpec, RunnerDeclaration } from '../action.js';

/** StackStorm's remote runner parameters (core.remote, core.remote_sudo), as netreflex takes them. */
const REMOTE_COMMON: Record<string, ParamSpec> = {
  hosts: {
    type: ['string', 'array'] as unknown as ParamSpec['type'],
    required: true,
    description: 'Inventory device names or addresses, comma-separated or a list; `host:port` sets the port.',
  },
  username: { type: 'string', description: "Login user; default: the inventory credential's." },
  password: { type: 'string', secret: true, description: 'Password for a host outside the inventory.' },
  private_key: { type: 'string', secret: true, description: 'Private key (the key text, not a path) for a host outside the inventory.' },
  passphrase: { type: 'string', secret: true, description: 'Passphrase of private_key.' },
  credential: { type: 'string', description: 'netreflex: a stored credential (netreflex credential set) for hosts outside the inventory.' },
  port: { type: 'integer', default: 22, description: 'SSH port for hosts outside the inventory without `:port`.' },
  parallel: { type: 'boolean', default: true, description: 'Run on all hosts at once (false: one after another).' },
  cwd: { type: 'string', description: 'Remote working directory.' },
  env: { type: 'object', description: 'Environment variables set for the remote command.' },
  dir: { type: 'string', default: '/tmp', description: 'Remote folder scripts are copied to (remote-shell-script).' },
  kwarg_op: { type: 'string', default: '--', description: 'Prefix of named script arguments ("--" or "-").' },
  timeout: { type: 'integer', default: 60, description: 'Seconds before the command is stopped on a host.' },
  sudo: { type: 'boolean', default: false, description: 'Not supported by netreflex: refused when true.' },
  sudo_password: { type: 'string', secret: true, description: 'Not supported by netreflex.' },
  bastion_host: { type: 'string', description: 'Not supported by netreflex: refused when set.' },
};

export const REMOTE_SHELL_CMD_RUNNER: RunnerDeclaration = {
  runnerType: 'remote-shell-cmd',
  aliases: [],
  parameters: { cmd: { type: 'string', description: "Command line run by the remote user's shell." }, ...REMOTE_COMMON },
};

export const REMOTE_SHELL_SCRIPT_RUNNER: RunnerDeclaration = { runnerType: 'remote-shell-script', aliases: [], parameters: REMOTE_COMMON };
