/**
 * The syslog UDP socket on a worker thread: receive, decode, identify the device, normalise and
 * wrap in an envelope here, off the thread that stores events and runs the rules, and hand the
 * events over a batch at a time (see UdpWorkerHost). Messages from the host: `devices` (the
 * inventory table, again whenever it changes) and `close`.
 */
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../core/log.js';
import type { EventEnvelope } from '../../events/envelope.js';
import { DeviceTable, type DeviceRow } from '../device-index.js';
import { SyslogSensor } from './sensor.js';
import type { FromWorker, ToWorker, UdpWorkerOptions } from './udp-worker-messages.js';

const opts = workerData as UdpWorkerOptions;
const port = parentPort!;
let devices = new DeviceTable(opts.devices);
let batch: EventEnvelope[] = [];
let timer: NodeJS.Timeout | null = null;

const sensor = new SyslogSensor({
  publish: (e) => {
    batch.push(e);
    if (batch.length >= opts.batchSize) flush();
    else timer ??= setTimeout(flush, opts.flushMs);
  },
  resolver: { byHostname: (n) => devices.byHostname(n), byAddress: (a) => devices.byAddress(a) },
  platform: opts.platform,
  logger: createLogger('netreflex-syslog-udp'),
  ...(opts.maxStoredTextBytes !== undefined ? { maxStoredTextBytes: opts.maxStoredTextBytes } : {}),
});

function counters(): Record<string, number> {
  return { ...sensor.counters.snapshot(), truncated: sensor.truncated };
}

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  const events = batch;
  batch = [];
  post({ kind: 'events', events, counters: counters() });
}

function post(m: FromWorker): void {
  port.postMessage(m);
}

const socket = dgram.createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: opts.recvBufferBytes });
socket.on('message', (msg, rinfo) => sensor.handle(msg, rinfo.address));
socket.once('error', (e) => post({ kind: 'error', message: e.message }));
socket.bind(opts.port, opts.host, () => {
  socket.on('error', (e) => post({ kind: 'socket-error', message: e.message }));
  const a = socket.address();
  post({ kind: 'listening', host: a.address, port: a.port, recvBufferBytes: socket.getRecvBufferSize() });
});
// counters move with no event too (malformed input): report them now and then
const tick = setInterval(() => {
  if (batch.length === 0) post({ kind: 'counters', counters: counters() });
}, 250);

port.on('message', (m: ToWorker) => {
  if (m.kind === 'devices') devices = new DeviceTable(m.rows as DeviceRow[]);
  else if (m.kind === 'close') {
    clearInterval(tick);
    socket.close(() => {
      flush();
      post({ kind: 'closed' });
      port.close();
    });
  }
});
