/**
 * Bounded capture of a process's stdout or stderr: keeps the first `capBytes`, streams
 * complete lines to a callback, and remembers whether anything was dropped.
 */
export class CapturedStream {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private partial = '';
  truncated = false;

  constructor(
    private readonly capBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.kept < this.capBytes) {
      const room = this.capBytes - this.kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
      if (part.length < chunk.length) this.truncated = true;
    } else if (chunk.length) this.truncated = true;
    // Streaming stops with capture, so a runaway command cannot flood the log either.
    if (this.truncated && this.kept >= this.capBytes) return;
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.onLine(l.replace(/\r$/, ''));
  }

  /** Flush the last unterminated line. */
  end(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }

  text(): string {
    let s = Buffer.concat(this.chunks).toString('utf8');
    if (this.truncated) s += `\n[netreflex: output truncated after ${this.capBytes} bytes]`;
    return s;
  }
}
