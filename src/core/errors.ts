/**
 * One catalogue of stable error codes. Every code has an HTTP status, whether a retry
 * may help, and a one-line meaning; README.md documents each (a test checks that).
 */
export const ERROR_CATALOGUE = {
  NRX_ERR_CONFIG: { status: 500, retryable: false, meaning: 'configuration is invalid (flag, environment variable or config file)' },
  NRX_ERR_YAML_SYNTAX: { status: 400, retryable: false, meaning: 'a YAML file cannot be parsed; the message names file and line' },
  NRX_ERR_SPEC_INVALID: {
    status: 400,
    retryable: false,
    meaning: 'a pack, action, rule, policy or workflow file is well-formed YAML but breaks the schema; names file, line and field',
  },
  NRX_ERR_RULE_INVALID: { status: 400, retryable: false, meaning: 'a rule is invalid (unknown operator, missing trigger type or action)' },
  NRX_ERR_TEMPLATE: {
    status: 400,
    retryable: false,
    meaning: 'a Jinja template failed to compile or render, or a TextFSM template or index is invalid (names file and line)',
  },
  NRX_ERR_CRITERIA: { status: 400, retryable: false, meaning: 'a rule criterion could not be evaluated (operator error, bad search condition)' },
  NRX_ERR_TRIGGER_UNKNOWN: { status: 404, retryable: false, meaning: 'no trigger type with that reference is registered' },
  NRX_ERR_PAYLOAD_INVALID: { status: 400, retryable: false, meaning: 'an event payload does not match its trigger type schema' },
  NRX_ERR_ACTION_NOT_FOUND: { status: 404, retryable: false, meaning: 'no action with that reference is loaded' },
  NRX_ERR_RUNNER_NOT_FOUND: { status: 400, retryable: false, meaning: 'the action names a runner_type this appliance does not have' },
  NRX_ERR_PARAM_INVALID: { status: 400, retryable: false, meaning: 'action parameters are missing, of the wrong type, or override an immutable parameter' },
  NRX_ERR_EXECUTION_NOT_FOUND: { status: 404, retryable: false, meaning: 'no execution with that id' },
  NRX_ERR_INVALID_STATE: {
    status: 409,
    retryable: false,
    meaning: "the operation does not apply in the execution's current status (e.g. resume a running workflow)",
  },
  NRX_ERR_RUNNER_FAILED: { status: 500, retryable: true, meaning: 'the runner could not start or crashed (not the same as the action reporting failure)' },
  NRX_ERR_TIMEOUT: { status: 504, retryable: true, meaning: 'an action or task ran past its timeout' },
  NRX_ERR_ABANDONED: { status: 500, retryable: false, meaning: 'a non-idempotent task was in flight when the appliance stopped; it was not re-run' },
  NRX_ERR_CANCELED: { status: 409, retryable: false, meaning: 'the execution was canceled' },
  NRX_ERR_DEVICE_LOCKED: { status: 409, retryable: true, meaning: 'another workflow holds the device lock and the policy says fail' },
  NRX_ERR_CONCURRENCY: { status: 429, retryable: true, meaning: "the action's concurrency limit is reached and the policy says cancel" },
  NRX_ERR_WORKFLOW: { status: 400, retryable: false, meaning: 'a workflow failed at run time (bad expression, unknown task, missing input)' },
  NRX_ERR_WORKFLOW_RUNAWAY: {
    status: 400,
    retryable: false,
    meaning: 'a workflow started more action runs than its limit (NETREFLEX_WORKFLOW_MAX_TASKS, default 10,000): a loop that does not end',
  },
  NRX_ERR_STORE: { status: 500, retryable: true, meaning: 'the state store failed (disk full, locked database, migration)' },
  NRX_ERR_NOT_OWNER: {
    status: 409,
    retryable: false,
    meaning: 'another node took this execution over (this node was taken for dead): this node stops running it and writes nothing more of it',
  },
  NRX_ERR_PACK_CONFIG_MISSING: {
    status: 400,
    retryable: false,
    meaning: "a pack's config lacks a required value; names the pack, the key and how to set it (CLI, API or configs/<pack>.yaml)",
  },
  NRX_ERR_PACK_CONFIG_INVALID: {
    status: 400,
    retryable: false,
    meaning:
      "a pack config value does not fit the pack's config.schema.yaml (unknown option, wrong type, not in enum); names the pack and key, never the value",
  },
  NRX_ERR_TICKET: {
    status: 502,
    retryable: false,
    meaning: 'a ticket system (Redmine, Jira, ServiceNow) refused or failed a request; names the system, the request and its answer',
  },
  NRX_ERR_HTTP: { status: 502, retryable: true, meaning: 'an http-request action could not reach its URL' },
  NRX_ERR_UPLOAD: {
    status: 502,
    retryable: true,
    meaning: 'a file upload (SFTP, HTTP PUT) failed: server unreachable, login or write refused, or an error answer; names the server and the step',
  },
  NRX_ERR_VNI_EXHAUSTED: { status: 409, retryable: false, meaning: "every VNI in the openstack pack's vni_range is allocated; names the range" },
  NRX_ERR_USAGE: { status: 400, retryable: false, meaning: 'a command-line argument is missing or malformed' },
  NRX_ERR_BUS: {
    status: 503,
    retryable: true,
    meaning:
      'the event bus (in-process, or NATS JetStream with --bus) refused the operation: closed or unreachable, a publish refused, or a group already has a subscriber here',
  },
  NRX_ERR_SECRET: {
    status: 500,
    retryable: false,
    meaning: 'a secret cannot be encrypted or decrypted: key file missing, unreadable or with unsafe permissions, wrong key, or tampered ciphertext',
  },
  NRX_ERR_KV_INVALID: { status: 400, retryable: false, meaning: 'a datastore scope, key, TTL or credential is malformed (names the field, never the value)' },
  NRX_ERR_VALIDATION: { status: 400, retryable: false, meaning: "an API request does not match the route's schema (params, query or body); names the field" },
  NRX_ERR_UNAUTHORIZED: {
    status: 401,
    retryable: false,
    meaning: 'no valid credential: missing, unknown, revoked or expired API key or token, or a wrong password',
  },
  NRX_ERR_THROTTLED: {
    status: 429,
    retryable: true,
    meaning: 'too many failed logins for this user name or from this address; the Retry-After header says when to try again',
  },
  NRX_ERR_FORBIDDEN: { status: 403, retryable: false, meaning: 'the credential is valid but its role or grants (packs, inventory filter) do not allow this' },
  NRX_ERR_LDAP_UNREACHABLE: {
    status: 503,
    retryable: true,
    meaning: 'the LDAP directory for directory logins cannot be reached, or its TLS certificate is not trusted (names the URL and why)',
  },
  NRX_ERR_LDAP_NO_ROLE: {
    status: 403,
    retryable: false,
    meaning: 'the directory accepted the password but the user is in none of the groups ldap.yaml maps to a role',
  },
  NRX_ERR_NOT_FOUND: { status: 404, retryable: false, meaning: 'no such resource (rule, user, API key, pack, host, key or route)' },
  NRX_ERR_CONFLICT: { status: 409, retryable: false, meaning: 'the resource already exists or is owned elsewhere (a rule from a pack file, a shipped pack)' },
  NRX_ERR_INTERNAL: {
    status: 500,
    retryable: false,
    meaning:
      'an unexpected exception no part of netreflex classified (a bug, or a library or system fault without its own code); the message and the log have the details',
  },
  NRX_ERR_API_UNREACHABLE: {
    status: 503,
    retryable: true,
    meaning: 'the CLI cannot reach the appliance API (not running, wrong NETREFLEX_URL, or an answer that is not the API)',
  },
  NRX_ERR_PACK_INSTALL: {
    status: 400,
    retryable: false,
    meaning: 'a pack could not be installed: the source cannot be copied or cloned, or the pack does not load',
  },
  // Device drivers (CLI over SSH): infrastructure failures. A command the device rejects is not one of these.
  NRX_ERR_AUTH: { status: 502, retryable: false, meaning: 'the device refused the credentials (names device and user)' },
  NRX_ERR_DEVICE_UNREACHABLE: { status: 502, retryable: true, meaning: 'no connection to the device could be opened (refused, no route, DNS)' },
  NRX_ERR_DEVICE_TIMEOUT: {
    status: 504,
    retryable: true,
    meaning: 'the device did not answer in time (connect, prompt or a command; names device and command)',
  },
  NRX_ERR_HOSTKEY_MISMATCH: {
    status: 502,
    retryable: false,
    meaning: 'the device presented a host key different from the known-hosts entry; both fingerprints are shown',
  },
  NRX_ERR_HOSTKEY_UNKNOWN: { status: 502, retryable: false, meaning: 'the device has no known-hosts entry and trust-on-first-use was not asked for' },
  NRX_ERR_CONNECTION_LOST: { status: 502, retryable: true, meaning: 'the session to the device closed while a command was running' },
  NRX_ERR_UNSUPPORTED: { status: 501, retryable: false, meaning: 'the platform has no such operation or getter (names platform and operation)' },
  NRX_ERR_PARSE: {
    status: 502,
    retryable: false,
    meaning: 'device output could not be parsed into the model, or a TextFSM rule raised Error on it (names platform, command or template, and line)',
  },
  NRX_ERR_COMMAND_REJECTED: {
    status: 502,
    retryable: false,
    meaning: "a getter or commit needed a command the device rejected; names device, command and the device's words",
  },
  NRX_ERR_DEVICE_NOT_FOUND: { status: 404, retryable: false, meaning: 'no inventory device with that name' },
  NRX_ERR_NOT_READ_ONLY: {
    status: 400,
    retryable: false,
    meaning: 'not a read-only show command where only those may go (log collection from a webhook or chat); names the item and why',
  },
  // NETCONF and SNMP transports (connect, auth and host-key failures use the device codes above).
  NRX_ERR_NETCONF_RPC: {
    status: 502,
    retryable: false,
    meaning: 'the NETCONF server answered an RPC with rpc-error; carries error-tag, error-type, error-path and error-message',
  },
  NRX_ERR_NETCONF_FRAMING: {
    status: 502,
    retryable: true,
    meaning: 'a NETCONF message broke 1.0 end-of-message or 1.1 chunked framing, or was not a NETCONF reply; names the byte offset',
  },
  NRX_ERR_SNMP_TIMEOUT: { status: 504, retryable: true, meaning: 'the SNMP agent did not answer in time (names agent, operation and OID)' },
  NRX_ERR_SNMP_AUTH: {
    status: 502,
    retryable: false,
    meaning: 'the SNMP agent refused the community or v3 credentials (unknown user, wrong digest, decryption failed)',
  },
  NRX_ERR_SNMP_ERROR: {
    status: 502,
    retryable: false,
    meaning: 'the SNMP agent answered with an error status (noSuchName, notWritable, wrongType...) naming the OID',
  },
  NRX_ERR_INVENTORY_INVALID: {
    status: 400,
    retryable: false,
    meaning: 'an inventory host, group or defaults entry breaks the schema (unknown group, group cycle, plain-text password); names file, line, host and field',
  },
  NRX_ERR_FILTER_INVALID: { status: 400, retryable: false, meaning: 'an inventory filter expression cannot be parsed; the message names the position' },
  // Sensors: bytes from the network (sFlow XDR, SNMP BER, pcap files) that cannot be decoded.
  NRX_ERR_DECODE: {
    status: 400,
    retryable: false,
    meaning: 'received bytes (syslog message, sFlow datagram, SNMP trap, pcap file) are malformed or truncated; names what and where (byte offset, field)',
  },
  // ChatOps: chat commands matched against action aliases, chat servers and webhooks.
  NRX_ERR_ALIAS_NO_MATCH: { status: 404, retryable: false, meaning: 'a chat command matches no action alias format; names the command' },
  NRX_ERR_ALIAS_AMBIGUOUS: {
    status: 409,
    retryable: false,
    meaning: 'a chat command matches the formats of more than one action alias; names each alias and format',
  },
  NRX_ERR_CHAT: {
    status: 502,
    retryable: true,
    meaning: 'a chat server or chat webhook refused or failed (connect, login, post); names the server or webhook host and its answer',
  },
  NRX_ERR_CHAT_DOWN: {
    status: 503,
    retryable: true,
    meaning: 'the chat bot is not connected to its chat server (it reconnects); an announcement on a cluster bus waits and is posted once it is',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Where in operator-authored content an error was found. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export class NrxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { location?: ErrorLocation; details?: Record<string, unknown>; cause?: unknown } = {}) {
    const loc = opts.location ?? {};
    super(formatMessage(message, loc), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'NrxError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.location = loc;
    this.details = opts.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...this.location,
      ...(Object.keys(this.details).length ? { details: this.details } : {}),
    };
  }
}

function formatMessage(message: string, loc: ErrorLocation): string {
  const where = [loc.file, loc.line !== undefined ? `line ${loc.line}` : undefined, loc.field ? `field '${loc.field}'` : undefined].filter(Boolean).join(', ');
  return where ? `${where}: ${message}` : message;
}

export function isNrxError(e: unknown): e is NrxError {
  return e instanceof NrxError;
}

/**
 * A plain, serialisable description of any thrown value. Anything not an NrxError was not
 * classified by the code that threw it: NRX_ERR_INTERNAL, as the catalogue says, never a
 * runner failure (which would claim a retry may help).
 */
export function describeError(e: unknown): { code: string; message: string; retryable: boolean } {
  if (e instanceof NrxError) return { code: e.code, message: e.message, retryable: e.retryable };
  const retryable = ERROR_CATALOGUE.NRX_ERR_INTERNAL.retryable;
  if (e instanceof Error) return { code: 'NRX_ERR_INTERNAL', message: e.message, retryable };
  return { code: 'NRX_ERR_INTERNAL', message: String(e), retryable };
}
