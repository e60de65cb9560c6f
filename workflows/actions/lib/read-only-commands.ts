import { NrxError } from '../../../src/core/errors.js';

/**
 * Which commands a log collection asked from outside (a monitoring webhook, a chat line) may
 * run on a device: read-only `show` commands and nothing else. On a switch whose CLI is a
 * Linux shell (SONiC, Cumulus) a command line is shell text, so the characters a shell gives
 * meaning to are refused too: pipes (`| save`, `| redirect`, `> flash:` write files), `;`,
 * `&`, `$`, quotes, globs, redirections, a second line. What is left is words of letters,
 * digits and `. _ : / , - + = @` - interface names, prefixes, VRFs, addresses.
 */

/** Commands one request may ask for unless the action says fewer. */
export const DEFAULT_MAX_COMMANDS = 10;
/** No request gets more than this, whatever it says. */
export const MAX_COMMANDS_CAP = 50;
export const MAX_COMMAND_CHARS = 256;

const SAFE_WORDS = /^[A-Za-z0-9._:/,+=@-]+( [A-Za-z0-9._:/,+=@-]+)*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The commands, trimmed and with single spaces; `value` is one command (a string) or a list.
 * Throws NRX_ERR_PARAM_INVALID for a wrong shape or count, NRX_ERR_NOT_READ_ONLY for a command
 * that is not a plain show command; each message says which command (1-based) and why.
 */
export function readOnlyCommands(value: unknown, max = DEFAULT_MAX_COMMANDS): string[] {
  const limit = Math.min(Math.max(1, Math.floor(max)), MAX_COMMANDS_CAP);
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (list === null || list.length === 0)
    throw new NrxError('NRX_ERR_PARAM_INVALID', `cmd: give one show command (a string) or a list of them (got ${shapeOf(value)})`, {
      location: { field: 'cmd' },
    });
  if (list.length > limit)
    throw new NrxError('NRX_ERR_PARAM_INVALID', `cmd: at most ${limit} commands per request (got ${list.length})`, { location: { field: 'cmd' } });
  return list.map((item, i) => checkOne(item, i, list.length, typeof value === 'string' ? 'cmd' : `cmd[${i}]`));
}

function checkOne(item: unknown, i: number, total: number, at: string): string {
  const which = total === 1 ? 'the command' : `command ${i + 1} of ${total}`;
  const field = { location: { field: at } };
  if (typeof item !== 'string') throw new NrxError('NRX_ERR_PARAM_INVALID', `${which} is ${shapeOf(item)}, not a string`, field);
  if (CONTROL.test(item))
    throw new NrxError('NRX_ERR_NOT_READ_ONLY', `${which} holds a line break or control character: one command per item, one line each`, field);
  const cmd = item.trim().replace(/ +/g, ' ');
  const shown = JSON.stringify(cmd.length > 80 ? `${cmd.slice(0, 80)}…` : cmd);
  if (cmd === '') throw new NrxError('NRX_ERR_PARAM_INVALID', `${which} is empty`, field);
  if (cmd.length > MAX_COMMAND_CHARS) throw new NrxError('NRX_ERR_PARAM_INVALID', `${which} is longer than ${MAX_COMMAND_CHARS} characters`, field);
  if (cmd.split(' ')[0]!.toLowerCase() !== 'show')
    throw new NrxError('NRX_ERR_NOT_READ_ONLY', `${which} ${shown} is not a show command: only read-only show commands are collected`, field);
  if (!SAFE_WORDS.test(cmd)) {
    const bad = [...new Set(cmd.replace(/[A-Za-z0-9._:/,+=@ -]/g, ''))].join(' ');
    throw new NrxError(
      'NRX_ERR_NOT_READ_ONLY',
      `${which} ${shown} has characters a collected command may not hold (${bad}): no pipes, redirections, quotes or shell characters`,
      field,
    );
  }
  return cmd;
}

function shapeOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
