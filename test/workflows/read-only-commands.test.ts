import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NrxError } from '../../src/core/errors.js';
import { MAX_COMMANDS_CAP, readOnlyCommands } from '../../workflows/actions/lib/read-only-commands.js';

const refused = (value: unknown, code: string, field: string, message: RegExp, max?: number): void =>
  assert.throws(
    () => readOnlyCommands(value, max),
    (e: unknown) => e instanceof NrxError && e.code === code && e.location?.field === field && message.test(e.message),
  );

test('show commands as engineers type them pass, trimmed and with single spaces', () => {
  assert.deepEqual(
    readOnlyCommands([
      'show ip bgp summary',
      '  show   interfaces GigabitEthernet0/0.100 ',
      'SHOW ipv6 route 2001:db8::/32',
      'show bgp vrf RED-1 ipv4 unicast neighbors 10.0.0.1 advertised-routes',
      'show route protocol bgp table inet.0',
      'show logging last 100',
    ]),
    [
      'show ip bgp summary',
      'show interfaces GigabitEthernet0/0.100',
      'SHOW ipv6 route 2001:db8::/32',
      'show bgp vrf RED-1 ipv4 unicast neighbors 10.0.0.1 advertised-routes',
      'show route protocol bgp table inet.0',
      'show logging last 100',
    ],
  );
  assert.deepEqual(readOnlyCommands('show version'), ['show version']);
});

test('anything but a plain show command is refused, naming which one and why', () => {
  refused('configure terminal', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /the command "configure terminal" is not a show command/);
  refused(['show version', 'clear ip bgp *'], 'NRX_ERR_NOT_READ_ONLY', 'cmd[1]', /command 2 of 2 "clear ip bgp \*" is not a show command/);
  refused('sh run', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /not a show command/); // abbreviations could be anything on some CLI
  refused('show configuration | save /var/tmp/x', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /\(\|\): no pipes/);
  refused('show running-config > flash:x', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /\(>\)/);
  refused('show version; reload', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /\(;\)/);
  refused('show `id`', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /\(`\)/);
  refused('show \'x\' "y" & *', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /\(' " & \*\)/);
  refused('show version\r\nreload', 'NRX_ERR_NOT_READ_ONLY', 'cmd', /line break/);
  refused(['show version', 'show\tversion'], 'NRX_ERR_NOT_READ_ONLY', 'cmd[1]', /control character/);
});

test('the shape and the count: a string or a list of strings, at most the cap', () => {
  refused(undefined, 'NRX_ERR_PARAM_INVALID', 'cmd', /got nothing/);
  refused([], 'NRX_ERR_PARAM_INVALID', 'cmd', /got an empty list/);
  refused({ cmd: 'show version' }, 'NRX_ERR_PARAM_INVALID', 'cmd', /got an object/);
  refused(['show version', 7], 'NRX_ERR_PARAM_INVALID', 'cmd[1]', /command 2 of 2 is a number, not a string/);
  refused(['  '], 'NRX_ERR_PARAM_INVALID', 'cmd[0]', /is empty/);
  refused(`show ${'x'.repeat(300)}`, 'NRX_ERR_PARAM_INVALID', 'cmd', /longer than 256 characters/);
  refused(Array(11).fill('show version'), 'NRX_ERR_PARAM_INVALID', 'cmd', /at most 10 commands per request \(got 11\)/);
  refused(Array(3).fill('show version'), 'NRX_ERR_PARAM_INVALID', 'cmd', /at most 2 commands/, 2);
  assert.equal(readOnlyCommands(Array(MAX_COMMANDS_CAP).fill('show version'), 1000).length, MAX_COMMANDS_CAP);
  refused(Array(MAX_COMMANDS_CAP + 1).fill('show version'), 'NRX_ERR_PARAM_INVALID', 'cmd', /at most 50 commands/, 1000);
});
