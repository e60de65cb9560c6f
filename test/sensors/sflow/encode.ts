/** A small sFlow v5 encoder for tests: builds the datagrams the detector and fuzzers need. */
export class XdrWriter {
  private parts: Buffer[] = [];

  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }

  u64(v: number): this {
    return this.u32(Math.floor(v / 4294967296)).u32(v % 4294967296);
  }

  bytes(b: Buffer): this {
    this.parts.push(b, Buffer.alloc((4 - (b.length % 4)) % 4));
    return this;
  }

  opaque(b: Buffer): this {
    return this.u32(b.length).bytes(b);
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function record(enterprise: number, format: number, body: Buffer): Buffer {
  return new XdrWriter()
    .u32((enterprise << 12) | format)
    .opaque(body)
    .done();
}

export interface IfCounters {
  ifIndex: number;
  speed?: number;
  up?: boolean;
  inOctets?: number;
  outOctets?: number;
  inPkts?: number;
  outPkts?: number;
  inErrors?: number;
  outErrors?: number;
}

export function genericCounters(c: IfCounters): Buffer {
  const w = new XdrWriter()
    .u32(c.ifIndex)
    .u32(6)
    .u64(c.speed ?? 1e9)
    .u32(1)
    .u32(c.up === false ? 1 : 3);
  w.u64(c.inOctets ?? 0)
    .u32(c.inPkts ?? 0)
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(c.inErrors ?? 0)
    .u32(0);
  w.u64(c.outOctets ?? 0)
    .u32(c.outPkts ?? 0)
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(c.outErrors ?? 0)
    .u32(0);
  return record(0, 1, w.done());
}

export function lagCounters(aggId: number, actorOper: number): Buffer {
  const w = new XdrWriter().bytes(Buffer.from('020000000001', 'hex')).bytes(Buffer.from('020000000002', 'hex')).u32(aggId);
  w.bytes(Buffer.from([0x3d, actorOper, 0x3d, 0x3d]));
  for (let i = 0; i < 8; i++) w.u32(i);
  return record(0, 7, w.done());
}

export function portName(name: string): Buffer {
  return record(0, 1005, new XdrWriter().opaque(Buffer.from(name)).done());
}

export function counterSample(seq: number, ifIndex: number, records: Buffer[]): Buffer {
  const body = new XdrWriter().u32(seq).u32(ifIndex).u32(records.length).bytes(Buffer.concat(records)).done();
  return record(0, 2, body);
}

export function flowSample(seq: number, ifIndex: number, rate: number, records: Buffer[]): Buffer {
  const body = new XdrWriter()
    .u32(seq)
    .u32(ifIndex)
    .u32(rate)
    .u32(seq * rate)
    .u32(0)
    .u32(ifIndex)
    .u32(0x3fffffff)
    .u32(records.length)
    .bytes(Buffer.concat(records))
    .done();
  return record(0, 1, body);
}

export function rawHeader(frame: Buffer, frameLength = frame.length + 4): Buffer {
  return record(0, 1, new XdrWriter().u32(1).u32(frameLength).u32(4).opaque(frame).done());
}

export function datagram(agent: string, sequence: number, uptimeMs: number, samples: Buffer[]): Buffer {
  const w = new XdrWriter()
    .u32(5)
    .u32(1)
    .bytes(Buffer.from(agent.split('.').map(Number)))
    .u32(0)
    .u32(sequence)
    .u32(uptimeMs)
    .u32(samples.length);
  return Buffer.concat([w.done(), ...samples]);
}
