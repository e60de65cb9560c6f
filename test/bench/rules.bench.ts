import { parseYaml } from '../../src/core/yaml.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { RuleIndex, ruleContext } from '../../src/rules/matcher.js';
import { parseRule, type Rule } from '../../src/rules/rule.js';
import { median, percentile, type BenchResult } from './stats.js';

const TYPES = ['network.bgp_peer_state_changed', 'network.interface_down', 'network.interface_up', 'network.lag_member_down', 'network.syslog'];

/** N realistic rules: one per device and trigger type, an equality on the device plus a second criterion. */
export function makeRules(n: number): Rule[] {
  const rules: Rule[] = [];
  for (let i = 0; i < n; i++) {
    const type = TYPES[i % TYPES.length]!;
    const device = `leaf${Math.floor(i / TYPES.length)}`;
    const yaml = `name: r${i}
pack: bench
enabled: true
trigger:
  type: ${type}
criteria:
  trigger.device:
    type: equals
    pattern: ${device}
  trigger.severity:
    type: lessthan
    pattern: 6
action:
  ref: core.noop
  parameters:
    device: "{{ trigger.device }}"
`;
    rules.push(parseRule(parseYaml(yaml, `bench/rules/r${i}.yaml`)));
  }
  return rules;
}

export function makeEvents(ruleCount: number, n: number): EventEnvelope[] {
  const devices = Math.max(1, Math.floor(ruleCount / TYPES.length));
  const out: EventEnvelope[] = [];
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push(makeEvent(TYPES[x % TYPES.length]!, { device: `leaf${x % (devices * 2)}`, severity: x % 8, peer: '10.0.0.1', state: 'idle' }));
  }
  return out;
}

/** Match events against an index; throughput from a timed loop, latency from per-event timing. */
export function benchRules(ruleCount: number, repeats = 5): BenchResult[] {
  const index = new RuleIndex();
  const rules = makeRules(ruleCount);
  for (const r of rules) index.add(r);
  const events = makeEvents(ruleCount, 200_000);
  const now = Date.now();
  // warm up
  for (let i = 0; i < 50_000; i++) index.match(events[i]!, { now });
  const rates: number[] = [];
  let matched = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (const e of events) matched += index.match(e, { now }).matched.length;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(events.length / secs);
  }
  const lat: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const e = events[i]!;
    const t0 = process.hrtime.bigint();
    index.match(e, { now });
    lat.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  // the peer: the same rules evaluated one by one (what a matcher without an index does)
  const linearRates: number[] = [];
  const sample = events.slice(0, Math.max(2000, Math.floor(2_000_000 / ruleCount)));
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (const e of sample) {
      const ctx = ruleContext(e);
      for (const rule of rules) if (rule.trigger.type === e.type) rule.compiledCriteria.test(ctx, { now });
    }
    linearRates.push(sample.length / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const rate = median(rates);
  const linear = median(linearRates);
  if (matched === 0) throw new Error('benchmark events matched no rule: the bench is broken');
  return [
    {
      name: `rules: match events/s, ${ruleCount} rules (indexed)`,
      value: rate,
      unit: 'events/s',
      peer: { name: 'same rules, linear scan', value: linear },
      goal: ruleCount <= 1000 ? '>= 500,000/s' : '>= 100,000/s',
    },
    { name: `rules: match latency p50, ${ruleCount} rules`, value: median(lat), unit: 'µs' },
    { name: `rules: match latency p99, ${ruleCount} rules`, value: percentile(lat, 99), unit: 'µs', goal: '< 20 µs' },
  ];
}
