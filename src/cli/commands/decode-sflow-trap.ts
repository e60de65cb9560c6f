import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NrxError } from '../../core/errors.js';
import { readPcapUdp } from '../../sensors/pcap.js';
import { decodeSflowDatagram } from '../../sensors/sflow/decoder.js';
import { sampleSummaries } from '../../sensors/sflow/ndjson.js';
import { decodeTrap } from '../../sensors/snmptrap/message.js';
import { normaliseTrap } from '../../sensors/snmptrap/normalise.js';
import type { AuthProtocol, PrivProtocol, UsmUser } from '../../sensors/snmptrap/usm.js';
import { EXIT, reportError } from '../exit-codes.js';

// not from ../context.js: that module opens the store, which `decode` must not load
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** One NDJSON line, or a datagram that could not be decoded (written to stderr). */
export type DecodeOutput = { line: Record<string, unknown> } | { error: { packet: number; from: string; code: string; message: string } };

/** Every sample of every sFlow datagram in a capture, in the shape issue 5 fixes. */
export function decodeSflowCapture(capture: Buffer, opts: { file?: string; port?: number } = {}): DecodeOutput[] {
  const out: DecodeOutput[] = [];
  readPcapUdp(capture, opts.file).forEach((p, i) => {
    if (opts.port !== undefined && p.dstPort !== opts.port) return;
    try {
      for (const line of sampleSummaries(decodeSflowDatagram(p.payload))) out.push({ line });
    } catch (e) {
      out.push({ error: errorOf(e, i + 1, `${p.srcAddr}:${p.srcPort}`) });
    }
  });
  return out;
}

/** One normalised event per trap in a capture: `{type, time, payload}`. */
export function decodeTrapCapture(capture: Buffer, opts: { file?: string; port?: number; users?: UsmUser[] } = {}): DecodeOutput[] {
  const out: DecodeOutput[] = [];
  readPcapUdp(capture, opts.file).forEach((p, i) => {
    if (opts.port !== undefined && p.dstPort !== opts.port) return;
    try {
      const time = new Date(p.timeMs).toISOString();
      const e = normaliseTrap(decodeTrap(p.payload, { users: opts.users }), { sourceAddress: p.srcAddr, time });
      out.push({ line: { type: e.type, time: e.time, payload: e.payload } });
    } catch (e) {
      out.push({ error: errorOf(e, i + 1, `${p.srcAddr}:${p.srcPort}`) });
    }
  });
  return out;
}

function errorOf(e: unknown, packet: number, from: string): { packet: number; from: string; code: string; message: string } {
  return { packet, from, code: e instanceof NrxError ? e.code : 'NRX_ERR_DECODE', message: e instanceof Error ? e.message : String(e) };
}

/** `user:auth:authpass[:priv:privpass]`, e.g. `labv3:sha:authpass123:aes:privpass123`. */
export function parseUsmUser(spec: string): UsmUser {
  const [user, auth, authKey, priv, privKey] = spec.split(':');
  const auths = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
  if (!user || !auth || !authKey || !auths.includes(auth.toLowerCase())) {
    throw new NrxError('NRX_ERR_USAGE', `--usm-user '${user ?? ''}': expected user:md5|sha|sha256...:authpass[:des|aes:privpass]`);
  }
  if (priv !== undefined && (!['des', 'aes'].includes(priv.toLowerCase()) || !privKey)) {
    throw new NrxError('NRX_ERR_USAGE', `--usm-user '${user}': privacy must be des or aes followed by the privacy password`);
  }
  return { user, authProtocol: auth.toLowerCase() as AuthProtocol, authKey, ...(priv ? { privProtocol: priv.toLowerCase() as PrivProtocol, privKey } : {}) };
}

function print(results: DecodeOutput[]): number {
  let bad = 0;
  const lines: string[] = [];
  for (const r of results) {
    if ('line' in r) lines.push(JSON.stringify(r.line));
    else {
      bad++;
      process.stderr.write(`packet ${r.error.packet} from ${r.error.from}: ${r.error.code}: ${r.error.message}\n`);
    }
  }
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  return bad;
}

function readCapture(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new NrxError('NRX_ERR_USAGE', `cannot read --pcap ${file}: ${(e as Error).message}`);
  }
}

/** `decode sflow --pcap FILE` and `decode trap --pcap FILE` under the `decode` command. */
export function registerDecodeSflowTrap(decode: Command): void {
  decode
    .command('sflow')
    .description('decode the sFlow v5 datagrams in a pcap/pcapng capture: one JSON object per sample (NDJSON)')
    .requiredOption('--pcap <file>', 'capture of UDP datagrams (tcpdump -w)')
    .option('--port <n>', 'only datagrams sent to this UDP port', (v) => Number(v))
    .addHelpText(
      'after',
      '\nExit codes: 0 every datagram decoded, 1 some were malformed (named on stderr), 2 unreadable file.\n\nExample:\n  tcpdump -i any -w sflow.pcap udp port 6343\n  netreflex decode sflow --pcap sflow.pcap | jq \'select(.kind=="flow") | [.srcAddr,.dstAddr,.protocol]\'\n',
    )
    .action((opts: { pcap: string; port?: number }) => {
      try {
        process.exitCode = print(decodeSflowCapture(readCapture(opts.pcap), { file: opts.pcap, port: opts.port })) ? EXIT.failed : EXIT.ok;
      } catch (e) {
        reportError(e);
        process.exitCode = EXIT.usage;
      }
    });
  decode
    .command('trap')
    .description('decode the SNMP v1/v2c/v3 traps in a pcap/pcapng capture: one normalised event per trap (NDJSON)')
    .requiredOption('--pcap <file>', 'capture of UDP datagrams (tcpdump -w)')
    .option('--port <n>', 'only datagrams sent to this UDP port', (v) => Number(v))
    .option('--usm-user <spec>', 'SNMPv3 user user:md5|sha|sha256:authpass[:des|aes:privpass] (repeatable)', collect)
    .addHelpText(
      'after',
      '\nExit codes: 0 every trap decoded, 1 some were malformed or failed v3 authentication (named on stderr), 2 bad arguments.\n\nExample:\n  netreflex decode trap --pcap traps.pcap --usm-user labv3:sha:authpass123:aes:privpass123\n',
    )
    .action((opts: { pcap: string; port?: number; usmUser?: string[] }) => {
      try {
        const users = (opts.usmUser ?? []).map(parseUsmUser);
        process.exitCode = print(decodeTrapCapture(readCapture(opts.pcap), { file: opts.pcap, port: opts.port, users })) ? EXIT.failed : EXIT.ok;
      } catch (e) {
        reportError(e);
        process.exitCode = EXIT.usage;
      }
    });
}
