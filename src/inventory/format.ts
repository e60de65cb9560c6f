import { table } from '../core/text-table.js';
import type { Host, ResolvedHost } from './model.js';

/**
 * How hosts look on a terminal: `inventory ls` (a table) and `inventory show` (one host,
 * inherited values marked). Pure functions of the data, so the CLI and tests share them.
 */

export const HOST_COLUMNS = ['name', 'hostname', 'platform', 'site', 'role', 'groups'] as const;
export const HOST_COLUMNS_WIDE = [...HOST_COLUMNS, 'port', 'username', 'credential', 'tags'] as const;

function listText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',') : null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One row per host with the columns above; missing values are null (the table shows '-'). */
export function hostRow(h: ResolvedHost): Record<string, unknown> {
  return {
    name: h.name,
    hostname: h.hostname,
    platform: h.platform,
    site: listText(h.data.site),
    role: listText(h.data.role),
    groups: listText(h.groups),
    port: h.port,
    username: h.username,
    credential: h.credential,
    tags: listText(h.data.tags),
  };
}

export function formatHostTable(hosts: readonly ResolvedHost[], opts: { wide?: boolean } = {}): string {
  if (hosts.length === 0) return 'no hosts match';
  return table(hosts.map(hostRow), [...(opts.wide ? HOST_COLUMNS_WIDE : HOST_COLUMNS)]);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  return JSON.stringify(v);
}

/**
 * One host as `field: value` lines. With `raw` (the host as written), values the host does not
 * set itself are marked "(inherited)", which answers the usual "where does this come from?".
 */
export function formatHostDetail(h: ResolvedHost, raw?: Host | null): string {
  const inherited = (own: unknown): string => (raw && (own === undefined || own === null) ? '  (inherited)' : '');
  const lines: string[] = [];
  const field = (label: string, value: unknown, own: unknown): void => {
    lines.push(`${`${label}:`.padEnd(13)}${scalar(value)}${value === null || value === undefined ? '' : inherited(own)}`);
  };
  field('name', h.name, h.name);
  // No hostname anywhere means the name is the address: not inherited from anything.
  field('hostname', h.hostname, raw ? (raw.hostname ?? (h.hostname === h.name ? h.name : null)) : h.hostname);
  field('platform', h.platform, raw?.platform);
  field('port', h.port, raw?.port);
  field('username', h.username, raw?.username);
  field('credential', h.credential, raw?.credential);
  const direct = raw?.groups ?? h.groups;
  const groups = h.groups.map((g) => (raw && !direct.includes(g) ? `${g} (inherited)` : g));
  lines.push(`${'groups:'.padEnd(13)}${groups.length ? groups.join(', ') : '-'}`);
  const section = (title: string, obj: Record<string, unknown>, own: Record<string, unknown> | undefined): void => {
    const keys = Object.keys(obj);
    if (keys.length === 0) return;
    lines.push(`${title}:`);
    const width = Math.max(...keys.map((k) => k.length)) + 2;
    for (const k of keys) lines.push(`  ${`${k}:`.padEnd(width)} ${scalar(obj[k])}${raw && !(own && k in own) ? '  (inherited)' : ''}`);
  };
  section('connection options', h.connectionOptions, raw?.connection_options);
  section('data', h.data, raw?.data);
  return lines.join('\n');
}
