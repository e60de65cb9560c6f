/**
 * The NETCONF session contract (RFC 6241 base operations): what runners may ask of a device.
 * An rpc-error is an NrxError NRX_ERR_NETCONF_RPC carrying the errors; a lost or timed-out
 * session is NRX_ERR_CONNECTION_LOST / NRX_ERR_DEVICE_TIMEOUT.
 */

export const CAP_BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const CAP_BASE_11 = 'urn:ietf:params:netconf:base:1.1';
export const CAP_CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';
export const CAP_CONFIRMED_COMMIT = 'urn:ietf:params:netconf:capability:confirmed-commit:1.1';
export const CAP_VALIDATE = 'urn:ietf:params:netconf:capability:validate:1.1';
export const CAP_XPATH = 'urn:ietf:params:netconf:capability:xpath:1.0';

export type Datastore = 'running' | 'candidate' | 'startup';

/** A subtree filter (XML), or an XPath expression (needs the :xpath capability). */
export type Filter = { subtree: string } | { xpath: string; namespaces?: Record<string, string> };

export type DefaultOperation = 'merge' | 'replace' | 'none';
export type TestOption = 'test-then-set' | 'set' | 'test-only';
export type ErrorOption = 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';

export interface EditConfigOptions {
  target?: Datastore;
  /** How elements without their own nc:operation attribute are applied (server default: merge). */
  defaultOperation?: DefaultOperation;
  testOption?: TestOption;
  errorOption?: ErrorOption;
}

export interface CommitOptions {
  /** A confirmed commit: rolled back unless confirmed by another commit within confirmTimeoutS. */
  confirmed?: boolean;
  /** Seconds before an unconfirmed commit is rolled back (server default 600). */
  confirmTimeoutS?: number;
  /** Let the confirmed commit survive the end of this session; a later confirm names this token. */
  persist?: string;
  /** Confirm (or cancel) a persistent confirmed commit from another session. */
  persistId?: string;
}

/** One rpc-error as RFC 6241 section 4.3 defines it. */
export interface RpcError {
  type: string;
  tag: string;
  severity: string;
  appTag?: string;
  path?: string;
  message?: string;
  /** error-info children, parsed. */
  info?: unknown;
}

export interface RpcReply {
  messageId: string | null;
  /** `<ok/>` was present. */
  ok: boolean;
  /** Errors and warnings; a reply with any severity=error becomes an NrxError in the session. */
  errors: RpcError[];
  /** Inner XML of `<data>`, when the reply has one. */
  dataXml: string | null;
  /** The whole reply as received. */
  xml: string;
  /** The whole reply, parsed (namespace prefixes removed, attributes as `@_name`). */
  parsed: Record<string, unknown>;
}

export interface RpcOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Result of get / get-config: the `<data>` content as XML and parsed (prefixes removed). */
export interface NetconfData {
  xml: string;
  data: Record<string, unknown>;
}

export interface NetconfSession {
  /** Names the device in errors. */
  readonly device: string;
  readonly capabilities: readonly string[];
  readonly sessionId: number | null;
  /** base:1.0 end-of-message or base:1.1 chunked, as both hellos settled it. */
  readonly framing: 'eom' | 'chunked';
  readonly closed: boolean;
  hasCapability(uriPrefix: string): boolean;
  /** Any RPC body (the XML inside `<rpc>`). */
  rpc(body: string, operation?: string, opts?: RpcOptions): Promise<RpcReply>;
  get(filter?: Filter, opts?: RpcOptions): Promise<NetconfData>;
  getConfig(source?: Datastore, filter?: Filter, opts?: RpcOptions): Promise<NetconfData>;
  editConfig(config: string, options?: EditConfigOptions, opts?: RpcOptions): Promise<RpcReply>;
  lock(target?: Datastore, opts?: RpcOptions): Promise<RpcReply>;
  unlock(target?: Datastore, opts?: RpcOptions): Promise<RpcReply>;
  commit(options?: CommitOptions, opts?: RpcOptions): Promise<RpcReply>;
  cancelCommit(persistId?: string, opts?: RpcOptions): Promise<RpcReply>;
  discardChanges(opts?: RpcOptions): Promise<RpcReply>;
  validate(source?: Datastore | { config: string }, opts?: RpcOptions): Promise<RpcReply>;
  /** close-session, then end the transport; safe twice or on a dead session. */
  close(timeoutMs?: number): Promise<void>;
}
