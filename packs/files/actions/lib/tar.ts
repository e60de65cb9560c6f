import { gzipSync } from 'node:zlib';

/**
 * A gzip'd POSIX ustar archive of regular files, in memory: what `tar xzf` unpacks anywhere and
 * what a ticket can carry as one attachment. Only what a log bundle needs: files, no links,
 * names up to 255 bytes (split into ustar's prefix and name), mode 0644.
 */

export interface TarFile {
  /** Path inside the archive, '/'-separated. */
  name: string;
  data: Buffer;
  mtime: Date;
}

const BLOCK = 512;

export function tarGz(files: readonly TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(header(f));
    parts.push(f.data);
    const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return gzipSync(Buffer.concat(parts));
}

function header(f: TarFile): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, name] = splitName(f.name);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, f.data.length);
  octal(h, 136, 12, Math.floor(f.mtime.getTime() / 1000));
  h.fill(' ', 148, 156); // checksum counts as spaces while it is computed
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\u000000', 257, 8, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return h;
}

function octal(h: Buffer, at: number, width: number, n: number): void {
  h.write(`${n.toString(8).padStart(width - 1, '0')}\u0000`, at, width, 'ascii');
}

/** ustar keeps up to 100 bytes of name and 155 of directory prefix, split at a '/'. */
function splitName(full: string): [string, string] {
  if (Buffer.byteLength(full) <= 100) return ['', full];
  for (let i = full.indexOf('/'); i !== -1; i = full.indexOf('/', i + 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`path ${JSON.stringify(full.slice(0, 80))} is too long for a tar archive`);
}
