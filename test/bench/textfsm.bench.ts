/**
 * TextFSM: lines/s through a compiled template for the shared device outputs, next to Debian's
 * python3-textfsm doing the same work (template compiled once, parse repeated; median of rounds).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRows } from '../../drivers/textfsm/fsm.js';
import { pySplitlines } from '../../drivers/textfsm/py-text.js';
import { parseTemplate } from '../../drivers/textfsm/template.js';
import { missingPackages } from '../lab/packages.js';
import { REFERENCE_PACKAGES, runReference } from '../drivers/textfsm/reference.js';
import { median, type BenchResult } from './stats.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const NTC = path.join(here, '../drivers/textfsm/fixtures/ntc');
const OUTPUTS = path.join(here, '../drivers/fixtures');

/** A typical template per shape of output: a long per-interface block, a table with states, a List. */
const WORKLOADS = [
  { name: 'cisco_ios show interfaces', template: 'cisco_ios_show_interfaces.textfsm', input: 'cisco_ios/interfaces/napalm_normal/show_interfaces.txt' },
  {
    name: 'cisco_nxos show ip bgp summary vrf all',
    template: 'cisco_nxos_show_ip_bgp_summary.textfsm',
    input: 'cisco_nxos/bgp_neighbors/vrfs/show_ip_bgp_summary_vrf_all.txt',
  },
  {
    name: 'cisco_nxos show port-channel summary (List)',
    template: 'cisco_nxos_show_port-channel_summary.textfsm',
    input: 'cisco_nxos/lag_members/port_channels/show_port-channel_summary.txt',
  },
];

const ROUNDS = 5;

function ours(templateFile: string, inputFile: string, repeat: number): number {
  const t = parseTemplate(readFileSync(templateFile, 'utf8'), templateFile);
  const text = readFileSync(inputFile, 'utf8');
  const lines = pySplitlines(text).length;
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < repeat; i++) parseRows(t, text);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push((lines * repeat) / s);
  }
  return median(rates);
}

export async function benchTextfsm(): Promise<BenchResult[]> {
  const jobs = WORKLOADS.map((w) => ({ ...w, templateFile: path.join(NTC, w.template), inputFile: path.join(OUTPUTS, w.input) }));
  const havePython = (await missingPackages(REFERENCE_PACKAGES)).length === 0;
  if (!havePython) process.stderr.write('textfsm bench: python3-textfsm is not installed, so no peer figures (apt-get install python3-textfsm)\n');
  const peer = havePython
    ? (await runReference({ bench: jobs.map((j) => ({ template: j.templateFile, input: j.inputFile, repeat: 300, rounds: ROUNDS })) })).bench
    : [];
  return jobs.map((j, i) => ({
    name: `textfsm: ${j.name}`,
    value: ours(j.templateFile, j.inputFile, 3000) / 1000,
    unit: 'k lines/s',
    ...(peer[i] ? { peer: { name: 'python3-textfsm', value: peer[i]!.linesPerSecond / 1000 } } : { peerFailed: 'python3-textfsm is not installed' }),
    goal: '>= 5x python3-textfsm',
  }));
}
