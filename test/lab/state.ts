/**
 * One lab per machine: the names are fixed (topology.ts), so a lock file says who holds them.
 * /run/netreflex-lab/lock.json records the holder's pid, its lab dir and whether it is a test
 * process (released by its own down) or `lab:up` from the CLI (released by `lab:down`).
 * A test that finds another test's lab waits; a lock whose test process died is stale and its
 * lab is cleaned by the next taker.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { isRunning } from './pids.js';
import { sleep } from './run.js';

export const STATE_DIR = process.env.NETREFLEX_LAB_STATE_DIR ?? '/run/netreflex-lab';
export const LOCK_FILE = path.join(STATE_DIR, 'lock.json');

export interface LabLock {
  pid: number;
  dir: string;
  mode: 'test' | 'cli';
  startedAt: string;
}

export function readLock(): LabLock | undefined {
  try {
    return JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as LabLock;
  } catch {
    return undefined;
  }
}

/** A test-mode lock whose process is gone: its lab may be half up and needs cleaning. */
export function isStale(lock: LabLock): boolean {
  return lock.mode === 'test' && !isRunning(lock.pid);
}

function tryCreate(lock: LabLock): boolean {
  mkdirSync(STATE_DIR, { recursive: true });
  try {
    const fd = openSync(LOCK_FILE, 'wx', 0o644);
    writeSync(fd, `${JSON.stringify(lock, null, 2)}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Takes the lock for `dir`. `cleanStale` tears down a dead holder's lab before the lock is
 * taken over. Waits up to `waitMs` for another live test's lab to go down.
 */
export async function acquireLock(
  dir: string,
  mode: LabLock['mode'],
  waitMs: number,
  cleanStale: (lock: LabLock) => Promise<void>,
  holderPid: number = process.pid,
): Promise<LabLock> {
  const mine: LabLock = { pid: holderPid, dir, mode, startedAt: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryCreate(mine)) return mine;
    const held = readLock();
    if (!held) continue; // released between our create and read
    if (held.pid === holderPid && held.mode === 'test') {
      throw new NrxError('NRX_ERR_CONFLICT', `lab: this process already has a lab up (dir ${held.dir}); share it or call down() first`);
    }
    if (held.mode === 'cli') {
      throw new NrxError(
        'NRX_ERR_CONFLICT',
        `lab: a lab started by \`lab:up\` is running (dir ${held.dir}, since ${held.startedAt}); run \`npm run lab:down\` first`,
      );
    }
    if (isStale(held)) {
      await cleanStale(held);
      // only remove the lock we judged stale, not one a faster taker just wrote
      const again = readLock();
      if (again && again.pid === held.pid && again.startedAt === held.startedAt) rmSync(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new NrxError('NRX_ERR_TIMEOUT', `lab: waited ${waitMs} ms for the lab held by pid ${held.pid} (dir ${held.dir}) to go down`);
    }
    await sleep(250);
  }
}

/** Releases the lock if it names `dir` (a down for an older lab must not free a newer one). */
export function releaseLock(dir: string): void {
  const held = readLock();
  if (held && held.dir === dir) rmSync(LOCK_FILE, { force: true });
}
