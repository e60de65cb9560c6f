/**
 * The reference implementation for the differential tests: Debian's python3-textfsm under
 * /usr/bin/python3 (not a pyenv python on PATH, which would lack the Debian package). Installed
 * the way the lab installs its packages; off root on a machine without it the tests skip with
 * the reason, and under CI a skip is a failure.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensurePackages, missingPackages } from '../../lab/packages.js';
import { run } from '../../lab/run.js';

export const PYTHON = '/usr/bin/python3';
export const REFERENCE_PACKAGES = ['python3-textfsm'];
const SCRIPT = path.join(import.meta.dirname, 'textfsm_reference.py');

/** false when the reference can run (installing it if needed and allowed), else why not. */
export async function referenceSkipReason(): Promise<string | false> {
  let reason: string | false = false;
  if (!existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg-query'))
    reason = 'TEXTFSM REFERENCE SKIPPED: not a Debian machine (no apt-get to install python3-textfsm)';
  else if ((await missingPackages(REFERENCE_PACKAGES)).length > 0 && process.getuid?.() !== 0) {
    reason = 'TEXTFSM REFERENCE SKIPPED: python3-textfsm is not installed and only root can install it (apt-get install python3-textfsm)';
  } else {
    await ensurePackages(REFERENCE_PACKAGES);
  }
  const ci = process.env.CI;
  if (reason && ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
    throw new Error(`the TextFSM differential test must run under CI, but: ${reason}`);
  if (reason) process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

export type ReferenceOutcome = { records: Array<Record<string, unknown>> } | { error: { kind: 'template' | 'parse' | 'index' | 'crash'; message: string } };

export interface ReferenceJob {
  cases?: Array<{ template: string; inputs: string[] }>;
  lookups?: Array<{ dir: string; attributes: Record<string, string>; input: string }>;
  regex?: Array<{ pattern: string; subjects: string[] }>;
  bench?: Array<{ template: string; input: string; repeat: number; rounds?: number }>;
}

export interface ReferenceAnswer {
  cases: ReferenceOutcome[][];
  lookups: ReferenceOutcome[];
  regex: Array<{ error: string } | { matches: Array<Array<string | null> | null> }>;
  bench: Array<{ linesPerSecond: number }>;
}

/** One Python process for the whole job. */
export async function runReference(job: ReferenceJob): Promise<ReferenceAnswer> {
  const r = await run(PYTHON, [SCRIPT], { input: JSON.stringify(job), timeoutMs: 300_000 });
  return JSON.parse(r.stdout) as ReferenceAnswer;
}
