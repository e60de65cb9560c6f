// The netreflex side of the UDP syslog benchmark, in its own process (its own core): a
// SyslogListener whose events are counted, not stored. Prints {"port", "recvBufferBytes"} once
// listening; answers every line on stdin with the sensor's counters as JSON.
import { createInterface } from 'node:readline';
import { SyslogListener } from '../../src/sensors/syslog/listener.js';
import { SyslogSensor } from '../../src/sensors/syslog/sensor.js';

let events = 0;
const sensor = new SyslogSensor({ publish: () => void events++ });
const listener = new SyslogListener(sensor, { udp: { host: '127.0.0.1', port: 0 } });
const addr = await listener.start();
process.stdout.write(`${JSON.stringify({ port: addr.udp!.port, recvBufferBytes: addr.udp!.recvBufferBytes })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'close') break;
  process.stdout.write(`${JSON.stringify({ ...sensor.counters.snapshot(), events })}\n`);
}
await listener.close();
