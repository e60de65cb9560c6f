// The BGP-peer-down scenario (scenario-bgp.ts) against the appliance assembled in this process.
import { labGuard } from './guard.js';
import { redmineGuard } from './redmine.js';
import { describeBgpPeerDown } from './scenario-bgp.js';
import { startScenarioRig } from './scenario-rig.js';

describeBgpPeerDown({
  where: 'embedded',
  suite: { skip: labGuard() || redmineGuard(), timeout: 600_000 },
  start: () => startScenarioRig({ name: 'bgp', redmine: true, chat: true, sftp: true }),
});
