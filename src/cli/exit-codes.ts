import { NrxError } from '../core/errors.js';

/**
 * Exit codes, documented in `netreflex --help` and src/cli/README.md:
 *   0 ok · 1 failed (the action failed, the rule did not match, the request was refused as
 *   conflicting) · 2 usage or invalid input · 3 cannot reach the API or not authenticated ·
 *   4 forbidden (the credential's role or grants do not allow it) · 5 waiting for an answer (`run`
 *   stopped at a pending inquiry, core.ask).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, forbidden: 4, pending: 5 } as const;

/** The exit code for an error: by its catalogue code first, then by its HTTP status class. */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof NrxError)) return EXIT.failed;
  switch (e.code) {
    case 'NRX_ERR_API_UNREACHABLE':
    case 'NRX_ERR_UNAUTHORIZED':
      return EXIT.unreachable;
    case 'NRX_ERR_FORBIDDEN':
      return EXIT.forbidden;
    case 'NRX_ERR_USAGE':
    case 'NRX_ERR_CONFIG': // a bad flag, environment variable or client config file
      return EXIT.usage;
    default:
      // 400 invalid input, 404 unknown thing named on the command line; 409 and 5xx: it was tried and failed
      return e.status === 400 || e.status === 404 ? EXIT.usage : EXIT.failed;
  }
}

const UNAUTHORIZED_HINT = 'log in with `netreflex login`, or set NETREFLEX_API_KEY / NETREFLEX_TOKEN';

/** Print an error the way operators read it: code, then the message naming file/line/field. */
export function reportError(e: unknown): number {
  if (e instanceof NrxError) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    const nested = e.details.errors;
    if (Array.isArray(nested))
      for (const n of nested.slice(0, 20))
        process.stderr.write(
          `  ${typeof n === 'string' ? n : `${(n as { code?: string }).code ?? ''}: ${(n as { message?: string }).message ?? JSON.stringify(n)}`}\n`,
        );
    // an error may carry its own hint (login: the password was wrong, logging in again is no help)
    const hint = typeof e.details.hint === 'string' ? e.details.hint : e.code === 'NRX_ERR_UNAUTHORIZED' ? UNAUTHORIZED_HINT : null;
    if (hint) process.stderr.write(`hint: ${hint}\n`);
    return exitCodeFor(e);
  }
  process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
  return EXIT.failed;
}
