import type { ParamSpec } from '../action.js';
import { DEVICE_RUNNER_PARAMETERS } from './cli-device.js';
import { NETCONF_RUNNER_PARAMETERS } from './netconf.js';
import { SNMP_RUNNER_PARAMETERS } from './snmp.js';
import { FAN_OUT_PARAMETERS } from './fan-out-runner.js';
import { REMOTE_SHELL_PARAMETERS } from './remote-shell-parameters.js';

const withFanOut = (params: Readonly<Record<string, ParamSpec>>): Record<string, ParamSpec> => ({ ...params, ...FAN_OUT_PARAMETERS });

/**
 * Parameters every action of a runner accepts, as StackStorm's runner.yaml declares them.
 * An action's own parameter of the same name overrides attributes field by field (core.local
 * writes `sudo: {immutable: true}` and inherits type and default from here).
 */

const SHELL_COMMON: Record<string, ParamSpec> = {
  cwd: { type: 'string', description: 'Working directory of the command.' },
  env: { type: 'object', description: 'Extra environment variables for the command.' },
  kwarg_op: { type: 'string', default: '--', description: 'Prefix of named arguments passed to a script ("--" or "-").' },
  sudo: { type: 'boolean', default: false, description: 'Not supported by netreflex: refused when true.' },
  sudo_password: { type: 'string', default: null, secret: true, description: 'Not supported by netreflex.' },
  timeout: { type: 'integer', default: 60, description: 'Seconds before the command is killed.' },
};

export const RUNNER_PARAMETERS: Readonly<Record<string, Readonly<Record<string, ParamSpec>>>> = {
  cli: withFanOut(DEVICE_RUNNER_PARAMETERS.cli!),
  'cli-config': withFanOut(DEVICE_RUNNER_PARAMETERS['cli-config']!),
  getter: withFanOut(DEVICE_RUNNER_PARAMETERS.getter!),
  netconf: withFanOut(NETCONF_RUNNER_PARAMETERS),
  snmp: withFanOut(SNMP_RUNNER_PARAMETERS),
  'local-shell-cmd': {
    cmd: { type: 'string', description: 'Command line run under /bin/sh -c.' },
    ...SHELL_COMMON,
  },
  'local-shell-script': SHELL_COMMON,
  'http-request': {
    url: { type: 'string', required: true, description: 'URL of the HTTP endpoint.' },
    method: { type: 'string', default: 'GET', enum: ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'PURGE'] },
    headers: { type: 'object', description: 'Request headers.' },
    body: { type: 'string', description: 'Request body, sent as is.' },
    json: { description: 'Request body sent as JSON (any type); sets Content-Type.' },
    params: { type: 'object', description: 'Query parameters appended to the URL.' },
    cookies: { type: 'object', description: 'Cookies sent with the request.' },
    username: { type: 'string', description: 'User for basic authentication.' },
    password: { type: 'string', secret: true, description: 'Password for basic authentication.' },
    timeout: { type: 'number', default: 60, description: 'Seconds before the request is abandoned.' },
    allow_redirects: { type: 'boolean', default: false, description: 'Follow 3xx redirects.' },
    verify_ssl_cert: { type: 'boolean', default: true, description: 'Verify the server certificate.' },
  },
  module: {
    timeout: { type: 'integer', default: 600, description: 'Seconds before the action is abandoned.' },
  },
  javascript: {
    timeout: { type: 'integer', default: 600, description: 'Seconds before the action is abandoned.' },
  },
  noop: {},
  'python-script': {
    env: { type: 'object', description: 'Extra environment variables for the Python process.' },
    timeout: { type: 'integer', default: 600, description: 'Seconds before the Python process is killed.' },
    log_level: { type: 'string', default: 'DEBUG', enum: ['AUDIT', 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'], description: 'Level of self.logger.' },
    debug: { type: 'boolean', default: false, description: 'Accepted for StackStorm compatibility; no effect.' },
    content_version: { type: 'string', description: 'Not supported by netreflex (git worktrees of packs); ignored.' },
  },
  ...REMOTE_SHELL_PARAMETERS,
  announcement: {
    experimental: { type: 'boolean', default: false, required: true, description: 'StackStorm requires true to acknowledge the runner is experimental.' },
    route: { type: 'string', default: 'general', minLength: 1, maxLength: 255, description: 'Where the announcement goes (the event payload carries it).' },
  },
  'action-chain': {
    display_published: { type: 'boolean', default: true },
    skip_notify: { type: 'array', default: [] },
  },
  orquesta: {
    notify: { type: 'array', default: [] },
  },
  inquiry: {
    schema: {
      type: 'object',
      required: true,
      default: { title: 'response_data', type: 'object', properties: { continue: { type: 'boolean', description: 'Would you like to continue the workflow?', required: true } } },
      description: 'JSON schema the response must match.',
    },
    route: { type: 'string', default: '', description: 'Free-form value rules use to pick a notification channel.' },
    users: { type: 'array', default: [], description: 'Users allowed to respond (empty: anyone).' },
    roles: { type: 'array', default: [], description: 'Roles allowed to respond (empty: anyone).' },
    ttl: { type: 'integer', default: 1440, description: 'Minutes before an unanswered inquiry times out.' },
  },
};

/** The workflow and inquiry runners the engine runs itself (not Runner implementations). */
export const ENGINE_RUNNERS: readonly string[] = ['action-chain', 'orquesta', 'inquiry', 'inquirer'];

// the workflow driver owns which runner types it conducts
export { WORKFLOW_RUNNERS } from '../../workflows/driver.js';

/** StackStorm spellings accepted for the same runner. */
export const RUNNER_ALIASES: Readonly<Record<string, string>> = { inquirer: 'inquiry', orchestra: 'orquesta', javascript: 'module' };

export function runnerParameters(runnerType: string): Readonly<Record<string, ParamSpec>> {
  return RUNNER_PARAMETERS[runnerType] ?? RUNNER_PARAMETERS[RUNNER_ALIASES[runnerType] ?? ''] ?? {};
}
