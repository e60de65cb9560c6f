import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient } from '../../src/cli/api-client.js';
import { ciscoLikeDevice, startReplayServer, type ReplayServer } from '../drivers/replay-server.js';
import { generateHostKey } from '../drivers/ssh-host-key.js';
import { cli, liveAppliance, type LiveAppliance } from './cli-harness.js';
import { cliEntry } from './cli-entry.js';
import { helpExamples, type HelpExample } from './help-examples.js';

/**
 * Every example in every command's --help runs: each is run by bash as printed, with
 * `netreflex` on the PATH, logged in as admin to a test appliance (the shipped packs and the
 * test fixtures), in a scratch directory holding the files the examples name. What a test
 * cannot have is swapped for a stand-in, in SAMPLE below: the sample execution ids for real
 * ones, system paths for scratch ones, example.net hosts for the test appliance.
 */

/** Examples that wait for something forever (a server, a live stream): they pass when still running, without an error, after a while. */
const WAITS = [/^netreflex serve\b/, /^netreflex event tail\b/, /^netreflex execution tail --(rule|device)\b/];
/**
 * A waiting example that says when it is up is stopped once it has (then a later example may rely
 * on what it made: `serve --data-dir` creates the data directory and its key); the others after 6 s.
 */
const READY: Array<[RegExp, RegExp]> = [[/^netreflex serve\b/, /waiting for events/]];

/**
 * Examples that do not run yet, each with why. An entry that runs fails the test: remove it.
 * The owner of the command fixes the example (or the command) and drops the line.
 */
const KNOWN_FAILING: Readonly<Record<string, string>> = {
  'netreflex inventory import netbox-devices.json': 'inventory: the test has no NetBox export to import yet',
  'NETBOX_TOKEN=... netreflex inventory import https://netbox.example.net/api/dcim/devices/?site=dc1':
    'inventory: needs a NetBox API (a local stand-in would do)',
  'netreflex pack install https://github.com/example/netreflex-pack-evpn.git': 'pack: needs a git server (a local bare repository would do)',
  'netreflex exec facts --on role=leaf --data-dir /var/lib/netreflex --inventory inventory/':
    'exec: refused while NETREFLEX_URL is set (the example runs on a data directory only)',
};

let live: LiveAppliance;
let api: ApiClient;
const servers: ReplayServer[] = [];
/** Workflows started just before the examples that cancel, pause and resume one (watch.steps waits in its second task). */
const running: Record<string, string> = {};
let scratch: string;
let env: Record<string, string>;
/** Stand-ins: a pattern in an example and what it becomes, given the command whose help shows it. */
const SAMPLE: Array<[RegExp, (command: string) => string]> = [];

async function runExample(line: string, command: string): Promise<{ code: number | null; output: string; waited: boolean }> {
  let text = line;
  for (const [re, to] of SAMPLE) text = text.replace(re, () => to(command));
  const waits = WAITS.some((re) => re.test(line));
  const ready = READY.find(([re]) => re.test(line))?.[1];
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', text], { cwd: path.join(scratch, 'work'), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let waited = false;
    const stop = (): void => {
      waited = true;
      process.kill(-child.pid!, 'SIGTERM');
    };
    const heard = (d: string): void => {
      output += d;
      if (ready?.test(output) && !waited) stop();
    };
    child.stdout.setEncoding('utf8').on('data', heard);
    child.stderr.setEncoding('utf8').on('data', heard);
    // one that should have said it is up and has not is a failure, not a wait
    const timer = setTimeout(() => (ready ? process.kill(-child.pid!, 'SIGTERM') : stop()), waits && !ready ? 6_000 : 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: `$ ${text}\n${output}`, waited });
    });
  });
}

before(async () => {
  live = await liveAppliance();
  scratch = mkdtempSync(path.join(tmpdir(), 'nrx-help-examples-'));
  const bin = path.join(scratch, 'bin');
  const home = path.join(scratch, 'home');
  for (const d of [bin, home, path.join(scratch, 'work'), path.join(scratch, 'var-lib-netreflex')]) mkdirSync(d, { recursive: true });
  // tsx by its full location: the examples run in the scratch directory, outside this project
  const entry = cliEntry().map((a) => (a === 'tsx' ? import.meta.resolve('tsx') : a));
  writeFileSync(path.join(bin, 'netreflex'), `#!/bin/sh\nexec "${process.execPath}" ${entry.map((a) => `"${a}"`).join(' ')} "$@"\n`);
  chmodSync(path.join(bin, 'netreflex'), 0o755);
  copyFileSync(path.resolve('package.json'), path.join(scratch, 'package.json'));
  const { token } = await live.auth.login('admin', live.adminPassword);
  api = new ApiClient({ url: live.url, token });
  await fixtures(path.join(scratch, 'work'), home);
  const done = await api.runAction('core.echo', { message: 'sample' });
  const revocable = await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} }, { description: 'for apikey revoke' });
  const event = await api.emitEvent('core.event', { message: 'sample' });
  SAMPLE.push(
    [/01J9Z6K3W4M2C8Q5R7T9V1X3Y5|01kbdx3m5q/g, (command) => ({ 'netreflex event get': event.id, ...running })[command] ?? done.id],
    [/http:\/\/nrx1\.example\.net:8080/g, () => live.url],
    [/\b01jd8k\b/g, () => revocable.id],
    [/\/var\/lib\/netreflex/g, () => path.join(scratch, 'var-lib-netreflex')],
    [/\/etc\/bash_completion\.d\/netreflex/g, () => path.join(scratch, 'completion.bash')],
    [/\/var\/log\/frr\/frr\.log/g, () => path.join(scratch, 'work', 'frr.log')],
    [/~\/ntc-templates\/ntc_templates\/templates/g, () => NTC],
    // the fixture capture holds a second user's traps too
    [/--usm-user labv3:\S+/g, (_c) => '--usm-user labv3:sha:authpass123:aes:privpass123 --usm-user desuser:md5:authpass456:des:privpass456'],
  );
  env = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NETREFLEX_URL: live.url,
    // an API key: `user passwd` (your own) revokes your login tokens
    NETREFLEX_API_KEY: (await live.auth.createApiKey({ user: 'admin', role: 'admin', grants: {} })).key,
    NETREFLEX_TEXTFSM_PATH: NTC,
    NO_COLOR: '1',
    // login --user admin reads the admin's; "$PW" is the ops user's; new users get another
    NETREFLEX_PASSWORD: live.adminPassword,
    PW: OPS_PASSWORD,
    NETREFLEX_NEW_PASSWORD: 'example-password-2',
  };
});

const OPS_PASSWORD = 'example-password-1';
const NTC = path.resolve('test/drivers/textfsm/fixtures/ntc');

/** The users, inventory and files the examples name. */
async function fixtures(work: string, home: string): Promise<void> {
  await live.auth.createUser({ name: 'ops', password: OPS_PASSWORD, role: 'operator' });
  await live.appliance.credentials.set('lab-frr', { username: 'admin', password: 'secret-1' });
  const inventory = path.join(work, 'inventory');
  mkdirSync(inventory);
  writeFileSync(path.join(inventory, 'groups.yaml'), 'dc1:\n  data: { site: dc1 }\nleaves:\n  data: { role: leaf }\n');
  // the leaves are SSH servers that answer like Cisco IOS, their keys in the appliance's known_hosts
  const bgp = readFileSync(path.resolve('test/drivers/fixtures/cisco_ios/bgp_neighbors/napalm_normal/show_bgp_all_summary.txt'), 'utf8');
  const hosts: string[] = [];
  const known: string[] = [];
  for (const name of ['dc1-leaf1', 'leaf1', 'leaf2']) {
    const server = await startReplayServer(ciscoLikeDevice(name, { 'show version': `${name} IOS 15.2`, 'show ip bgp summary': bgp }));
    servers.push(server);
    hosts.push(
      `${name}:\n  hostname: 127.0.0.1\n  port: ${server.port}\n  platform: cisco_ios\n  credential: lab\n  groups: [dc1, leaves]\n  data: { asn: 65101 }\n`,
    );
    known.push(`[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
  }
  writeFileSync(path.join(inventory, 'hosts.yaml'), hosts.join(''));
  writeFileSync(path.join(live.dataDir, 'known_hosts'), known.join(''));
  await live.appliance.credentials.set('lab', { username: 'admin', password: 'secret-1' });
  const imported = await cli(['inventory', 'import', '--yaml', inventory], {
    NETREFLEX_URL: live.url,
    NETREFLEX_PASSWORD: live.adminPassword,
    NETREFLEX_TOKEN: (await live.auth.login('admin', live.adminPassword)).token,
  });
  assert.equal(imported.code, 0, imported.stderr);
  writeFileSync(
    path.join(work, 'bgp_down.json'),
    JSON.stringify({ trigger: 'network.bgp_peer_state_changed', payload: { device: 'r1', peer: '10.0.12.2', state: 'idle' } }),
  );
  mkdirSync(path.join(work, 'packs/remediation/rules'), { recursive: true });
  copyFileSync(path.resolve('workflows/rules/bgp_peer_down.yaml'), path.join(work, 'packs/remediation/rules/bgp_peer_down.yaml'));
  mkdirSync(path.join(work, 'packs/bgp_tools/actions'), { recursive: true });
  writeFileSync(
    path.join(work, 'packs/bgp_tools/pack.yaml'),
    'ref: bgp_tools\nname: bgp_tools\nversion: 0.1.0\ndescription: example pack of the help examples\n',
  );
  writeFileSync(path.join(work, 'token.txt'), 'example-token');
  copyFileSync(path.resolve('test/drivers/fixtures/frr/bgp_neighbors/active/show_ip_bgp_summary.txt'), path.join(work, 'bgp.txt'));
  copyFileSync(path.resolve('test/drivers/fixtures/cisco_ios/lldp_neighbors/long_names/show_lldp_neighbors.txt'), path.join(work, 'lldp.txt'));
  copyFileSync(path.resolve('test/sensors/snmptrap/fixtures/snmptrap-v1-v2c-v3.pcap'), path.join(work, 'traps.pcap'));
  copyFileSync(path.resolve('test/sensors/sflow/fixtures/sflow_expanded.pcapng'), path.join(work, 'sflow.pcap'));
  writeFileSync(path.join(work, 'frr.log'), '<189>1 2026-01-01T00:00:00Z r1 bgpd - - - %ADJCHANGE: neighbor 10.0.12.2 Down BGP Notification\n');
  mkdirSync(path.join(home, '.ssh'));
  writeFileSync(path.join(home, '.ssh/id_ed25519'), generateHostKey().private, { mode: 0o600 });
}

after(async () => {
  await live.close();
  await Promise.all(servers.map((x) => x.close()));
  rmSync(scratch, { recursive: true, force: true });
});

test('every help example runs (exit 0), or waits without an error when it follows something live', async () => {
  // a line that runs no netreflex command (tcpdump capturing for the next one) is context, not an example
  const examples: HelpExample[] = (await helpExamples()).filter((e) => /\bnetreflex\b/.test(e.line));
  assert.ok(examples.length > 50, `found only ${examples.length} examples`);
  const failing: string[] = [];
  const report: string[] = [];
  for (const e of examples) {
    if (e.command === 'netreflex inquiry respond') {
      // core.ask waiting for an answer of the shape the example gives (core.ask's default asks for continue)
      const approval = { type: 'object', properties: { approved: { type: 'boolean' }, reason: { type: 'string' } } };
      running[e.command] = (await api.runAction('core.ask', /approved=/.test(e.line) ? { schema: approval } : {})).id;
    }
    if (e.command === 'netreflex execution cancel' || e.command === 'netreflex execution pause') {
      const id = (await api.runAction('watch.steps', { pause: 30 })).id;
      running[e.command] = id;
      if (e.command === 'netreflex execution pause') running['netreflex execution resume'] = id;
    }
    const r = await runExample(e.line, e.command);
    const ok = r.waited ? !/error/i.test(r.output) : r.code === 0;
    if (!ok) {
      failing.push(e.line);
      if (!KNOWN_FAILING[e.line]) report.push(`${e.command} --help: exit ${r.code}\n${r.output.slice(0, 600)}`);
    }
  }
  assert.deepEqual(report, [], `help examples that do not run:\n\n${report.join('\n\n')}`);
  const fixed = Object.keys(KNOWN_FAILING).filter((l) => !failing.includes(l));
  assert.deepEqual(fixed, [], 'these examples run now: remove them from KNOWN_FAILING');
});
