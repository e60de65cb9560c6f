import { NrxError, describeError } from '../../core/errors.js';
import type { ActionSpec, ParamSpec, Runner, RunContext, RunnerDeclaration, RunResultOk } from '../action.js';
import { openSnmp } from '../../../drivers/access/open.js';
import type { EndpointResolver } from '../../../drivers/access/targets.js';
import type { SnmpSession, SnmpSetValue, SnmpValue } from '../../../drivers/contract/snmp.js';

/**
 * The `snmp` runner: get / getnext / walk / bulkwalk / set on one inventory device, with the
 * device's SNMP credentials (v2c community or v3 user) from the resolver. The result is
 * `{device, operation, values: [{oid, name, type, value, label?}]}`; Counter64 values are
 * decimal strings (see drivers/transports/snmp-values.ts).
 */

const OPERATIONS = ['get', 'getnext', 'walk', 'bulkwalk', 'set'] as const;
type Operation = (typeof OPERATIONS)[number];

export const SNMP_RUNNER_PARAMETERS: Readonly<Record<string, ParamSpec>> = {
  device: { type: 'string', required: true, description: 'Inventory name of the device.' },
  operation: { type: 'string', default: 'get', enum: [...OPERATIONS], description: 'SNMP operation.' },
  oids: {
    type: 'array',
    items: { type: 'string' },
    description: 'Object names (ifOperStatus, sysName.0, IF-MIB::ifDescr) or numeric OIDs; walks take the first.',
  },
  values: { type: 'array', description: 'set: [{oid, type (Integer|OctetString|ObjectIdentifier|IpAddress|Counter32|Gauge32|TimeTicks), value}].' },
  max_repetitions: { type: 'integer', default: 25, description: 'bulkwalk: rows per GetBulk request.' },
  timeout: { type: 'integer', default: 2, description: 'Seconds per attempt.' },
  retries: { type: 'integer', default: 1, description: 'Extra attempts after a timeout.' },
};

export const SNMP_RUNNER: RunnerDeclaration = { runnerType: 'snmp', aliases: [], parameters: SNMP_RUNNER_PARAMETERS };

export class SnmpRunner implements Runner {
  readonly runnerType = SNMP_RUNNER.runnerType;
  readonly aliases = SNMP_RUNNER.aliases;
  readonly parameters = SNMP_RUNNER.parameters;

  constructor(private readonly devices: EndpointResolver) {}

  async run(action: ActionSpec, params: Record<string, unknown>, ctx: RunContext): Promise<RunResultOk> {
    const device = typeof params.device === 'string' ? params.device : '';
    const operation = (typeof params.operation === 'string' ? params.operation : 'get') as Operation;
    let client: SnmpSession | undefined;
    try {
      if (!device) throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: parameter 'device' is required`, { location: { field: 'device' } });
      if (!OPERATIONS.includes(operation))
        throw new NrxError('NRX_ERR_PARAM_INVALID', `action ${action.ref}: unknown SNMP operation '${operation}' (one of ${OPERATIONS.join(', ')})`, {
          location: { field: 'operation' },
        });
      const conn = await this.devices.resolve(device);
      client = openSnmp(conn, {
        timeoutMs: (typeof params.timeout === 'number' && params.timeout > 0 ? params.timeout : 2) * 1000,
        retries: typeof params.retries === 'number' && params.retries >= 0 ? params.retries : 1,
        missing: () => new NrxError('NRX_ERR_PARAM_INVALID', `device ${device} has no SNMP credentials in the inventory`, { location: { field: 'device' } }),
      });
      const values = await abortable(this.perform(client, operation, params), ctx.signal, device);
      ctx.log(`${device}: SNMP ${operation}: ${values.length} value(s)`);
      return { status: 'succeeded', result: { device, operation, values } };
    } catch (e) {
      const err = describeError(e);
      return {
        status: err.code === 'NRX_ERR_SNMP_TIMEOUT' ? 'timeout' : 'failed',
        result: { device, operation },
        error: { code: err.code, message: err.message },
      };
    } finally {
      client?.close();
    }
  }

  private perform(c: SnmpSession, op: Operation, p: Record<string, unknown>): Promise<SnmpValue[]> {
    const oids = Array.isArray(p.oids) ? p.oids.map(String) : typeof p.oids === 'string' ? [p.oids] : [];
    if (op !== 'set' && oids.length === 0) throw new NrxError('NRX_ERR_PARAM_INVALID', `SNMP ${op} needs parameter 'oids'`, { location: { field: 'oids' } });
    switch (op) {
      case 'get':
        return c.get(oids);
      case 'getnext':
        return c.getNext(oids);
      case 'walk':
        return c.walk(oids[0]!);
      case 'bulkwalk':
        return c.bulkWalk(oids[0]!, typeof p.max_repetitions === 'number' ? p.max_repetitions : 25);
      case 'set': {
        if (!Array.isArray(p.values) || p.values.length === 0)
          throw new NrxError('NRX_ERR_PARAM_INVALID', "SNMP set needs parameter 'values' [{oid, type, value}]", { location: { field: 'values' } });
        return c.set(p.values as SnmpSetValue[]);
      }
    }
  }
}

/** net-snmp requests cannot be withdrawn; on cancel the runner stops waiting and closes the session. */
function abortable<T>(p: Promise<T>, signal: AbortSignal, device: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new NrxError('NRX_ERR_CANCELED', `${device}: SNMP request canceled`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new NrxError('NRX_ERR_CANCELED', `${device}: SNMP request canceled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
