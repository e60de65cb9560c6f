import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { decodeSyslog } from '../../sensors/syslog/decode.js';
import { identifyDevice } from '../../sensors/syslog/device.js';
import { normaliseSyslog } from '../../sensors/syslog/normalise.js';
import { normaliserFor, PLATFORM_NORMALISERS } from '../../sensors/syslog/platforms/index.js';
import { EXIT, reportError } from '../exit-codes.js';

export interface DecodeSyslogOptions {
  platform?: string;
  /** Address to attribute lines to (host/device when a line names no hostname). */
  sourceAddress?: string;
  /** Arrival time used for a missing year and zone (default: now, per line). */
  receivedAt?: string;
}

/**
 * Raw syslog lines in, one `{"type", "payload"}` JSON line out per message (NDJSON). Empty lines
 * are skipped; a line that cannot be decoded is named on `errors` and counted. Returns the counts.
 */
export async function decodeSyslogStream(
  input: Readable,
  output: Writable,
  errors: Writable,
  opts: DecodeSyslogOptions = {},
): Promise<{ lines: number; malformed: number }> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  const fixedTime = opts.receivedAt !== undefined ? Date.parse(opts.receivedAt) : null;
  const source = opts.sourceAddress ?? 'stdin';
  let lines = 0;
  let malformed = 0;
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '') continue;
    lines++;
    try {
      const msg = decodeSyslog(line, { receivedAt: fixedTime ?? Date.now(), sourceAddress: source });
      const ev = normaliseSyslog(msg, { device: identifyDevice(null, msg.hostname, source), platform: opts.platform ?? null });
      if (!output.write(`${JSON.stringify({ type: ev.type, payload: ev.payload })}\n`)) await new Promise((r) => output.once('drain', r));
    } catch (e) {
      malformed++;
      errors.write(`line ${n}: ${e instanceof NrxError ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    }
  }
  return { lines, malformed };
}

/** The `decode` command group; `decode syslog` here, other sensors add their subcommands to the returned command. */
export function registerDecode(program: Command): Command {
  const decode = program.command('decode').description('decode captured sensor input offline and print the events it makes (NDJSON)');
  decode
    .command('syslog')
    .description('read raw syslog lines on stdin and print one {"type", "payload"} JSON object per line')
    .option('--platform <platform>', `read every line as this platform (${[...PLATFORM_NORMALISERS.keys()].join(', ')}); default: sniffed per line`)
    .option('--source-address <ip>', 'the address the lines came from (device and host when a line has no hostname)', 'stdin')
    .option('--received-at <iso>', 'arrival time for lines without a year or zone (default: now)')
    .addHelpText(
      'after',
      "\nExit codes: 0 every line decoded, 1 some lines were malformed (named on stderr), 2 bad arguments.\n\nExamples:\n  tail -n 100 /var/log/frr/frr.log | netreflex decode syslog --platform frr\n  echo '<189>117: *Mar  1 00:00:00.123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down' | netreflex decode syslog\n",
    )
    .action(async (opts: { platform?: string; sourceAddress?: string; receivedAt?: string }) => {
      try {
        if (opts.receivedAt !== undefined && Number.isNaN(Date.parse(opts.receivedAt)))
          throw new NrxError('NRX_ERR_USAGE', `--received-at '${opts.receivedAt}' is not an ISO 8601 time`);
        if (opts.platform !== undefined && !normaliserFor(opts.platform))
          process.stderr.write(`warning: no syslog normaliser for platform '${opts.platform}'; every line becomes network.syslog\n`);
        const r = await decodeSyslogStream(process.stdin, process.stdout, process.stderr, opts);
        process.exitCode = r.malformed > 0 ? EXIT.failed : EXIT.ok;
      } catch (e) {
        reportError(e);
        process.exitCode = EXIT.usage;
      }
    });
  return decode;
}
