import { canonicalPlatform } from '../../drivers/platforms/aliases.js';
import { NrxError } from '../core/errors.js';
import { NAME_PATTERN, type Group, type Host } from './model.js';

/**
 * Import from NetBox's REST API (GET /api/dcim/devices/): devices become hosts, sites and
 * roles become groups `site-<slug>` and `role-<slug>`. A device that cannot become a host (no
 * name, no primary address) is reported by name, never dropped silently.
 */

/** Our platform name for a NetBox platform slug; one we do not know is kept as it is. */
export function mapPlatform(slug: string): string {
  return canonicalPlatform(slug);
}

export interface NetboxMapping {
  hosts: Host[];
  groups: Group[];
  /** One line per device that was not imported, naming it and why. */
  errors: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const slugOf = (v: unknown): string | null => (isObj(v) ? (str(v.slug) ?? str(v.name)) : null);

/** The device list inside whatever JSON the user has: a page `{results}`, a list of devices or pages, or one device. */
export function devicesFromJson(json: unknown): unknown[] {
  if (Array.isArray(json)) return json.flatMap((x) => (isObj(x) && Array.isArray(x.results) ? x.results : [x]));
  if (isObj(json) && Array.isArray(json.results)) return json.results;
  if (isObj(json) && 'name' in json && 'id' in json) return [json];
  throw new NrxError(
    'NRX_ERR_INVENTORY_INVALID',
    'NetBox import: expected the JSON of /api/dcim/devices/ (an object with "results"), a list of devices, or one device',
  );
}

function addressOf(d: Obj): string | null {
  for (const k of ['primary_ip', 'primary_ip4', 'primary_ip6']) {
    const ip = d[k];
    const addr = isObj(ip) ? str(ip.address) : null;
    if (addr) return addr.split('/')[0]!;
  }
  return null;
}

function tagsOf(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((t) => (typeof t === 'string' ? t : slugOf(t))).filter((t): t is string => t !== null);
}

export function mapNetboxDevices(devices: readonly unknown[]): NetboxMapping {
  const hosts: Host[] = [];
  const groups = new Map<string, Group>();
  const errors: string[] = [];
  const seen = new Map<string, unknown>();
  devices.forEach((raw, i) => {
    if (!isObj(raw)) return void errors.push(`device #${i + 1}: not a JSON object; not imported`);
    const id = raw.id ?? `#${i + 1}`;
    const name = str(raw.name);
    if (!name) return void errors.push(`device id ${String(id)}: has no name; not imported (name it in NetBox)`);
    if (!NAME_PATTERN.test(name))
      return void errors.push(`device '${name}' (id ${String(id)}): the name has spaces, slashes or control characters; not imported`);
    if (seen.has(name))
      return void errors.push(`device '${name}' (id ${String(id)}): the name is also used by device id ${String(seen.get(name))}; not imported`);
    const hostname = addressOf(raw);
    if (!hostname) return void errors.push(`device '${name}' (id ${String(id)}): no primary IPv4 or IPv6 address; not imported (set one in NetBox)`);
    seen.set(name, id);

    const host: Host = { name, hostname, groups: [], data: {} };
    const platform = slugOf(raw.platform);
    if (platform) host.platform = mapPlatform(platform);
    const site = slugOf(raw.site);
    // NetBox before 4.0 called the role `device_role`.
    const role = slugOf(raw.role) ?? slugOf(raw.device_role);
    const tenant = slugOf(raw.tenant);
    const tags = tagsOf(raw.tags);
    if (site) ((host.data!.site = site), host.groups!.push(`site-${site}`));
    if (role) ((host.data!.role = role), host.groups!.push(`role-${role}`));
    if (tenant) host.data!.tenant = tenant;
    if (tags.length) host.data!.tags = tags;
    if (typeof raw.id === 'number') host.data!.netbox_id = raw.id;
    for (const g of host.groups!) if (!groups.has(g)) groups.set(g, { name: g });
    hosts.push(host);
  });
  return { hosts, groups: [...groups.values()], errors };
}

/** The devices endpoint for what the user gave: the NetBox base URL or the endpoint itself. */
export function devicesUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NrxError('NRX_ERR_USAGE', `NetBox import: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new NrxError('NRX_ERR_USAGE', `NetBox import: ${u.protocol} URLs are not supported, use http or https`);
  if (!u.pathname.includes('/api/dcim/devices')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/dcim/devices/`;
  if (!u.searchParams.has('limit')) u.searchParams.set('limit', '1000');
  return u;
}

export interface FetchOptions {
  token?: string;
  /** Per request. */
  timeoutMs?: number;
  maxPages?: number;
}

/**
 * Every device, following `next` links. `next` is taken only for its path and query: it is
 * re-rooted on the URL the user gave, so the token never goes to another host (and a NetBox
 * behind a TLS proxy that writes http:// links still works).
 */
export async function fetchNetboxDevices(url: string, opts: FetchOptions = {}): Promise<unknown[]> {
  const first = devicesUrl(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = /^(Token|Bearer) /.test(opts.token) ? opts.token : `Token ${opts.token}`;
  const devices: unknown[] = [];
  const visited = new Set<string>();
  let next: URL | null = first;
  while (next) {
    const where = `${next.origin}${next.pathname}${next.search}`;
    if (visited.has(where)) throw new NrxError('NRX_ERR_HTTP', `NetBox import: page ${where} links back to itself; stopping`);
    if (visited.size >= (opts.maxPages ?? 10_000)) throw new NrxError('NRX_ERR_HTTP', `NetBox import: more than ${visited.size} pages; stopping`);
    visited.add(where);
    let res: Response;
    try {
      res = await fetch(next, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    } catch (e) {
      throw new NrxError('NRX_ERR_HTTP', `NetBox import: cannot fetch ${where}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) {
      await res.body?.cancel();
      const hint = res.status === 401 || res.status === 403 ? ' (check the API token)' : '';
      throw new NrxError('NRX_ERR_HTTP', `NetBox import: ${where} answered HTTP ${res.status}${hint}`);
    }
    let page: unknown;
    try {
      page = await res.json();
    } catch (e) {
      throw new NrxError('NRX_ERR_HTTP', `NetBox import: ${where} did not answer JSON: ${(e as Error).message}`, { cause: e });
    }
    if (!isObj(page) || !Array.isArray(page.results)) throw new NrxError('NRX_ERR_HTTP', `NetBox import: ${where} is not a NetBox list page (no "results")`);
    devices.push(...page.results);
    const link = str(page.next);
    if (!link) break;
    let target: URL;
    try {
      target = new URL(link, next);
    } catch {
      throw new NrxError('NRX_ERR_HTTP', `NetBox import: ${where} has an invalid "next" link ${JSON.stringify(link)}`);
    }
    next = new URL(`${target.pathname}${target.search}`, first.origin);
  }
  return devices;
}
