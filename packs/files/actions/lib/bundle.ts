import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fanOut } from '../../../../drivers/access/fan-out.js';
import type { DeviceCommands } from '../../../../src/executions/runners/module-services.js';
import { tarGz, type TarFile } from './tar.js';

/**
 * A log bundle: the outputs of show commands from one or more devices, as text files plus an
 * index (device, command, time, sha256), in one timestamped .tar.gz under the data directory.
 */

export interface IndexEntry {
  device: string;
  command: string;
  /** When the output was complete (ISO 8601, UTC). */
  time: string;
  /** The text file inside the archive. */
  file: string;
  bytes: number;
  sha256: string;
  /** The device rejected the command; the file holds its answer. */
  failed: boolean;
  failure_reason?: string;
}

export interface DeviceError {
  device: string;
  code: string;
  message: string;
}

export interface BundleIndex {
  bundle: string;
  label: string | null;
  created_at: string;
  commands: string[];
  entries: IndexEntry[];
  /** Devices that gave nothing (unreachable, login refused, unknown name). */
  errors: DeviceError[];
}

export interface Bundle {
  /** Archive file name, e.g. 20261202T051500Z-bgp-leaf1.tar.gz */
  name: string;
  /** Where it is kept. */
  path: string;
  size: number;
  sha256: string;
  index: BundleIndex;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A name safe in a file path: letters, digits, '.', '_' and '-'; everything else becomes '-'. */
export function slug(text: string, max = 60): string {
  const s = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, max);
  return s || 'x';
}

/** 2026-12-02T05:15:00.123Z -> 20261202T051500Z */
export function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Every device's outputs, at most `concurrency` devices at once; a device that fails is recorded, not thrown. */
export async function collectOutputs(
  devices: DeviceCommands,
  names: readonly string[],
  commands: readonly string[],
  opts: { concurrency: number; signal: AbortSignal; timeoutMs?: number; log(line: string): void },
): Promise<{ files: TarFile[]; entries: IndexEntry[]; errors: DeviceError[] }> {
  const files: TarFile[] = [];
  const entries: IndexEntry[] = [];
  const errors: DeviceError[] = [];
  const outcomes = await fanOut(
    names,
    async (device) => {
      const started = Date.now();
      const results = await devices.send(device, [...commands], { signal: opts.signal, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      return { started, results };
    },
    { concurrency: opts.concurrency, signal: opts.signal },
  );
  for (const o of outcomes) {
    if (!o.ok) {
      errors.push({ device: o.device, code: o.error.code, message: o.error.message });
      opts.log(`${o.device}: ${o.error.code}: ${o.error.message}`);
      continue;
    }
    // Commands run one after another on the session: each output was complete at start + the durations so far.
    let at = o.value.started;
    o.value.results.forEach((r, i) => {
      at += r.elapsedMs;
      const data = Buffer.from(r.output.endsWith('\n') || r.output === '' ? r.output : `${r.output}\n`, 'utf8');
      const file = `${slug(o.device)}/${String(i + 1).padStart(2, '0')}-${slug(r.command)}.txt`;
      const time = new Date(Math.round(at)).toISOString();
      files.push({ name: file, data, mtime: new Date(time) });
      entries.push({
        device: o.device,
        command: r.command,
        time,
        file,
        bytes: data.length,
        sha256: sha256(data),
        failed: r.failed,
        ...(r.failed && r.failureReason ? { failure_reason: r.failureReason } : {}),
      });
    });
    opts.log(`${o.device}: ${o.value.results.length} outputs`);
  }
  return { files, entries, errors };
}

/** Write the archive (index.json first, then the outputs) into `dir`, atomically, readable by the owner only. */
export function writeBundle(
  dir: string,
  label: string | null,
  commands: readonly string[],
  collected: { files: TarFile[]; entries: IndexEntry[]; errors: DeviceError[] },
  now = new Date(),
): Bundle {
  const wanted = `${stamp(now)}${label ? `-${slug(label)}` : ''}`;
  // Two bundles in the same second with the same label must not overwrite each other.
  let base = wanted;
  for (let n = 2; existsSync(path.join(dir, `${base}.tar.gz`)); n++) base = `${wanted}-${n}`;
  const index: BundleIndex = {
    bundle: base,
    label,
    created_at: now.toISOString(),
    commands: [...commands],
    entries: collected.entries.map((e) => ({ ...e, file: `${base}/${e.file}` })),
    errors: collected.errors,
  };
  const files: TarFile[] = [
    { name: `${base}/index.json`, data: Buffer.from(`${JSON.stringify(index, null, 2)}\n`), mtime: now },
    ...collected.files.map((f) => ({ ...f, name: `${base}/${f.name}` })),
  ];
  const archive = tarGz(files);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${base}.tar.gz`;
  const full = path.join(dir, name);
  const partial = `${full}.partial`;
  writeFileSync(partial, archive, { mode: 0o600 });
  renameSync(partial, full);
  return { name, path: full, size: archive.length, sha256: sha256(archive), index };
}
