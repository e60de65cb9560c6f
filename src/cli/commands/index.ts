import type { Command } from 'commander';

/** Adds one module's commands to the program. */
export type Register = (program: Command) => unknown;

/**
 * One top-level command (or a few that live in one module): the names and the one-line
 * summary `netreflex --help` lists, and how to load the module. Modules load only when their
 * command runs, so `netreflex parse` does not pay for the API server, the store or SSH.
 * A new command is one line here.
 */
export interface CommandEntry {
  /** The top-level commands this module registers; help lists the first with the summary. */
  names: string[];
  aliases?: string[];
  summary: string;
  load: () => Promise<Register>;
}

export const COMMANDS: CommandEntry[] = [
  { names: ['serve'], summary: 'run the appliance: rules, workflows, sensors and the REST API', load: async () => (await import('./serve.js')).registerServe },
  {
    names: ['login', 'logout', 'whoami'],
    summary: 'log in to an appliance, log out, show who you are',
    load: async () => (await import('./login.js')).registerLogin,
  },
  { names: ['run'], summary: 'run an action or workflow and show its output', load: async () => (await import('./run.js')).registerRun },
  {
    names: ['inventory'],
    summary: 'devices: list, show, add, remove, import, export, preview a filter',
    load: async () => (await import('./inventory.js')).registerInventory,
  },
  {
    names: ['execution'],
    aliases: ['ex'],
    summary: 'executions: list, get, tail, cancel, pause, resume, rerun',
    load: async () => (await import('./execution.js')).registerExecution,
  },
  { names: ['event'], summary: 'events: emit, list, get, tail', load: async () => (await import('./event.js')).registerEvent },
  { names: ['rule'], summary: 'rules: list, get, enable, disable, test', load: async () => (await import('./rule.js')).registerRule },
  { names: ['trigger'], summary: 'trigger types rules can match', load: async () => (await import('./trigger.js')).registerTrigger },
  { names: ['key'], summary: 'datastore keys: set, get, list, delete', load: async () => (await import('./key.js')).registerKey },
  { names: ['pack'], summary: 'packs: list, install, remove', load: async () => (await import('./pack.js')).registerPack },
  { names: ['inquiry'], summary: 'workflows waiting for a human answer', load: async () => (await import('./inquiry.js')).registerInquiry },
  {
    names: ['credential'],
    summary: 'device credentials in the encrypted secret store (data directory)',
    load: async () => (await import('./credential.js')).registerCredential,
  },
  { names: ['action'], summary: 'actions and workflows: list, get (parameters)', load: async () => (await import('./action.js')).registerAction },
  { names: ['user'], summary: 'users and roles: add, list, passwd, rm', load: async () => (await import('./user.js')).registerUser },
  { names: ['apikey'], summary: 'API keys: create, list, revoke', load: async () => (await import('./apikey.js')).registerApiKey },
  { names: ['webhook'], summary: 'webhooks: create, list, rm', load: async () => (await import('./webhook.js')).registerWebhook },
  { names: ['cluster'], summary: 'nodes of a distributed appliance: status', load: async () => (await import('./cluster.js')).registerCluster },
  { names: ['exec'], summary: 'run a command or getter on devices from the inventory', load: async () => (await import('./exec.js')).registerExec },
  { names: ['parse'], summary: 'parse saved device output and print JSON', load: async () => (await import('./parse.js')).registerParse },
  { names: ['decode'], summary: 'decode captured syslog, traps or sFlow offline', load: loadDecode },
  { names: ['completion'], summary: 'print a shell completion script', load: async () => (await import('./completion.js')).registerCompletion },
];

async function loadDecode(): Promise<Register> {
  const [decode, sflowTrap] = await Promise.all([import('./decode.js'), import('./decode-sflow-trap.js')]);
  return (program) => sflowTrap.registerDecodeSflowTrap(decode.registerDecode(program));
}

export function commandEntry(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.names.includes(name) || c.aliases?.includes(name));
}
