import { NrxError } from '../../../../src/core/errors.js';
import type { ModuleServices } from '../../../../src/executions/runners/module-services.js';

/**
 * VXLAN network identifiers for OpenStack networks, held in the pack's datastore scope:
 *   vni/<vni>         -> the network id holding it (the claim: created only if absent, so never twice)
 *   network/<id>      -> the allocation as JSON (what `netreflex key list` and get_vni show)
 *   deleted/<id>      -> a network Neutron deleted, kept for a while so a late or repeated
 *                        create for it allocates nothing
 * No lock anywhere: every step is a conditional write the datastore makes atomic, so concurrent
 * executions (and a `netreflex run` in another process) cannot hand one VNI to two networks.
 */

export const SCOPE = 'pack:openstack';
const VNI_MAX = 16_777_215; // 24 bits
const NETWORK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/;

export interface VniRange {
  first: number;
  last: number;
}

export interface Allocation {
  network_id: string;
  vni: number;
  name: string | null;
  project_id: string | null;
  allocated_at: string;
}

export type AllocateOutcome =
  | ({ state: 'allocated' | 'existing' } & Allocation)
  /** Neutron already deleted the network: nothing was allocated. */
  | { state: 'deleted'; network_id: string; vni: null };

export interface ReleaseOutcome {
  state: 'released' | 'not_allocated';
  network_id: string;
  /** The VNIs given back (one, or more when an interrupted allocation left one behind). */
  vnis: number[];
}

type Kv = ModuleServices['kv'];

/** `vni_range` from the pack config, checked: whole numbers, 1..16777215, first <= last. */
export function vniRangeOf(config: Record<string, unknown>): VniRange {
  const range = config.vni_range;
  const hint = 'set it with `netreflex pack config openstack set vni_range.first=N` (and .last), or `vni_range: {first: N, last: M}` in configs/openstack.yaml';
  if (typeof range !== 'object' || range === null || Array.isArray(range))
    throw new NrxError('NRX_ERR_CONFIG', `pack openstack: config value 'vni_range' must be a mapping with first and last; ${hint}`, {
      location: { field: 'vni_range' },
    });
  const bound = (name: 'first' | 'last'): number => {
    const v = (range as Record<string, unknown>)[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > VNI_MAX)
      throw new NrxError(
        'NRX_ERR_CONFIG',
        `pack openstack: config value 'vni_range.${name}' must be a whole number from 1 to ${VNI_MAX} (got ${JSON.stringify(v)}); ${hint}`,
        {
          location: { field: `vni_range.${name}` },
        },
      );
    return v;
  };
  const r = { first: bound('first'), last: bound('last') };
  if (r.first > r.last)
    throw new NrxError('NRX_ERR_CONFIG', `pack openstack: config value 'vni_range.first' (${r.first}) is above 'vni_range.last' (${r.last})`, {
      location: { field: 'vni_range.first' },
    });
  return r;
}

export function networkIdOf(v: unknown): string {
  if (typeof v !== 'string' || !NETWORK_ID.test(v))
    throw new NrxError(
      'NRX_ERR_PARAM_INVALID',
      `parameter 'network_id' must be a Neutron network id (letters, digits, '-', '_', '.', ':'; up to 255) (got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : typeof v})`,
      { location: { field: 'network_id' } },
    );
  return v;
}

export function vniOf(v: unknown, field = 'vni'): number {
  const n = typeof v === 'string' && /^\d{1,8}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > VNI_MAX)
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${field}' must be a VNI, a whole number from 1 to ${VNI_MAX} (got ${JSON.stringify(v)})`, {
      location: { field },
    });
  return n;
}

export class VniPool {
  constructor(
    private readonly kv: Kv,
    private readonly range: VniRange,
    /** Seconds a deleted network is remembered. */
    private readonly rememberDeletedSeconds = 7 * 86400,
  ) {}

  /**
   * The network's VNI: the one it already has (a repeated create), else `wanted` (Neutron's own
   * segmentation id, when the caller passes it) or the lowest free one in the range.
   */
  async allocate(networkId: string, info: { name?: string | null; project_id?: string | null; wanted?: number } = {}): Promise<AllocateOutcome> {
    if (await this.isDeleted(networkId)) return { state: 'deleted', network_id: networkId, vni: null };
    const existing = await this.lookup(networkId);
    if (existing) return { state: 'existing', ...existing };

    const held = await this.claims();
    // An allocation interrupted between its two writes left the VNI claimed for this network: finish it.
    const leftover = [...held].find(([, owner]) => owner === networkId)?.[0];
    const candidates = leftover !== undefined ? [leftover] : info.wanted !== undefined ? [info.wanted] : this.free(held);
    for (const vni of candidates) {
      if (vni !== leftover && !(await this.kv.setIfAbsent(SCOPE, `vni/${vni}`, networkId))) {
        if (info.wanted === undefined) continue; // another network took it a moment ago: try the next
        const owner = (await this.kv.get(SCOPE, `vni/${vni}`))?.value ?? 'another network';
        throw new NrxError('NRX_ERR_CONFLICT', `VNI ${vni} asked for network ${networkId} is held by network ${owner}`, { location: { field: 'vni' } });
      }
      const allocation: Allocation = {
        network_id: networkId,
        vni,
        name: info.name ?? null,
        project_id: info.project_id ?? null,
        allocated_at: new Date().toISOString(),
      };
      if (!(await this.kv.setIfAbsent(SCOPE, `network/${networkId}`, JSON.stringify(allocation)))) {
        // The same network's create was handled at the same moment and got another VNI: keep that one.
        await this.kv.deleteIfValue(SCOPE, `vni/${vni}`, networkId);
        const winner = await this.lookup(networkId);
        if (winner) return { state: 'existing', ...winner };
        continue;
      }
      if (await this.isDeleted(networkId)) {
        // The delete arrived while this create was being handled.
        await this.release(networkId);
        return { state: 'deleted', network_id: networkId, vni: null };
      }
      return { state: 'allocated', ...allocation };
    }
    throw new NrxError(
      'NRX_ERR_VNI_EXHAUSTED',
      `no free VNI for network ${networkId}: all ${this.range.last - this.range.first + 1} of ${this.range.first}-${this.range.last} are allocated; widen the openstack pack's vni_range`,
      { location: { field: 'vni_range' } },
    );
  }

  /**
   * Give back the network's VNI and remember the network as deleted. Repeating it changes nothing.
   * `rememberDeleted: false` (a provisioning rolled back) frees the VNI and lets a later create of
   * the same network allocate again.
   */
  async release(networkId: string, opts: { rememberDeleted?: boolean } = {}): Promise<ReleaseOutcome> {
    if (opts.rememberDeleted !== false) await this.kv.set(SCOPE, `deleted/${networkId}`, new Date().toISOString(), { ttlSeconds: this.rememberDeletedSeconds });
    const vnis: number[] = [];
    for (const [vni, owner] of await this.claims()) {
      if (owner === networkId && (await this.kv.deleteIfValue(SCOPE, `vni/${vni}`, networkId))) vnis.push(vni);
    }
    const hadMapping = await this.kv.delete(SCOPE, `network/${networkId}`);
    return { state: vnis.length || hadMapping ? 'released' : 'not_allocated', network_id: networkId, vnis: vnis.sort((a, b) => a - b) };
  }

  async lookup(networkId: string): Promise<Allocation | null> {
    const rec = await this.kv.get(SCOPE, `network/${networkId}`);
    return rec ? (JSON.parse(rec.value) as Allocation) : null;
  }

  /** Which network holds a VNI, with its allocation. */
  async holderOf(vni: number): Promise<Allocation | null> {
    const owner = (await this.kv.get(SCOPE, `vni/${vni}`))?.value;
    return owner ? this.lookup(owner) : null;
  }

  /** Every allocation, by VNI. */
  async list(): Promise<Allocation[]> {
    const all = (await this.kv.list(SCOPE, 'network/')).map((r) => JSON.parse(r.value) as Allocation);
    return all.sort((a, b) => a.vni - b.vni);
  }

  private async isDeleted(networkId: string): Promise<boolean> {
    return (await this.kv.get(SCOPE, `deleted/${networkId}`)) !== null;
  }

  /** Claimed VNIs and the network holding each. */
  private async claims(): Promise<Map<number, string>> {
    return new Map((await this.kv.list(SCOPE, 'vni/')).map((r) => [Number(r.key.slice(4)), r.value]));
  }

  /** Free VNIs lowest first, without building the whole (up to 16 M) range. */
  private *free(held: Map<number, string>): Generator<number> {
    for (let v = this.range.first; v <= this.range.last; v++) if (!held.has(v)) yield v;
  }
}
