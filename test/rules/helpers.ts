import { parseYaml } from '../../src/core/yaml.js';
import { makeEvent, type EventEnvelope } from '../../src/events/envelope.js';
import { parseRule, type Rule } from '../../src/rules/rule.js';

/** Build a rule from a plain object (JSON is YAML), enabled unless it says otherwise. */
export function rule(doc: Record<string, unknown>): Rule {
  const full = { pack: 'test', enabled: true, action: { ref: 'test.act', parameters: {} }, ...doc };
  return parseRule(parseYaml(JSON.stringify(full), `rules/${String(doc.name)}.yaml`));
}

let n = 0;
export function bgpEvent(payload: Record<string, unknown>, type = 'network.bgp_peer_state_changed'): EventEnvelope {
  return makeEvent(type, payload, { source: 'test', id: `ev${++n}` });
}
