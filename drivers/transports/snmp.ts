import snmp from 'net-snmp';
import type { Session, Varbind } from 'net-snmp';
import { NrxError } from '../../src/core/errors.js';
import { resolveOid, nameOfOid } from './snmp-names.js';
import type { SnmpCredentials, SnmpSession, SnmpSetValue, SnmpValue } from '../contract/snmp.js';
import { TAG_BY_TYPE, decodeVarbind } from './snmp-values.js';

/**
 * SNMP through net-snmp: get, getnext, walk (GetNext), bulkwalk (GetBulk), set; v2c and v3.
 * Objects are named from snmp-names.ts or given as numeric OIDs. Infrastructure failures
 * are NrxErrors (timeout, v3 authentication, error-status); a missing instance is data
 * (type noSuchInstance, value null).
 */

export interface SnmpTarget {
  host: string;
  port?: number;
  /** Names the device in errors; defaults to host:port. */
  device?: string;
  credentials: SnmpCredentials;
  /** Per-attempt timeout, ms (default 2000). */
  timeoutMs?: number;
  /** Extra attempts after a timeout (default 1). */
  retries?: number;
}

/** Walks stop here even if the agent keeps answering: a loop guard against broken agents. */
const MAX_WALK_ROWS = 1_000_000;

export class SnmpClient implements SnmpSession {
  readonly device: string;
  private readonly session: Session;
  private readonly target: SnmpTarget;

  constructor(target: SnmpTarget) {
    this.target = target;
    const port = target.port ?? 161;
    this.device = target.device ?? `${target.host}:${port}`;
    const options = { port, retries: target.retries ?? 1, timeout: target.timeoutMs ?? 2000, transport: 'udp4' as const, backoff: 1 };
    const c = target.credentials;
    if (c.version === 'v3') {
      const level = c.level ?? (c.privKey ? 'authPriv' : c.authKey ? 'authNoPriv' : 'noAuthNoPriv');
      this.session = snmp.createV3Session(
        target.host,
        {
          name: c.user,
          level: snmp.SecurityLevel[level],
          ...(level !== 'noAuthNoPriv' ? { authProtocol: snmp.AuthProtocols[c.authProtocol ?? 'sha'], authKey: c.authKey ?? '' } : {}),
          ...(level === 'authPriv' ? { privProtocol: snmp.PrivProtocols[c.privProtocol ?? 'aes'], privKey: c.privKey ?? '' } : {}),
        },
        { ...options, version: snmp.Version3 },
      );
    } else {
      this.session = snmp.createSession(target.host, c.community, { ...options, version: c.version === 'v1' ? snmp.Version1 : snmp.Version2c });
    }
    // A socket error with no request waiting must not crash the process.
    this.session.on('error', () => undefined);
  }

  get(oids: string[]): Promise<SnmpValue[]> {
    const numeric = oids.map((o) => resolveOid(o));
    return this.call('get', numeric, (cb) => this.session.get(numeric, cb)).then((vbs) => vbs.map(decodeVarbind));
  }

  getNext(oids: string[]): Promise<SnmpValue[]> {
    const numeric = oids.map((o) => resolveOid(o));
    return this.call('getnext', numeric, (cb) => this.session.getNext(numeric, cb)).then((vbs) => vbs.map(decodeVarbind));
  }

  /** Every object under `oid`, one GetNext per row (what v1 agents and careful pollers use). */
  async walk(oid: string): Promise<SnmpValue[]> {
    const root = resolveOid(oid);
    const out: SnmpValue[] = [];
    let current = root;
    while (out.length < MAX_WALK_ROWS) {
      const [vb] = await this.call('walk', [current], (cb) => this.session.getNext([current], cb));
      if (!vb || vb.type === 130 || !inSubtree(root, vb.oid)) break;
      if (compareOids(vb.oid, current) <= 0)
        throw new NrxError('NRX_ERR_SNMP_ERROR', `${this.device}: walk of ${nameOfOid(root)}: the agent answered ${vb.oid} after ${current} (not increasing)`);
      out.push(decodeVarbind(vb));
      current = vb.oid;
    }
    return out;
  }

  /** Every object under `oid` with GetBulk (v2c/v3), maxRepetitions rows per request. */
  bulkWalk(oid: string, maxRepetitions = 25): Promise<SnmpValue[]> {
    const root = resolveOid(oid);
    const out: SnmpValue[] = [];
    return new Promise((resolve, reject) => {
      this.session.subtree(
        root,
        maxRepetitions,
        (vbs) => {
          for (const vb of vbs) out.push(decodeVarbind(vb));
          return out.length >= MAX_WALK_ROWS;
        },
        (error) => (error ? reject(this.translate(error, 'bulkwalk', [root])) : resolve(out)),
      );
    });
  }

  set(values: SnmpSetValue[]): Promise<SnmpValue[]> {
    const varbinds: Varbind[] = values.map((v) => {
      const type = TAG_BY_TYPE[v.type];
      if (type === undefined) throw new NrxError('NRX_ERR_PARAM_INVALID', `SNMP set of ${v.oid}: unknown type '${v.type}'`, { location: { field: 'type' } });
      return { oid: resolveOid(v.oid), type, value: v.value };
    });
    return this.call(
      'set',
      varbinds.map((v) => v.oid),
      (cb) => this.session.set(varbinds, cb),
    ).then((vbs) => vbs.map(decodeVarbind));
  }

  close(): void {
    try {
      this.session.close();
    } catch {
      // already closed
    }
  }

  private call(op: string, oids: string[], send: (cb: (e: Error | null, vbs: Varbind[]) => void) => void): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      try {
        send((error, varbinds) => (error ? reject(this.translate(error, op, oids)) : resolve(varbinds)));
      } catch (e) {
        reject(this.translate(e as Error, op, oids));
      }
    });
  }

  /** net-snmp's error classes -> NrxError codes an operator can act on. */
  private translate(error: Error & { code?: number; status?: number }, op: string, oids: string[]): NrxError {
    const what = `${this.device}: SNMP ${op} ${oids.slice(0, 3).map(nameOfOid).join(', ')}${oids.length > 3 ? ', ...' : ''}`;
    const c = this.target.credentials;
    if (error.name === 'RequestTimedOutError') {
      const attempts = (this.target.retries ?? 1) + 1;
      const hint =
        c.version === 'v3'
          ? 'agent down, unreachable, or a wrong v3 privacy key (agents do not answer what they cannot decrypt)'
          : `agent down, unreachable, or community '${c.community}' not accepted (agents drop a wrong community silently)`;
      return new NrxError('NRX_ERR_SNMP_TIMEOUT', `${what}: no answer in ${attempts} attempt(s) of ${this.target.timeoutMs ?? 2000} ms: ${hint}`, {
        cause: error,
      });
    }
    if (error.name === 'ResponseInvalidError' && error.code !== undefined && AUTH_CODES.has(error.code)) {
      const user = c.version === 'v3' ? c.user : '?';
      return new NrxError('NRX_ERR_SNMP_AUTH', `${what}: the agent refused v3 user '${user}': ${error.message}`, {
        details: { device: this.device, user },
        cause: error,
      });
    }
    if (error.name === 'RequestFailedError') {
      return new NrxError('NRX_ERR_SNMP_ERROR', `${what}: the agent answered ${error.message}`, {
        details: { device: this.device, status: error.status ?? null },
        cause: error,
      });
    }
    if (error instanceof NrxError) return error;
    return new NrxError('NRX_ERR_SNMP_ERROR', `${what}: ${error.message}`, { cause: error });
  }
}

/** ECouldNotDecrypt, EAuthFailure, EUnexpectedReport (usmStats* reports: unknown user, wrong digest), ENotInTimeWindow. */
const AUTH_CODES = new Set([4, 5, 11, 14]);

export function inSubtree(root: string, oid: string): boolean {
  const o = oid.replace(/^\./, '');
  return o.startsWith(`${root}.`);
}

export function compareOids(a: string, b: string): number {
  const x = a.replace(/^\./, '').split('.').map(Number);
  const y = b.replace(/^\./, '').split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
