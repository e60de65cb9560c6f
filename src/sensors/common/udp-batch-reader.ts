/**
 * The native UDP batch reader (native/udp_batch_reader.c, built by `npm ci`): a socket read
 * with recvmmsg, many datagrams per system call, packed straight into a batch's buffers. Node
 * 20's dgram reads one datagram per callback (a syscall, a Buffer and an address string each),
 * which is what bounded the syslog sensor under a flood. Where the addon was not built (no C
 * compiler at install, not Linux), loadUdpBatchReader says why and the caller reads with dgram.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** How a UDP sensor reads its socket: the native batch reader, or Node's dgram (one datagram per callback). */
export type UdpReaderKind = 'recvmmsg' | 'dgram';

/** What open() answers: the socket bound, and the receive buffer the kernel granted (Linux reports twice the bytes asked). */
export interface OpenedUdpBatchReader {
  reader: unknown;
  address: string;
  port: number;
  recvBufferBytes: number;
  /** SO_RCVBUFFORCE was allowed (root or CAP_NET_ADMIN): the buffer may exceed net.core.rmem_max. */
  forced: boolean;
}

export interface UdpBatchReaderAddon {
  open(host: string, port: number, recvBufferBytes: number, maxDatagramBytes: number, maxBatchCount: number): OpenedUdpBatchReader;
  /**
   * Appends datagrams to a batch holding `count` (0 starts a new one: `addresses` must then be
   * empty) until it is full or the socket is empty; waits up to timeoutMs only if nothing came.
   * Fills bytes/ends/receivedAt/sources and pushes each new source address; returns the new count.
   */
  read(
    reader: unknown,
    bytes: Uint8Array,
    ends: Uint32Array,
    receivedAt: Float64Array,
    sources: Uint16Array,
    addresses: string[],
    count: number,
    timeoutMs: number,
  ): number;
  /** Reads what is waiting and throws it away (waiting up to timeoutMs); returns how many. */
  discard(reader: unknown, timeoutMs: number): number;
  /** Datagrams longer than maxDatagramBytes so far: each was handed on cut to that length. */
  truncated(reader: unknown): number;
  close(reader: unknown): void;
}

const BUILT = ['../../../native/build/Release/udp_batch_reader.node', '../../../../native/build/Release/udp_batch_reader.node'];

/** The addon, or why there is none (then read with dgram). From src/ (tsx) or dist/src/ (built). */
export function loadUdpBatchReader(candidates = BUILT): { addon: UdpBatchReaderAddon } | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `recvmmsg is Linux only (this is ${process.platform})` };
  const file = candidates.map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (!file) return { unavailable: 'native/build/Release/udp_batch_reader.node was not built (no C compiler at install? `npm run build:native`)' };
  try {
    return { addon: createRequire(import.meta.url)(file) as UdpBatchReaderAddon };
  } catch (e) {
    return { unavailable: `${file} does not load: ${(e as Error).message.split('\n')[0]}` };
  }
}
