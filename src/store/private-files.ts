import fs from 'node:fs';
import { NrxError } from '../core/errors.js';

/**
 * The database holds password hashes, tokens, the audit log and every event: like
 * secrets.key it is for the appliance's user only. The data directory is made 0700 and the
 * database with its WAL and shared-memory files 0600, on creation and on every open (an
 * existing looser file or directory is tightened, not refused: chmod is what we would ask for).
 */

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** SQLite's companions of the database file in WAL mode. */
export const DATABASE_COMPANIONS = ['-wal', '-shm'] as const;

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function tighten(target: string, want: number, kind: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new NrxError('NRX_ERR_STORE', `cannot check the permissions of ${kind} ${target}: ${(e as Error).message}`, { cause: e });
  }
  if ((st.mode & 0o077) === 0) return;
  try {
    fs.chmodSync(target, want);
  } catch (e) {
    throw new NrxError(
      'NRX_ERR_STORE',
      `${kind} ${target} has mode ${modeText(st.mode)} and cannot be made ${modeText(want)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Run: chmod ${want.toString(8)} ${target}`,
      { cause: e },
    );
  }
}

/** Create the data directory 0700, or tighten it. A shared temp directory (sticky, world-writable) is refused. */
export function makeDataDirPrivate(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  const st = fs.statSync(dataDir);
  // chmod 0700 on /tmp would break every other user of the machine: refuse instead.
  if ((st.mode & 0o1000) !== 0 && (st.mode & 0o002) !== 0) {
    throw new NrxError(
      'NRX_ERR_STORE',
      `data directory ${dataDir} is a shared directory (mode ${modeText(st.mode)}); give netreflex a directory of its own, e.g. ${dataDir}/netreflex`,
    );
  }
  tighten(dataDir, DIR_MODE, 'data directory');
}

/** Create the database file 0600 before SQLite does (SQLite gives its WAL files the database's mode). */
export function createDatabaseFilePrivate(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
  tighten(file, FILE_MODE, 'database file');
}

/** Tighten the database and its companions after they exist (WAL mode switched on). */
export function makeDatabasePrivate(file: string): void {
  tighten(file, FILE_MODE, 'database file');
  for (const suffix of DATABASE_COMPANIONS) tighten(`${file}${suffix}`, FILE_MODE, 'database file');
}
