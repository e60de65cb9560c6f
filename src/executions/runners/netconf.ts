import { NrxError, describeError, isNrxError } from '../../core/errors.js';
import type { ActionSpec, ParamSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { openNetconf } from '../../../drivers/access/open.js';
import type { EndpointResolver } from '../../../drivers/access/targets.js';
import { CAP_CANDIDATE, type Datastore, type DefaultOperation, type Filter, type NetconfSession } from '../../../drivers/contract/netconf.js';

/**
 * The `netconf` runner: one NETCONF operation (or a whole edit -> commit cycle) on one device
 * named in the inventory. Failures are data on the result (code + message), as for every
 * runner; the rpc-error's tag and path are kept in `result.errors`.
 */

const OPERATIONS = ['get', 'get-config', 'edit-config', 'commit', 'cancel-commit', 'discard-changes', 'validate', 'lock', 'unlock', 'rpc'] as const;
type Operation = (typeof OPERATIONS)[number];

export const NETCONF_RUNNER_PARAMETERS: Readonly<Record<string, ParamSpec>> = {
  device: { type: 'string', required: true, description: 'Inventory name of the device.' },
  operation: { type: 'string', default: 'get-config', enum: [...OPERATIONS], description: 'NETCONF operation.' },
  source: { type: 'string', default: 'running', enum: ['running', 'candidate', 'startup'], description: 'Datastore read by get-config and validate.' },
  target: {
    type: 'string',
    enum: ['running', 'candidate', 'startup'],
    description: 'Datastore edit-config/lock/unlock act on; default candidate when the device has one, else running.',
  },
  filter: { type: 'string', description: 'Subtree filter (XML) for get and get-config.' },
  xpath: { type: 'string', description: 'XPath filter for get and get-config (device needs :xpath).' },
  namespaces: { type: 'object', description: 'Prefix -> namespace URI for the XPath filter.' },
  config: {
    type: 'string',
    description: 'edit-config: the XML inside <config>; nc:operation="merge|replace|create|delete|remove" may be used on any element.',
  },
  default_operation: { type: 'string', enum: ['merge', 'replace', 'none'], description: 'edit-config default-operation.' },
  commit: { type: 'boolean', default: true, description: 'edit-config on candidate: lock, edit, commit, unlock (discard and unlock on failure).' },
  validate: {
    type: 'boolean',
    default: false,
    description: 'edit-config on candidate: validate the edited config between edit and commit (a refusal discards and unlocks, nothing is committed).',
  },
  confirmed: { type: 'boolean', default: false, description: 'Commit as a confirmed commit.' },
  confirm_timeout: { type: 'integer', description: 'Seconds before an unconfirmed commit rolls back.' },
  persist: { type: 'string', description: 'Confirmed commit persist token.' },
  persist_id: { type: 'string', description: 'Confirm or cancel a persistent confirmed commit.' },
  rpc: { type: 'string', description: 'operation rpc: the XML inside <rpc>.' },
  timeout: { type: 'integer', default: 60, description: 'Seconds per NETCONF operation.' },
};

export const NETCONF_RUNNER: RunnerDeclaration = { runnerType: 'netconf', aliases: [], parameters: NETCONF_RUNNER_PARAMETERS };

export class NetconfRunner implements Runner {
  readonly runnerType = NETCONF_RUNNER.runnerType;
  readonly aliases = NETCONF_RUNNER.aliases;
  readonly parameters = NETCONF_RUNNER.parameters;

  constructor(private readonly devices: EndpointResolver) {}

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    const device = str(params.device);
    const operation = (str(params.operation) ?? 'get-config') as Operation;
    if (!device) return failed('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'device' is required`);
    if (!OPERATIONS.includes(operation))
      return failed('NRX_ERR_PARAM_INVALID', `action ${action.ref}: unknown NETCONF operation '${operation}' (one of ${OPERATIONS.join(', ')})`);
    const timeoutMs = (typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout : 60) * 1000;
    let session: NetconfSession | undefined;
    try {
      const conn = await this.devices.resolve(device);
      session = await openNetconf(conn, { rpcTimeoutMs: timeoutMs });
      ctx.log(`${device}: NETCONF session ${session.sessionId ?? '?'} (${session.framing === 'chunked' ? 'base:1.1' : 'base:1.0'})`);
      const result = await this.perform(session, operation, params, { signal: ctx.signal, timeoutMs });
      ctx.log(`${device}: ${operation} ok`);
      return { status: 'succeeded', result: { device, operation, ...result } };
    } catch (e) {
      const err = describeError(e);
      const errors = isNrxError(e) && Array.isArray(e.details.errors) ? e.details.errors : undefined;
      return {
        status: err.code === 'NRX_ERR_DEVICE_TIMEOUT' ? 'timeout' : 'failed',
        result: { device, operation, ...(errors ? { errors } : {}) },
        error: { code: err.code, message: err.message },
      };
    } finally {
      await session?.close().catch(() => undefined);
    }
  }

  private async perform(
    s: NetconfSession,
    op: Operation,
    p: Record<string, unknown>,
    opts: { signal: AbortSignal; timeoutMs: number },
  ): Promise<Record<string, unknown>> {
    const target = (str(p.target) ?? (s.hasCapability(CAP_CANDIDATE) ? 'candidate' : 'running')) as Datastore;
    const source = (str(p.source) ?? 'running') as Datastore;
    switch (op) {
      case 'get':
      case 'get-config': {
        const filter = filterOf(p);
        const d = op === 'get' ? await s.get(filter, opts) : await s.getConfig(source, filter, opts);
        return { data_xml: d.xml, data: d.data };
      }
      case 'edit-config': {
        const config = str(p.config);
        if (!config) throw new NrxError('NRX_ERR_PARAM_INVALID', "edit-config needs parameter 'config' (XML)", { location: { field: 'config' } });
        const defaultOperation = str(p.default_operation) as DefaultOperation | undefined;
        if (target !== 'candidate' || p.commit === false) {
          await s.editConfig(config, { target, ...(defaultOperation ? { defaultOperation } : {}) }, opts);
          return { target, committed: false };
        }
        // The candidate cycle: nobody else's half-made change is committed with ours.
        await s.lock('candidate', opts);
        try {
          await s.editConfig(config, { target, ...(defaultOperation ? { defaultOperation } : {}) }, opts);
          // The edit's own config is validated, not <candidate/>: yuma123's netconfd (2.13) turns the
          // next commit into a silent no-op after a <validate> of the candidate datastore.
          if (p.validate === true) await s.validate({ config }, opts);
          await s.commit(commitOptions(p), opts);
        } catch (e) {
          await s.discardChanges(opts).catch(() => undefined);
          throw e;
        } finally {
          await s.unlock('candidate', opts).catch(() => undefined);
        }
        return { target, committed: true, confirmed: p.confirmed === true, ...(p.validate === true ? { validated: true } : {}) };
      }
      case 'commit':
        await s.commit(commitOptions(p), opts);
        return { committed: true };
      case 'cancel-commit':
        await s.cancelCommit(str(p.persist_id), opts);
        return {};
      case 'discard-changes':
        await s.discardChanges(opts);
        return {};
      case 'validate':
        await s.validate(p.config ? { config: String(p.config) } : source, opts);
        return { valid: true };
      case 'lock':
      case 'unlock':
        // A lock ends with the session, so alone it only proves nobody else holds it right now.
        await (op === 'lock' ? s.lock(target, opts) : s.unlock(target, opts));
        return { target };
      case 'rpc': {
        const body = str(p.rpc);
        if (!body) throw new NrxError('NRX_ERR_PARAM_INVALID', "operation rpc needs parameter 'rpc' (XML)", { location: { field: 'rpc' } });
        const reply = await s.rpc(body, 'rpc', opts);
        return { reply_xml: reply.xml, data_xml: reply.dataXml, ok: reply.ok };
      }
    }
  }
}

function filterOf(p: Record<string, unknown>): Filter | undefined {
  const xpath = str(p.xpath);
  if (xpath) return { xpath, ...(p.namespaces && typeof p.namespaces === 'object' ? { namespaces: p.namespaces as Record<string, string> } : {}) };
  const subtree = str(p.filter);
  return subtree ? { subtree } : undefined;
}

function commitOptions(p: Record<string, unknown>): { confirmed?: boolean; confirmTimeoutS?: number; persist?: string; persistId?: string } {
  return {
    ...(p.confirmed === true ? { confirmed: true } : {}),
    ...(typeof p.confirm_timeout === 'number' ? { confirmTimeoutS: p.confirm_timeout } : {}),
    ...(str(p.persist) ? { persist: str(p.persist) } : {}),
    ...(str(p.persist_id) ? { persistId: str(p.persist_id) } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function failed(code: string, message: string): RunResultOk {
  return { status: 'failed', result: null, error: { code, message } };
}
