import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NrxError, isNrxError, type ErrorCode, type ErrorLocation } from '../core/errors.js';
import { loadYamlFile } from '../core/yaml-file.js';
import { parseActionChain } from './actionchain/spec.js';
import { parseOrquesta } from './orquesta/spec.js';

/**
 * Loading a workflow's entry point. Validation is linear in tasks and transitions, but a
 * 10,000-task file still takes a few hundred ms to parse; done on the event loop that would
 * hold up every API request meanwhile. So a big file is parsed on a worker thread and only
 * the finished spec (plain data) comes back; small files, nearly all of them, are parsed
 * in place. A file over `maxBytes` is refused without being read.
 */
export const WORKFLOW_FILE_LIMITS = {
  /** Files up to this size are parsed on the calling thread (about 10 ms). */
  inlineBytes: 64 * 1024,
  /** Larger workflow files are refused (about 40,000 tasks). */
  maxBytes: 8 * 1024 * 1024,
};

export type WorkflowKind = 'orquesta' | 'action-chain';

const PARSERS: Record<WorkflowKind, (src: ReturnType<typeof loadYamlFile>) => unknown> = {
  orquesta: parseOrquesta,
  'action-chain': parseActionChain,
};

/** Parse a workflow file on this thread (NrxError naming file, line and field on failure). */
export function parseWorkflowFile(kind: WorkflowKind, file: string): unknown {
  return PARSERS[kind](loadYamlFile(file));
}

/** Size-check, then parse in place or on a worker thread. */
export async function loadWorkflowFile(kind: WorkflowKind, file: string): Promise<unknown> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new NrxError('NRX_ERR_SPEC_INVALID', `cannot read file: ${(e as Error).message}`, { location: { file }, cause: e });
  }
  if (size > WORKFLOW_FILE_LIMITS.maxBytes) {
    throw new NrxError(
      'NRX_ERR_SPEC_INVALID',
      `workflow file is ${size.toLocaleString('en-US')} bytes; at most ${WORKFLOW_FILE_LIMITS.maxBytes.toLocaleString('en-US')} are accepted`,
      { location: { file } },
    );
  }
  if (size <= WORKFLOW_FILE_LIMITS.inlineBytes) return parseWorkflowFile(kind, file);
  return parseOnWorker(kind, file);
}

/**
 * A spec as the worker sends it: the small fields as one JSON text, and each big map or
 * list (tasks, inbound, outbound, nodes) in chunks, so that turning it back into objects
 * on the event loop happens in slices of a few ms instead of one long parse.
 */
interface PackedSpec {
  head: string;
  parts: Array<{ key: string; list: boolean; json: string }>;
}

/** What the worker sends back. */
export type WorkerAnswer =
  { ok: true; spec: PackedSpec } | { ok: false; code: string; message: string; location: ErrorLocation; details: Record<string, unknown> };

const CHUNK = 250;

function pack(spec: unknown): PackedSpec {
  const head: Record<string, unknown> = { ...(spec as Record<string, unknown>) };
  const parts: PackedSpec['parts'] = [];
  for (const [key, value] of Object.entries(head)) {
    if (value === null || typeof value !== 'object') continue;
    const list = Array.isArray(value);
    const entries: unknown[] = list ? value : Object.entries(value);
    if (entries.length <= CHUNK) continue;
    delete head[key];
    for (let i = 0; i < entries.length; i += CHUNK) parts.push({ key, list, json: JSON.stringify(entries.slice(i, i + CHUNK)) });
  }
  return { head: JSON.stringify(head), parts };
}

async function unpack(p: PackedSpec): Promise<unknown> {
  const spec = JSON.parse(p.head) as Record<string, unknown>;
  for (const part of p.parts) {
    await new Promise((resolve) => setImmediate(resolve)); // let requests in between slices
    const entries = JSON.parse(part.json) as unknown[];
    if (part.list) ((spec[part.key] ??= []) as unknown[]).push(...entries);
    else Object.assign((spec[part.key] ??= {}) as object, Object.fromEntries(entries as Array<[string, unknown]>));
  }
  return spec;
}

export function answerFor(parse: () => unknown): WorkerAnswer {
  try {
    return { ok: true, spec: pack(parse()) };
  } catch (e) {
    if (isNrxError(e)) return { ok: false, code: e.code, message: e.message, location: e.location, details: e.details };
    return { ok: false, code: 'NRX_ERR_SPEC_INVALID', message: e instanceof Error ? e.message : String(e), location: {}, details: {} };
  }
}

function refusal(a: Extract<WorkerAnswer, { ok: false }>, file: string): NrxError {
  const code = a.code as ErrorCode;
  // the message came formatted with its location; rebuild it without repeating that
  const prefix = new NrxError(code, '', { location: a.location }).message;
  const message = prefix && a.message.startsWith(prefix) ? a.message.slice(prefix.length) : a.message;
  return new NrxError(code, message, { location: Object.keys(a.location).length ? a.location : { file }, details: a.details });
}

function parseOnWorker(kind: WorkflowKind, file: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ kind, file });
    let answered = false;
    worker.once('message', (a: WorkerAnswer) => {
      answered = true;
      if (a.ok) unpack(a.spec).then(resolve, reject);
      else reject(refusal(a, file));
    });
    worker.once('error', (e) => reject(new NrxError('NRX_ERR_SPEC_INVALID', `could not parse the workflow: ${e.message}`, { location: { file }, cause: e })));
    worker.once('exit', (code) => {
      if (!answered) reject(new NrxError('NRX_ERR_SPEC_INVALID', `the workflow parser stopped (exit ${code}) before answering`, { location: { file } }));
    });
  });
}

/** The worker beside this module: spec-worker.js when built; from source (tsx), spec-worker.ts. */
function startWorker(workerData: { kind: WorkflowKind; file: string }): Worker {
  if (path.extname(fileURLToPath(import.meta.url)) !== '.ts') return new Worker(new URL('./spec-worker.js', import.meta.url), { workerData });
  // Node 20 does not run `--import tsx` in workers: register tsx's loader there first
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./spec-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData });
}
