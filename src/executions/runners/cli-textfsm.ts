import type { CommandResult } from '../../../drivers/contract/cli.js';
import { textfsmParse, type TextFsmRecord } from '../../../drivers/textfsm/textfsm.js';
import { describeError, NrxError } from '../../core/errors.js';
import type { ParamSpec, RunContext, RunResultOk } from '../action.js';

/**
 * The cli runner's `parse: textfsm`: each command's output also comes back as TextFSM records,
 * with the template NETREFLEX_TEXTFSM_PATH's index names for the device's platform and the
 * command, or the one `textfsm_template` names (a file inside NETREFLEX_TEXTFSM_PATH).
 */
export const TEXTFSM_PARAMETERS: Record<string, ParamSpec> = {
  parse: {
    type: 'string',
    enum: ['none', 'textfsm'],
    default: 'none',
    description: "'textfsm': add each output's TextFSM records as `parsed` (templates from NETREFLEX_TEXTFSM_PATH).",
  },
  textfsm_template: {
    type: 'string',
    description: 'With parse: textfsm, this template (a file in NETREFLEX_TEXTFSM_PATH) for every command instead of the index lookup.',
  },
};

/** Whether the action asked for TextFSM; a bad value is refused before connecting. */
export function wantsTextfsm(params: Record<string, unknown>): boolean {
  const p = params.parse ?? 'none';
  if (p !== 'none' && p !== 'textfsm') throw new NrxError('NRX_ERR_PARAM_INVALID', `parameter 'parse' must be 'none' or 'textfsm', got ${JSON.stringify(p)}`);
  if (params.textfsm_template !== undefined && typeof params.textfsm_template !== 'string')
    throw new NrxError('NRX_ERR_PARAM_INVALID', "parameter 'textfsm_template' must be a string");
  return p === 'textfsm';
}

export type ParsedCommandResult = CommandResult & { parsed?: TextFsmRecord[] };

/**
 * Records for every output. A template that is missing, broken, or raises Error fails the
 * action with that code; the raw outputs are kept in the result either way.
 */
export function withTextfsmRecords(device: string, platform: string, results: CommandResult[], params: Record<string, unknown>, ctx: RunContext): RunResultOk {
  const parsed: ParsedCommandResult[] = [];
  for (const r of results) {
    try {
      const template = typeof params.textfsm_template === 'string' ? params.textfsm_template : undefined;
      const { records, templates } = textfsmParse(
        { output: r.output, platform, command: r.command, hostname: device, ...(template !== undefined ? { template } : {}) },
        { templates: 'library' },
      );
      ctx.log(`${device}: ${r.command}: ${records.length} TextFSM records (${templates.join(', ')})`);
      parsed.push({ ...r, parsed: records });
    } catch (e) {
      const d = describeError(e);
      return { status: 'failed', result: { device, results }, error: { code: d.code, message: `device ${device}: '${r.command}': ${d.message}` } };
    }
  }
  return { status: 'succeeded', result: { device, results: parsed } };
}
