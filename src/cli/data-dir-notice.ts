import { existsSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_FILE } from '../store/sqlite-store.js';

/**
 * Commands that make a data directory when there is none (serve, credential set|import, run in
 * this process) say so on stderr, with where and why: a mistyped --data-dir or a missing
 * NETREFLEX_DATA_DIR must not silently become a second, empty appliance.
 */
export function noteNewDataDir(dataDir: string, why: string, stream: NodeJS.WritableStream = process.stderr): boolean {
  if (existsSync(path.join(dataDir, DATABASE_FILE))) return false;
  stream.write(`netreflex: creating a new data directory at ${dataDir} (${why}); --data-dir or NETREFLEX_DATA_DIR chooses another\n`);
  return true;
}
