import { NrxError } from '../core/errors.js';

/** Execution ids are 26 characters of lower-case Crockford base32 (src/core/ids.ts). */
const FULL_LENGTH = 26;
const ID_CHARS = /^[0-9a-z]+$/;
const SHOWN_CANDIDATES = 10;

/** Executions whose id sorts below `before`, newest (highest id) first. */
export type ListBelow = (before: string, limit: number) => Promise<Array<{ id: string; action: string; status: string; createdAt: string }>>;

/**
 * A unique prefix of an execution id stands for the id, as git takes a prefix of a commit.
 * Ids sort as text, so the executions starting with a prefix are the newest ones below
 * `prefix + '~'` ('~' sorts after every id character): one page of the list answers.
 * A full id, or text that cannot be a prefix, is passed on as it is.
 */
export async function resolveExecutionId(given: string, listBelow: ListBelow): Promise<string> {
  const prefix = given.toLowerCase();
  if (given.length >= FULL_LENGTH || !ID_CHARS.test(prefix)) return given;
  const page = await listBelow(`${prefix}~`, SHOWN_CANDIDATES + 1);
  const matches = page.filter((r) => r.id.startsWith(prefix));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new NrxError('NRX_ERR_EXECUTION_NOT_FOUND', `no execution id starts with '${given}'`);
  const shown = matches.slice(0, SHOWN_CANDIDATES).map((r) => `  ${r.id}  ${r.action}  ${r.status}  ${r.createdAt}`);
  throw new NrxError(
    'NRX_ERR_USAGE',
    `execution id prefix '${given}' is ambiguous; give more characters of one of:\n${shown.join('\n')}${matches.length > SHOWN_CANDIDATES ? '\n  ...' : ''}`,
    { details: { candidates: matches.slice(0, SHOWN_CANDIDATES).map((r) => r.id) } },
  );
}
