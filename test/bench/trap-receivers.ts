// The two trap receivers the UDP benchmark feeds side by side: netreflex's TrapListener in its
// own process (snmptrap-receiver.ts) and Debian's snmptrapd, each behind the same small interface,
// plus the kernel's drop counters both are judged by.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const here = path.dirname(new URL(import.meta.url).pathname);

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Kernel drops of the UDP socket bound to 127.0.0.1:port (last column of /proc/net/udp); NaN when none is bound. */
export function socketDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .find((l) => l.trim().split(/\s+/)[1] === local);
  return line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
}

/** Kernel UDP receive-buffer drops so far, all sockets (/proc/net/snmp Udp: RcvbufErrors). */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  return Number(lines[1]!.split(/\s+/)[lines[0]!.split(/\s+/).indexOf('RcvbufErrors')]);
}

/** A trap receiver under test: where to send, how many traps it has taken in so far, how to stop it. */
export interface Receiver {
  name: string;
  port: number;
  taken(): Promise<number> | number;
  close(): Promise<void>;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(killer);
}

export async function startNetreflexTrapReceiver(): Promise<Receiver> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'snmptrap-receiver.ts')], {
    cwd: path.join(here, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => {
    const line = (await replies.next()).value as string | undefined;
    if (line === undefined) throw new Error(`the netreflex trap receiver exited (${child.exitCode ?? child.signalCode})`);
    return JSON.parse(line) as Record<string, number>;
  };
  try {
    const { port } = await next();
    return {
      name: 'netreflex TrapListener',
      port: port!,
      async taken() {
        child.stdin!.write('report\n');
        return (await next()).events!;
      },
      async close() {
        child.stdin!.end('close\n');
        const quit = setTimeout(() => child.kill('SIGTERM'), 1000);
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
        clearTimeout(quit);
      },
    };
  } catch (e) {
    await stop(child);
    throw e;
  }
}

/** snmptrapd as an operator runs it: foreground, log to a file, numeric OIDs, only our config, any community. */
export async function startSnmptrapd(dir: string, recvBufferBytes: number): Promise<Receiver> {
  const port = await freeUdpPort();
  const conf = path.join(dir, 'snmptrapd.conf');
  const log = path.join(dir, 'snmptrapd.log');
  writeFileSync(conf, `disableAuthorization yes\n[snmp] serverRecvBuf ${recvBufferBytes}\n`);
  const child = spawn('snmptrapd', ['-f', '-Lf', log, '-On', '-C', '-c', conf, `udp:127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: path.join(dir, 'persist') },
  });
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new Error(`snmptrapd (Debian package snmptrapd) could not start: ${e.message}`))),
  );
  failed.catch(() => undefined);
  try {
    for (let i = 0; i < 100 && Number.isNaN(socketDrops(port)); i++) await Promise.race([failed, new Promise((r) => setTimeout(r, 50))]);
    if (Number.isNaN(socketDrops(port))) throw new Error(`snmptrapd did not bind 127.0.0.1:${port} within 5 s (see ${log})`);
  } catch (e) {
    await stop(child);
    throw e;
  }
  // every trap snmptrapd logs starts with a "[UDP: [source]:port->[...]]:" header line
  const marker = Buffer.from('[UDP: [');
  let fd = -1;
  let offset = 0;
  let traps = 0;
  const chunk = Buffer.alloc(1 << 20);
  return {
    name: 'snmptrapd (net-snmp) -Lf file',
    port,
    taken() {
      if (fd < 0) fd = openSync(log, 'r');
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, offset);
        if (n === 0) return traps;
        // count complete lines only, so a header cut by the read is counted next time
        const end = chunk.lastIndexOf(10, n - 1) + 1;
        if (end === 0) return traps;
        for (let at = chunk.indexOf(marker, 0); at !== -1 && at < end; at = chunk.indexOf(marker, at + 1)) traps++;
        offset += end;
      }
    },
    async close() {
      if (fd >= 0) closeSync(fd);
      await stop(child);
    },
  };
}
