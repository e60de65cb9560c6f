import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { swallowedErrorCounts } from '../core/swallowed-errors.js';
import type { ApiStream } from './stream.js';

/**
 * Prometheus metrics for one API instance. A registry of its own (not prom-client's global
 * one), so two apps in one process (tests) do not clash over metric names.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly eventsReceived: Counter<'type'>;
  readonly ruleEnforcements: Counter<'outcome'>;
  readonly executions: Counter<'action' | 'status'>;
  readonly apiRequests: Counter<'method' | 'route' | 'status'>;
  private readonly lastStatus = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(stream: ApiStream, sensorCounters?: () => Record<string, Record<string, number>>, intakeCounts?: () => Readonly<Record<string, number>>) {
    const registers = [this.registry];
    if (intakeCounts) {
      new Gauge({
        name: 'netreflex_event_intake',
        help: "The network sensors' events since start: offered, stored, coalesced (repeats folded into a stored event), duplicates (another sensor's view of a stored fault, stored with duplicateOf), shed_low_severity_syslog, shed_syslog, overflow (dropped under load, in that order), invalid, store_failed; queued and queued_high_water (events)",
        labelNames: ['counter'],
        registers,
        collect() {
          this.reset();
          for (const [counter, v] of Object.entries(intakeCounts())) this.set({ counter }, v);
        },
      });
    }
    if (sensorCounters) {
      new Gauge({
        name: 'netreflex_sensor_messages',
        help: 'Per sensor, since start: messages received, decoded, normalised, unknown, malformed, dropped; UDP sensors kernel_dropped (the kernel dropped them: receive buffer full); syslog also reader_dropped (read, then dropped: decoding too far behind the UDP reader thread), datagrams_truncated (longer than the largest datagram accepted, cut to it), reader_recvmmsg (1: the UDP socket is read by the native recvmmsg reader, 0: by the dgram module), truncated (text cut to the stored limit) and connections_open, connections_accepted, connections_refused_sensor_limit, connections_refused_source_limit, connections_closed_idle',
        labelNames: ['sensor', 'counter'],
        registers,
        collect() {
          this.reset();
          for (const [sensor, counters] of Object.entries(sensorCounters()))
            for (const [counter, v] of Object.entries(counters)) this.set({ sensor, counter }, v);
        },
      });
    }
    this.eventsReceived = new Counter({ name: 'netreflex_events_received_total', help: 'Events received, by trigger type', labelNames: ['type'], registers });
    this.ruleEnforcements = new Counter({
      name: 'netreflex_rule_enforcements_total',
      help: 'Rule decisions, by outcome (executed, escalated, throttled, held, cleared, maintenance, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.executions = new Counter({
      name: 'netreflex_executions_total',
      help: 'Execution status changes, by action and the status reached',
      labelNames: ['action', 'status'],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'netreflex_api_requests_total',
      help: 'API requests, by method, route and HTTP status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    new Gauge({
      name: 'netreflex_executions_running',
      help: 'Executions currently running in this process',
      registers,
      collect() {
        let n = 0;
        for (const r of stream.liveExecutions()) if (r.status === 'running') n++;
        this.set(n);
      },
    });
    new Counter({
      name: 'netreflex_swallowed_errors_total',
      help: 'Errors caught and carried on past, by where (store_prune, wait_for_criteria, hold_down_key, udp_socket); each is also logged, at most five lines a minute per place',
      labelNames: ['where'],
      registers,
      collect() {
        // process-wide counts (core/swallowed-errors.ts), read when scraped
        this.reset();
        for (const [where, n] of swallowedErrorCounts()) this.inc({ where }, n);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'netreflex_' });
    this.unsubscribe = stream.subscribe((m) => {
      if (m.kind === 'event') this.eventsReceived.inc({ type: m.event.type });
      else if (m.kind === 'enforcement') this.ruleEnforcements.inc({ outcome: m.enforcement.outcome });
      else {
        const rec = m.execution;
        // the engine reports a record several times in one status; count transitions only
        if (this.lastStatus.get(rec.id) === rec.status) return;
        this.executions.inc({ action: rec.action, status: rec.status });
        if (['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'].includes(rec.status)) this.lastStatus.delete(rec.id);
        else this.lastStatus.set(rec.id, rec.status);
      }
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.unsubscribe();
    this.registry.clear();
  }
}
