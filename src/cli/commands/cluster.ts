import type { Command } from 'commander';
import type { ClusterNode, ClusterView } from '../../appliance/cluster-membership.js';
import { withExamples } from '../help.js';
import { printJson, table } from '../output.js';
import { clientFor, guarded } from '../remote.js';

const COUNTER_COLUMNS = [
  'node',
  'heard',
  'published',
  'dup',
  'retried',
  'buffered',
  'lost',
  'consumed',
  'redelivered',
  'running',
  'cpu s',
  'rss MB',
  'uptime s',
];

/** A node's own counters at its last heartbeat: the second table of `cluster status`. */
function counterRow(n: ClusterNode): Record<string, string> {
  const m = n.metrics!;
  const bus = (k: keyof NonNullable<typeof m.bus>): string => (m.bus ? String(m.bus[k]) : '-');
  return {
    node: n.name,
    heard: String(Object.values(m.sensors).reduce((a, b) => a + b, 0)),
    published: bus('published'),
    dup: bus('duplicates'),
    retried: bus('publishRetries'),
    buffered: bus('buffered'),
    lost: bus('lost'),
    consumed: bus('consumed'),
    redelivered: bus('redelivered'),
    running: String(m.executionsRunning),
    'cpu s': m.cpuSeconds.toFixed(1),
    'rss MB': (m.rssBytes / 1_048_576).toFixed(0),
    'uptime s': String(m.uptimeSeconds),
  };
}

/** A heartbeat older than this is shown as late (a node beats every 5 s). */
const LATE_MS = 10_000;

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('the nodes of a distributed appliance (serve --store postgres:// --bus nats://)');
  withExamples(
    cluster
      .command('status')
      .description(
        'nodes (roles, host, pid, last heartbeat, timer leader) and their counters (events heard, published, consumed; executions running; CPU, memory), the store and the event bus backlog, through the API',
      )
      .option('--json', 'print the API answer as JSON'),
    'netreflex cluster status',
    'netreflex cluster status --json | jq ".bus.pending"',
  ).action((opts: { json?: boolean }, cmd: Command) =>
    guarded(async () => {
      const view = await clientFor(cmd).request<ClusterView>('GET', '/api/v1/cluster');
      if (opts.json) return printJson(view);
      const now = Date.now();
      const rows = view.nodes.map((n) => ({
        node: n.name,
        roles: n.roles.join(','),
        host: `${n.host} pid ${n.pid}`,
        up: n.startedAt.replace(/\.\d+Z$/, 'Z'),
        'last seen': now - Date.parse(n.lastSeen) > LATE_MS ? `${Math.round((now - Date.parse(n.lastSeen)) / 1000)} s ago (late)` : 'now',
        leader: n.leader ? 'timers' : '',
      }));
      const lines = [
        `store  ${view.store.kind}${view.store.location ? ` ${view.store.location}` : ''}`,
        view.bus === null
          ? 'bus    none (events stay in this process)'
          : 'error' in view.bus
            ? `bus    ${view.bus.url}: ${view.bus.error}`
            : `bus    ${view.bus.url} stream ${view.bus.stream}, consumer ${view.bus.consumer}: ${view.bus.pending} waiting, ${view.bus.ackPending} being recorded, ${view.bus.redelivered} redelivered`,
        '',
        rows.length ? table(rows, ['node', 'roles', 'host', 'up', 'last seen', 'leader']) : 'no node has reported a heartbeat yet',
      ];
      const counted = view.nodes.filter((n) => n.metrics);
      if (counted.length) lines.push('', table(counted.map(counterRow), COUNTER_COLUMNS));
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );
}
