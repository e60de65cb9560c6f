import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { childEnvironment } from './process-group.js';

/** Debian's interpreter: what `apt-get install python3-<module>` installs modules for. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

export interface PythonEnvOptions {
  /** Interpreter for packs without requirements.txt, and the base of every virtualenv. */
  python?: string;
  /** Folder of the per-pack virtualenvs (`<data dir>/virtualenvs`); null never builds one. */
  venvRoot: string | null;
  /** Longest one `pip install -r requirements.txt` may take (default 5 min). */
  installTimeoutMs?: number;
  /** A failed build is retried by the first execution after this long (default 10 min). */
  retryAfterMs?: number;
  /** Environment for pip on top of the appliance's (tests point it at a local wheel folder). */
  pipEnv?: NodeJS.ProcessEnv;
}

/** Which interpreter runs a pack's actions, and what is missing from it if anything. */
export interface PackInterpreter {
  python: string;
  venv: string | null;
  /** Why the pack's requirements.txt is not (fully) installed; named in a missing-module error. */
  problem: string | null;
}

const MARKER = '.netreflex-requirements';

/**
 * Per-pack virtualenvs, StackStorm's isolation for pack dependencies. A pack with a
 * requirements.txt gets `<venvRoot>/<pack>`, built on its first execution and rebuilt when the
 * file changes. The venv sees the system's site-packages, so a module Debian packages
 * (python3-yaml, python3-requests) satisfies an import even when no package index is reachable;
 * pip installs only what is missing.
 */
export class PythonEnvironments {
  readonly python: string;
  private readonly building = new Map<string, Promise<PackInterpreter>>();
  private readonly failures = new Map<string, { hash: string; at: number; problem: string }>();

  constructor(private readonly opts: PythonEnvOptions) {
    this.python = opts.python ?? DEFAULT_PYTHON;
  }

  async forPack(pack: string, packDir: string, log: (line: string) => void = () => {}): Promise<PackInterpreter> {
    const reqFile = path.join(packDir, 'requirements.txt');
    const requirements = readRequirements(reqFile);
    if (requirements === null || this.opts.venvRoot === null) return { python: this.python, venv: null, problem: null };
    const venv = path.join(this.opts.venvRoot, pack);
    const venvPython = path.join(venv, 'bin', 'python');
    const hash = createHash('sha256').update(`${this.python}\n${requirements}`).digest('hex');
    if (readMarker(venv) === hash) return { python: venvPython, venv, problem: null };

    const failed = this.failures.get(pack);
    if (failed && failed.hash === hash && Date.now() - failed.at < (this.opts.retryAfterMs ?? 600_000)) {
      return { python: existsSync(venvPython) ? venvPython : this.python, venv: existsSync(venvPython) ? venv : null, problem: failed.problem };
    }
    let job = this.building.get(pack);
    if (!job) {
      job = this.build(pack, venv, reqFile, hash, log).finally(() => this.building.delete(pack));
      this.building.set(pack, job);
    }
    return job;
  }

  private async build(pack: string, venv: string, reqFile: string, hash: string, log: (line: string) => void): Promise<PackInterpreter> {
    const venvPython = path.join(venv, 'bin', 'python');
    const started = Date.now();
    log(`python: building the virtualenv of pack ${pack} from ${reqFile}`);
    const problem = await this.install(venv, venvPython, reqFile);
    if (problem === null) {
      writeFileSync(path.join(venv, MARKER), `${hash}\n`);
      this.failures.delete(pack);
      log(`python: virtualenv ${venv} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { python: venvPython, venv, problem: null };
    }
    this.failures.set(pack, { hash, at: Date.now(), problem });
    log(`python: ${problem}`);
    const usable = existsSync(venvPython);
    return { python: usable ? venvPython : this.python, venv: usable ? venv : null, problem };
  }

  /** null when every requirement is installed; otherwise what went wrong, in one line. */
  private async install(venv: string, venvPython: string, reqFile: string): Promise<string | null> {
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(path.dirname(venv), { recursive: true });
    // Without its own pip the venv is made in a tenth of a second; the system's pip serves it.
    let r = await runProcess(this.python, ['-m', 'venv', '--system-site-packages', '--without-pip', venv], {}, 120_000);
    if (r.code !== 0) return `cannot create a virtualenv with ${this.python} (Debian: apt-get install python3-venv): ${lastLine(r.stderr)}`;
    if ((await runProcess(venvPython, ['-c', 'import pip'], {}, 30_000)).code !== 0) {
      r = await runProcess(venvPython, ['-m', 'ensurepip', '--default-pip'], {}, 120_000);
      if (r.code !== 0) return `no pip for ${this.python} (Debian: apt-get install python3-pip): ${lastLine(r.stderr)}`;
    }
    const env = { ...this.opts.pipEnv, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
    r = await runProcess(venvPython, ['-m', 'pip', 'install', '--progress-bar', 'off', '-r', reqFile], env, this.opts.installTimeoutMs ?? 300_000);
    if (r.code === 0) return null;
    const why = r.code === null ? `no answer within ${(this.opts.installTimeoutMs ?? 300_000) / 1000} s` : lastLine(r.stderr) || lastLine(r.stdout);
    return `pip could not install ${reqFile} (is a package index reachable?): ${why}`;
  }
}

/** The requirements that matter (comments and blank lines dropped), or null when there are none. */
function readRequirements(file: string): string | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
  return lines.length ? lines.join('\n') : null;
}

function readMarker(venv: string): string | null {
  try {
    return readFileSync(path.join(venv, MARKER), 'utf8').trim();
  } catch {
    return null;
  }
}

function lastLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-2).join(' | ');
}

/** Run a program (never through a shell) and collect its output; code null on timeout. */
function runProcess(
  cmd: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...childEnvironment(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Only the tail matters (the last error lines).
    child.stdout.on('data', (c: Buffer) => void (stdout = (stdout + c.toString('utf8')).slice(-16_384)));
    child.stderr.on('data', (c: Buffer) => void (stderr = (stderr + c.toString('utf8')).slice(-16_384)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}\n${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : (code ?? 1), stdout, stderr });
    });
  });
}
