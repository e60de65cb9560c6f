// The netreflex side of the UDP trap benchmark, in its own process (its own core): a
// TrapListener whose events are counted, not stored. Prints {"port"} once listening; answers
// every line on stdin with the listener's counters and the events it published, as JSON.
import { createInterface } from 'node:readline';
import { TrapListener } from '../../src/sensors/snmptrap/listener.js';

let events = 0;
const listener = new TrapListener({
  host: '127.0.0.1',
  port: 0,
  // the kernel caps this at net.core.rmem_max; snmptrapd is asked for the same (serverRecvBuf)
  recvBufferBytes: 16 * 1024 * 1024,
  onEvent: () => void events++,
});
const { port } = await listener.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'close') break;
  const c = listener.counters;
  process.stdout.write(`${JSON.stringify({ received: c.received, decoded: c.decoded, malformed: c.malformed, events })}\n`);
}
await listener.close();
