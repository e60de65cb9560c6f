// The netreflex side of the UDP syslog benchmark, in its own process: a SyslogListener whose
// events are counted, not stored. The first argument says how it reads the socket:
// `worker` (the appliance's way: the socket read on a worker thread, with the native recvmmsg
// reader where it is built, default), `worker-dgram` (the worker thread with Node's dgram, the
// fallback), `main` (all on this thread) or `bare` (a dgram socket that only counts: the
// ceiling of Node's receive path here). The second is the receive buffer to ask for (bytes).
// Prints {"port", "recvBufferBytes", "reader"} once listening; answers every line on stdin
// with its counters as JSON.
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { SyslogListener } from '../../src/sensors/syslog/listener.js';
import { SyslogSensor } from '../../src/sensors/syslog/sensor.js';

const mode = process.argv[2] ?? 'worker';
const recvBufferBytes = Number(process.argv[3] ?? 32 * 1024 * 1024);
let events = 0;
let report: () => Record<string, number>;
let close: () => Promise<void>;
if (mode === 'bare') {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: recvBufferBytes });
  socket.on('message', () => void events++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  process.stdout.write(`${JSON.stringify({ port: socket.address().port, recvBufferBytes: socket.getRecvBufferSize(), reader: 'dgram' })}\n`);
  report = () => ({ events });
  close = () => new Promise((r) => socket.close(() => r()));
} else {
  const sensor = new SyslogSensor({ publish: () => void events++ });
  const listener = new SyslogListener(sensor, {
    udp: { host: '127.0.0.1', port: 0, recvBufferBytes, worker: mode !== 'main', ...(mode === 'worker-dgram' ? { reader: 'dgram' as const } : {}) },
  });
  const addr = await listener.start();
  process.stdout.write(`${JSON.stringify({ port: addr.udp!.port, recvBufferBytes: addr.udp!.recvBufferBytes, reader: addr.udp!.reader })}\n`);
  report = () => ({ ...sensor.counters.snapshot(), events });
  close = () => listener.close();
}
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'close') break;
  process.stdout.write(`${JSON.stringify(report())}\n`);
}
await close();
