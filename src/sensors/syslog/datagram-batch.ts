/**
 * Datagrams as they arrived, many to one transferable buffer: how the syslog UDP reader thread
 * hands its traffic to the thread that decodes it. Moving a batch costs one postMessage and no
 * copy (the ArrayBuffers are transferred, not cloned); cloning decoded event objects instead cost
 * more than decoding them. Order is kept: datagram i of a batch arrived before datagram i + 1.
 */
export interface DatagramBatch {
  count: number;
  /** The datagrams' bytes back to back; datagram i is bytes[ends[i-1] ?? 0, ends[i]). */
  bytes: ArrayBuffer;
  ends: Uint32Array;
  /** Arrival time of each datagram, ms since the epoch. */
  receivedAt: Float64Array;
  /** Index into `addresses` of each datagram's source address. */
  sources: Uint16Array;
  addresses: string[];
}

/** The buffers of a batch, for postMessage's transfer list. */
export function transferList(b: DatagramBatch): ArrayBuffer[] {
  return [b.bytes, b.ends.buffer as ArrayBuffer, b.receivedAt.buffer as ArrayBuffer, b.sources.buffer as ArrayBuffer];
}

/** Fills batches; a batch is handed back when it is full (by count or bytes) or flushed. */
export class DatagramBatchWriter {
  private batch: DatagramBatch | null = null;
  private view: Uint8Array | null = null;
  private used = 0;
  private readonly addressIndex = new Map<string, number>();

  /** @param capacity bytes per batch (a larger datagram gets a batch of its own size) @param maxCount datagrams per batch */
  constructor(
    private readonly capacity = 256 * 1024,
    private readonly maxCount = 1024,
  ) {}

  /** Adds one datagram; returns a batch that is complete now (the one before, if this did not fit in it). */
  push(msg: Uint8Array, address: string, receivedAt: number): DatagramBatch | null {
    let done: DatagramBatch | null = null;
    if (this.batch && this.used + msg.length > this.view!.length) done = this.flush();
    const b = this.batch ?? this.open(msg.length);
    this.view!.set(msg, this.used);
    this.used += msg.length;
    let source = this.addressIndex.get(address);
    if (source === undefined) {
      source = b.addresses.push(address) - 1;
      this.addressIndex.set(address, source);
    }
    const i = b.count++;
    b.ends[i] = this.used;
    b.receivedAt[i] = receivedAt;
    b.sources[i] = source;
    if (b.count === this.maxCount || b.addresses.length === 0xffff) return done ?? this.flush();
    return done;
  }

  /** The batch being filled, if it has anything; the next push starts a new one. */
  flush(): DatagramBatch | null {
    const b = this.batch;
    this.batch = null;
    this.view = null;
    this.used = 0;
    this.addressIndex.clear();
    return b && b.count > 0 ? b : null;
  }

  get pending(): number {
    return this.batch?.count ?? 0;
  }

  private open(size: number): DatagramBatch {
    this.batch = emptyBatch(Math.max(this.capacity, size), this.maxCount);
    this.view = new Uint8Array(this.batch.bytes);
    return this.batch;
  }
}

/** A batch with room for `maxCount` datagrams and `capacity` bytes, nothing in it yet. */
export function emptyBatch(capacity: number, maxCount: number): DatagramBatch {
  return {
    count: 0,
    bytes: new ArrayBuffer(capacity),
    ends: new Uint32Array(maxCount),
    receivedAt: new Float64Array(maxCount),
    sources: new Uint16Array(maxCount),
    addresses: [],
  };
}

/** Each datagram of a batch in arrival order: a Buffer view on the batch (no copy), its source and arrival time. */
export function forEachDatagram(b: DatagramBatch, fn: (bytes: Buffer, address: string, receivedAt: number) => void): void {
  const all = Buffer.from(b.bytes);
  let start = 0;
  for (let i = 0; i < b.count; i++) {
    const end = b.ends[i]!;
    fn(all.subarray(start, end), b.addresses[b.sources[i]!]!, b.receivedAt[i]!);
    start = end;
  }
}

/**
 * Each datagram of a batch in arrival order as UTF-8 text (what the decoder reads), its source
 * and arrival time: decoded straight from the batch, without a Buffer per datagram.
 */
export function forEachDatagramText(b: DatagramBatch, fn: (text: string, address: string, receivedAt: number) => void): void {
  const all = Buffer.from(b.bytes);
  let start = 0;
  for (let i = 0; i < b.count; i++) {
    const end = b.ends[i]!;
    fn(all.toString('utf8', start, end), b.addresses[b.sources[i]!]!, b.receivedAt[i]!);
    start = end;
  }
}
