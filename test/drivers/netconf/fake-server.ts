import { Duplex, PassThrough } from 'node:stream';
import { FrameDecoder, encodeMessage, type Framing } from '../../../drivers/transports/netconf-framing.js';

/**
 * A scripted NETCONF server on an in-memory stream, for session tests without SSH. `answer`
 * sees each rpc (XML) and returns reply XML (with `$ID` replaced by the rpc's message-id),
 * null to stay silent, or a Buffer of raw bytes to send as is.
 */
export class FakeNetconfServer {
  readonly clientSide: Duplex;
  readonly received: string[] = [];
  private readonly toClient = new PassThrough();
  private readonly toServer = new PassThrough();
  private readonly decoder = new FrameDecoder({ label: 'fake server' });
  private framing: Framing = 'eom';
  private sawHello = false;

  constructor(
    private readonly capabilities: string[],
    private readonly answer: (rpc: string, id: string) => string | Buffer | null,
    private readonly sessionId = 7,
  ) {
    this.clientSide = Duplex.from({ readable: this.toClient, writable: this.toServer });
    this.toServer.on('data', (b: Buffer) => this.onBytes(b));
    const caps = capabilities.map((c) => `<capability>${c}</capability>`).join('');
    this.toClient.write(
      encodeMessage(
        'eom',
        `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>${caps}</capabilities><session-id>${sessionId}</session-id></hello>`,
      ),
    );
  }

  get mode(): Framing {
    return this.framing;
  }

  send(xml: string): void {
    this.toClient.write(encodeMessage(this.framing, xml));
  }

  sendRaw(bytes: Buffer): void {
    this.toClient.write(bytes);
  }

  hangUp(): void {
    this.toClient.end();
    this.clientSide.destroy();
  }

  private onBytes(b: Buffer): void {
    for (const msg of this.decoder.push(b)) {
      if (!this.sawHello) {
        this.sawHello = true;
        if (msg.includes('urn:ietf:params:netconf:base:1.1') && this.capabilities.includes('urn:ietf:params:netconf:base:1.1')) {
          this.framing = 'chunked';
          this.decoder.useChunked();
        }
        continue;
      }
      this.received.push(msg);
      const id = /message-id="([^"]*)"/.exec(msg)?.[1] ?? '';
      const out = this.answer(msg, id);
      if (out === null) continue;
      if (Buffer.isBuffer(out)) this.sendRaw(out);
      else this.send(out.replaceAll('$ID', id));
    }
  }
}

export const OK_REPLY = '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="$ID"><ok/></rpc-reply>';
