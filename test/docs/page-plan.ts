/**
 * Which shell commands of the README and the docs pages are run by which test, and which are
 * not run, with the reason. Every command shown must be in one of these lists: a new command
 * in a page fails readme-commands.test.ts until it is run or exempted here.
 */
import type { Expectation } from './run-page.js';

/** The pages whose commands are checked. */
export const PAGES = [
  'README.md',
  'docs/tour.md',
  'docs/api.md',
  'docs/rules.md',
  'docs/workflows.md',
  'docs/inventory-format.md',
  'docs/datastore.md',
  'docs/drivers.md',
  'docs/sensors.md',
  'docs/architecture.md',
  'docs/performance.md',
];

/** README sections whose commands test/lab/readme-walk.test.ts runs verbatim (root, namespaces). */
export const LAB_WALK_SECTION = /^The lab walk/;

/** Pages run verbatim, top to bottom, by test/docs/readme-commands.test.ts. */
export const RUN_PAGES = ['docs/tour.md'];

/** Commands that start something long-running: started in the background, ready when its output matches. */
export const BACKGROUND: Record<string, RegExp> = {
  'npm start': /netreflex: waiting for events/,
};

const FIXED_PORT = 'names the API on its default port 8080, and a test may not take fixed ports';

const PACK_EXAMPLE = 'needs a logged-in appliance (and, for tickets and uploads, a configured ticket system or server)';

/** Not run by any test, and why (exact command text as the page shows it, comments removed). */
export const EXEMPT: Record<string, string> = {
  'npm run demo': 'runs until Ctrl-C; test/lab/demo.test.ts runs it, waits for the repair and the escalation, sends SIGINT and checks that nothing is left',
  'npm ci && npm start':
    '`npm ci` would reinstall node_modules under every test running at the same time; CI runs it (.ci/run), and the lab walk and the tour run `npm start`',
  'npm ci && npm test': 'runs the whole suite, this test included; it is what CI runs (.ci/run)',
  'npx netreflex login --url http://127.0.0.1:8080 --user admin': `asks for the admin password that \`npm start\` printed, and ${FIXED_PORT}`,
  'npx netreflex inventory import --yaml inventory/': `needs the login above (${FIXED_PORT})`,
  "npx netreflex inventory preview --filter 'site=dc1 and role=leaf'": `needs the login above (${FIXED_PORT})`,
  "npx netreflex run core.local cmd='uname -a' --remote": `needs the login above (${FIXED_PORT})`,
  'npx netreflex execution tail <id>': 'a placeholder <id> for the execution the line above started',
  'npx netreflex logout': `ends the login above (${FIXED_PORT})`,
  'netreflex pack config ticket system=redmine url=https://redmine.example.net project=netops': `${PACK_EXAMPLE}; test/api/pack-config.test.ts sets values through this command`,
  'netreflex pack config ticket api_key': `${PACK_EXAMPLE}; asks for the secret without echo (test/api/pack-config.test.ts feeds it on stdin)`,
  'netreflex run ticket.ensure incident_key=bgp/leaf1/10.0.1.1 subject="BGP peer 10.0.1.1 down on leaf1"': `${PACK_EXAMPLE}; test/packs/ticket/redmine.test.ts runs ticket.ensure through netreflex run against a real Redmine`,
  'netreflex run files.collect_logs on="role=leaf" commands=\'["show ip bgp summary"]\'': `${PACK_EXAMPLE}; test/packs/files/collect-logs.test.ts runs it through netreflex run`,
  'netreflex run openstack.allocate_vni network_id=9b1c0f2e-7d0a-4c5e-9a43-2b7c1f6e8d10 name=web': `${PACK_EXAMPLE}; test/packs/openstack/run-and-workflow.test.ts runs it through netreflex run`,
  'curl -s -X POST http://127.0.0.1:8080/api/v1/webhooks -H "X-API-Key: $ADMIN_KEY" \\\n  -H \'content-type: application/json\' -d \'{"name": "neutron", "kind": "neutron", "auth": "hmac"}\'': `needs an admin API key ($ADMIN_KEY) that no CLI command makes yet, and ${FIXED_PORT}`,
  'curl -s http://127.0.0.1:8080/api/v1/webhooks -H "X-API-Key: $KEY"': `needs an API key ($KEY), and ${FIXED_PORT}`,
  'curl -s -X DELETE http://127.0.0.1:8080/api/v1/webhooks/neutron -H "X-API-Key: $ADMIN_KEY"': `needs an admin API key ($ADMIN_KEY), and ${FIXED_PORT}`,
  'body=\'{"event_type": "network.create.end", "payload": {"network": {"id": "n1", "provider:segmentation_id": 5001}}}\'':
    'part of the signed webhook call below',
  'sig=$(printf \'%s\' "$body" | openssl dgst -sha256 -hmac "$SECRET" | sed \'s/^.* //\')': 'needs the webhook secret ($SECRET) the create call returned',
  'curl -s -X POST http://127.0.0.1:8080/api/v1/webhooks/neutron -H \'content-type: application/json\' \\\n  -H "X-Netreflex-Signature: sha256=$sig" -d "$body"': `needs the webhook created above, and ${FIXED_PORT}`,
};

/** What the tour's commands must print (a command not listed must exit 0). */
export const TOUR_EXPECT: Record<string, Expectation> = {
  'npx netreflex event list': { stdout: /network\.bgp_peer_state_changed\s+r1\b.*hello\.peer_down:executed/, withinMs: 30_000 },
  'npx netreflex execution list --all': {
    stdout: /^(?=[\s\S]*hello\.peer_down_chain\s+succeeded)(?=[\s\S]*core\.echo\s+succeeded)(?=[\s\S]*core\.local\s+succeeded)/,
    withinMs: 30_000,
  },
  "npx netreflex run core.local cmd='uname -a'": { stdout: /Linux/ },
  'npx netreflex run hello.peer_down_chain device=r1 peer=10.0.12.2 --json': { stdout: /"status": "succeeded"[\s\S]*checking r1 10\.0\.12\.2/ },
};

/** What the README's lab walk must print. */
export const WALK_EXPECT: Record<string, Expectation> = {
  // exit 0 means every leaf answered; each shows its session to spine1 established
  'npx netreflex exec "show ip bgp summary" --on role=leaf': {
    stdout: /leaf1[\s\S]*10\.0\.1\.1\s.*established[\s\S]*leaf2[\s\S]*10\.0\.2\.1\s.*established/,
    withinMs: 30_000,
  },
  'npx netreflex event list --type network.bgp_peer_state_changed': {
    stdout: /network\.bgp_peer_state_changed\s+leaf1\s.*remediation\.bgp_peer_down:held/,
    withinMs: 20_000,
  },
  'npx netreflex execution list': { stdout: /remediation\.bgp_peer_down\s+running/, withinMs: 30_000 },
  'npx netreflex inventory ls --filter site=lab': { stdout: /^(?=[\s\S]*\bleaf1\b)(?=[\s\S]*\bleaf2\b)(?=[\s\S]*\bspine1\b)[\s\S]*frr/ },
  // leaf1's escalation, followed live to its end: the bundle, the ticket step (skipped without a ticket system), chat
  'npx netreflex execution tail --device leaf1': {
    // the tasks go to stderr; stdout has their log lines: the bundle, the escalation, the chat message
    stdout: /collect \| bundle [\s\S]*escalate \| ESCALATE: BGP peer 10\.0\.1\.1 on leaf1: not established within 20s[\s\S]*chat \| announced on route chatops/,
  },
  // both leaves repaired, nothing left running
  'npx netreflex execution list --all': {
    stdout:
      /^(?![\s\S]*running)(?=[\s\S]*network\.get_bgp_neighbors\s+succeeded)[\s\S]*remediation\.bgp_peer_down\s+succeeded[\s\S]*remediation\.bgp_peer_down\s+succeeded/,
    withinMs: 90_000,
  },
};
