/**
 * Faults for people (`npm run lab:fault -- kill-bgpd spine1`): the same injections the lab tests
 * use, on the lab that `lab:up` left running.
 */
import type { Command } from 'commander';
import { NrxError } from '../../src/core/errors.js';
import { attachLab, readLabState, type Lab } from './lab.js';
import { readLock } from './state.js';

function runningLab(): Lab {
  const lock = readLock();
  const state = lock ? readLabState(lock.dir) : undefined;
  if (!state) throw new NrxError('NRX_ERR_NOT_FOUND', 'lab: no lab is up; start one with `npm run lab:up -- --appliance`');
  return attachLab(state);
}

const FAULTS: Array<{ name: string; args: string[]; help: string; run: (lab: Lab, a: string, b: string) => Promise<void>; done: string }> = [
  {
    name: 'kill-bgpd',
    args: ['router'],
    help: "kill the router's BGP daemon (its peers log the session drop)",
    run: (lab, r) => lab.fault.killBgpd(r),
    done: 'bgpd killed on %1',
  },
  { name: 'start-bgpd', args: ['router'], help: "start the router's BGP daemon again", run: (lab, r) => lab.fault.startBgpd(r), done: 'bgpd started on %1' },
  {
    name: 'shutdown-peer',
    args: ['router', 'peer'],
    help: "`neighbor PEER shutdown` in the router's BGP configuration (peer by name or address)",
    run: (lab, r, p) => lab.fault.shutdownPeer(r, p),
    done: '%1: neighbor %2 shut down',
  },
  {
    name: 'no-shutdown-peer',
    args: ['router', 'peer'],
    help: '`no neighbor PEER shutdown`',
    run: (lab, r, p) => lab.fault.noShutdownPeer(r, p),
    done: '%1: neighbor %2 enabled again',
  },
  {
    name: 'link-down',
    args: ['router', 'interface'],
    help: 'set an interface of the router down',
    run: (lab, r, i) => lab.fault.linkDown(r, i),
    done: '%1 %2 down',
  },
  { name: 'link-up', args: ['router', 'interface'], help: 'set it up again', run: (lab, r, i) => lab.fault.linkUp(r, i), done: '%1 %2 up' },
  {
    name: 'lag-member-down',
    args: ['member'],
    help: 'take a LACP bond member down (lagx1 or lagx2)',
    run: (lab, m) => lab.fault.lagMemberDown(m),
    done: 'LAG member %1 down',
  },
  { name: 'lag-member-up', args: ['member'], help: 'bring it back', run: (lab, m) => lab.fault.lagMemberUp(m), done: 'LAG member %1 up' },
];

export function registerFault(program: Command): void {
  const fault = program
    .command('fault')
    .description('inject a fault into the running lab, or take it back')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run lab:fault -- kill-bgpd spine1\n  npm run lab:fault -- start-bgpd spine1\n  npm run lab:fault -- shutdown-peer leaf1 spine1\n',
    );
  for (const f of FAULTS) {
    fault
      .command(`${f.name} ${f.args.map((a) => `<${a}>`).join(' ')}`)
      .description(f.help)
      .action(async (a: string, b: unknown) => {
        const second = typeof b === 'string' ? b : '';
        await f.run(runningLab(), a, second);
        console.log(f.done.replace('%1', a).replace('%2', second));
      });
  }
}
