// The appliance side of the storm benchmark, in its own process: `netreflex serve` as
// buildAppliance assembles it (SQLite in a temp data dir, the generated inventory and rules, the
// API, syslog on a free UDP port). Prints {"syslog", "api"} once listening; answers each line on
// stdin with its counters as JSON. STORM_DEVICES / STORM_RULES size the world.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { buildAppliance } from '../../src/assembly.js';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/log.js';
import { writeInventory, writePack } from './storm-fleet.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nrx-storm-'));
const devices = Number(process.env.STORM_DEVICES ?? 10_000);
const rules = Number(process.env.STORM_RULES ?? 1_000);
const inventoryDir = writeInventory(dir, devices);
const packs = writePack(dir, rules);
process.env.NETREFLEX_ADMIN_PASSWORD = process.env.STORM_ADMIN_PASSWORD ?? 'storm-admin-password';
const config = loadConfig({ dataDir: path.join(dir, 'data'), packsPaths: [packs] });
const said: string[] = [];
const assembled = buildAppliance({
  config,
  log: createLogger('netreflex', 'error'),
  say: (l) => said.push(l),
  api: { host: '127.0.0.1', port: 0 },
  sensors: { host: '127.0.0.1', syslogUdpPort: 0, syslogTcpPort: null, syslogTls: null, trapPort: null, sflowPort: null },
  inventoryDir,
});
await assembled.start();
const api = said.map((l) => /API on (http:\/\/\S+?)\s/.exec(l)?.[1]).find(Boolean);
const syslog = Number(assembled.sensorAddresses()['syslog/udp']!.split(':').pop());
process.stdout.write(`${JSON.stringify({ syslog, api, devices, rules: assembled.appliance.rules.all().length })}\n`);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const db = new Database(path.join(config.dataDir, 'netreflex.db'), { readonly: true });
const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'close') break;
  const report = {
    syslog: assembled.sensorCounters().syslog,
    intake: assembled.appliance.intake.counts,
    events: count('SELECT count(*) AS n FROM trigger_instances'),
    pending: count("SELECT count(*) AS n FROM trigger_instances WHERE status = 'pending'"),
    executions: count('SELECT count(*) AS n FROM executions'),
    rssMb: process.memoryUsage().rss / 1048576,
    loopLagP99Ms: lag.percentile(99) / 1e6,
    cpuUs: process.cpuUsage().user + process.cpuUsage().system,
  };
  lag.reset();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
db.close();
await assembled.stop();
rmSync(dir, { recursive: true, force: true });
