import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import type { PackActionContext } from '../../src/executions/runners/module-services.js';
import { sha256, slug, writeBundle, type DeviceError, type IndexEntry } from '../../packs/files/actions/lib/bundle.js';
import type { TarFile } from '../../packs/files/actions/lib/tar.js';
import { DEFAULT_PING, NO_PING_REASON, PING_BY_PLATFORM, SPECIAL_PING_PLATFORMS } from './lib/ping-command.js';
import { routeInterface } from './lib/route-interface.js';

interface Output {
  command: string;
  output: string;
  failed: boolean;
  reason?: string;
  at: Date;
}

export interface DiagnosticsResult {
  bundle: { name: string; path: string; size: number; sha256: string };
  /** The interface toward the peer, from the route lookup (null when the route names none). */
  interface: string | null;
  commands: string[];
  /** Commands the device rejected or that did not answer, with why. */
  failed: Array<{ command: string; reason: string }>;
  /** A few lines per command for a ticket body; the bundle has everything. */
  summary: string;
}

/** The route to the peer first (it names the interface), then the rest, then the ping alone. */
export async function run(params: Record<string, unknown>, ctx: PackActionContext): Promise<DiagnosticsResult> {
  const device = text(params.device, 'device');
  const peer = text(params.peer, 'peer');
  const timeoutMs = (typeof params.command_timeout === 'number' && params.command_timeout > 0 ? params.command_timeout : 20) * 1000;
  const templates = Array.isArray(params.commands) ? params.commands.filter((c): c is string => typeof c === 'string' && c.trim() !== '') : [];
  const pingParam = typeof params.ping === 'string' && params.ping.trim() !== '' ? params.ping.trim() : null;
  const logLines = Array.isArray(params.log_lines) ? params.log_lines.filter((l): l is string => typeof l === 'string' && l !== '') : [];

  const outputs: Output[] = [];
  const errors: DeviceError[] = [];
  const send = async (commands: string[]): Promise<boolean> => {
    try {
      const results = await ctx.services.devices.send(device, commands, { signal: ctx.signal, timeoutMs });
      for (const r of results)
        outputs.push({ command: r.command, output: r.output, failed: r.failed, ...(r.failureReason ? { reason: r.failureReason } : {}), at: new Date() });
      return true;
    } catch (e) {
      const err = e instanceof NrxError ? e : new NrxError('NRX_ERR_DEVICE_UNREACHABLE', String((e as Error)?.message ?? e));
      // a command that never answered is kept as such in the bundle; the device's other outputs stay
      for (const c of commands)
        outputs.push({ command: c, output: `(no answer: ${err.code}: ${err.message})\n`, failed: true, reason: err.message, at: new Date() });
      errors.push({ device, code: err.code, message: err.message });
      ctx.log(`${device}: ${commands.join(', ')}: ${err.code}: ${err.message}`);
      return false;
    }
  };

  const routeCommand = `show ip route ${peer}`;
  const reachable = await send([routeCommand]);
  const iface = reachable ? routeInterface(outputs[0]!.output) : null;
  const fill = (t: string): string | null => (t.includes('{interface}') && !iface ? null : t.replaceAll('{peer}', peer).replaceAll('{interface}', iface ?? ''));
  const rest = templates.map(fill).filter((c): c is string => c !== null);
  if (reachable && rest.length) await send(rest);
  const ping = pingParam === 'auto' ? await platformPing(ctx, device) : { command: pingParam, why: pingParam ? null : 'not sent: ping is null' };
  const pingCommand = ping.command ? fill(ping.command) : null;
  if (reachable && pingCommand) await send([pingCommand]);
  else if (reachable && ping.why) outputs.push({ command: 'ping', output: `${ping.why}\n`, failed: false, at: new Date() });

  const files: TarFile[] = [];
  const entries: IndexEntry[] = [];
  outputs.forEach((o, i) => {
    const data = Buffer.from(o.output.endsWith('\n') || o.output === '' ? o.output : `${o.output}\n`, 'utf8');
    const file = `${slug(device)}/${String(i + 1).padStart(2, '0')}-${slug(o.command)}.txt`;
    files.push({ name: file, data, mtime: o.at });
    entries.push({
      device,
      command: o.command,
      time: o.at.toISOString(),
      file,
      bytes: data.length,
      sha256: sha256(data),
      failed: o.failed,
      ...(o.failed && o.reason ? { failure_reason: o.reason } : {}),
    });
  });
  if (logLines.length) {
    const data = Buffer.from(`${logLines.join('\n')}\n`, 'utf8');
    const file = 'netreflex/recent-bgp-log.txt';
    files.push({ name: file, data, mtime: new Date() });
    entries.push({
      device,
      command: 'log lines received by netreflex',
      time: new Date().toISOString(),
      file,
      bytes: data.length,
      sha256: sha256(data),
      failed: false,
    });
  }
  const commands = outputs.map((o) => o.command);
  const bundle = writeBundle(path.join(ctx.services.dataDir, 'bundles'), `bgp/${device}/${peer}`, commands, { files, entries, errors });
  ctx.log(`bundle ${bundle.path}: ${commands.length} outputs, ${bundle.size} bytes`);
  return {
    bundle: { name: bundle.name, path: bundle.path, size: bundle.size, sha256: bundle.sha256 },
    interface: iface,
    commands,
    failed: outputs.filter((o) => o.failed).map((o) => ({ command: o.command, reason: o.reason ?? 'rejected by the device' })),
    summary: summary(outputs, logLines),
  };
}

/** The platform's own ping (an inventory filter per platform whose ping differs); the default when none of them. */
async function platformPing(ctx: PackActionContext, device: string): Promise<{ command: string | null; why: string | null }> {
  for (const platform of SPECIAL_PING_PLATFORMS) {
    let selected: string[] = [];
    try {
      selected = await ctx.services.devices.select(`name in (${JSON.stringify(device)}) and platform=${platform}`);
    } catch {
      // not this platform (or a name the filter cannot say): the next one, then the default
    }
    if (selected.includes(device)) return { command: PING_BY_PLATFORM[platform] ?? null, why: NO_PING_REASON[platform] ?? null };
  }
  return { command: DEFAULT_PING, why: null };
}

function summary(outputs: Output[], logLines: string[]): string {
  const parts = outputs.map((o) => {
    const lines = o.output
      .replace(/\r/g, '')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const head = lines.slice(0, 12);
    return [`${o.command}${o.failed ? ' (failed)' : ''}:`, ...head.map((l) => `  ${l}`), ...(lines.length > head.length ? ['  ...'] : [])].join('\n');
  });
  if (logLines.length) parts.push(['log lines received:', ...logLines.slice(-10).map((l) => `  ${l}`)].join('\n'));
  return parts.join('\n\n');
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter '${field}' must be a non-empty string`, { location: { field } });
  return v.trim();
}
