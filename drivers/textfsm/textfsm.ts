/**
 * TextFSM for the rest of netreflex (`netreflex parse`, the cli runner's `parse: textfsm`):
 * output parsed with an explicit template, or with the template NETREFLEX_TEXTFSM_PATH's index
 * names for a platform and command.
 */
import { existsSync } from 'node:fs';
import { NrxError } from '../../src/core/errors.js';
import { findPlatform } from '../platforms/registry.js';
import type { TextFsmRecord } from './fsm.js';
import { parseWithTemplateFile, TEXTFSM_PATH_ENV, TextFsmLibrary } from './library.js';

export type { TextFsmRecord } from './fsm.js';

/** ntc-templates spells a few platforms differently from netreflex's inventory names. */
const NTC_SPELLING: Record<string, string> = { cisco_iosxr: 'cisco_xr' };

/** The platform names to look up in an index, in order: as given, netreflex's name, ntc's name. */
export function textfsmPlatformNames(platform: string): string[] {
  const canonical = findPlatform(platform)?.name ?? platform;
  return [...new Set([platform, canonical, NTC_SPELLING[canonical] ?? canonical])];
}

export interface TextFsmRequest {
  output: string;
  /** A template file; otherwise platform and command are looked up in the index. */
  template?: string;
  platform?: string;
  command?: string;
  hostname?: string;
}

export interface TextFsmResult {
  records: TextFsmRecord[];
  /** The template files used. */
  templates: string[];
}

export interface TextFsmOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Where an explicit template may live: anywhere (the operator's own command line) or only
   * inside NETREFLEX_TEXTFSM_PATH (names that come from action parameters).
   */
  templates: 'anywhere' | 'library';
}

function requireLibrary(env: NodeJS.ProcessEnv | undefined, why: string): TextFsmLibrary {
  const library = TextFsmLibrary.fromEnv(env);
  if (!library)
    throw new NrxError(
      'NRX_ERR_CONFIG',
      `${TEXTFSM_PATH_ENV} is not set: ${why} (point it at a template folder with an index, e.g. ntc-templates' ntc_templates/templates)`,
    );
  return library;
}

/** A bare template name the command line gave, found in NETREFLEX_TEXTFSM_PATH if it is there. */
function inLibrary(env: NodeJS.ProcessEnv | undefined, name: string): string | undefined {
  try {
    return TextFsmLibrary.fromEnv(env)?.resolveTemplate(name);
  } catch {
    return undefined; // reading the name as given then reports the missing file
  }
}

export function textfsmParse(req: TextFsmRequest, opts: TextFsmOptions): TextFsmResult {
  if (req.template !== undefined) {
    let file = req.template;
    if (opts.templates === 'library') file = requireLibrary(opts.env, 'a template name is looked up there').resolveTemplate(req.template);
    else if (!existsSync(file)) file = inLibrary(opts.env, req.template) ?? file;
    return { records: parseWithTemplateFile(file, req.output), templates: [file] };
  }
  if (!req.platform || !req.command) throw new NrxError('NRX_ERR_USAGE', 'TextFSM needs a template, or a platform and a command to look up in the index');
  return requireLibrary(opts.env, 'templates are found through its index').parse(textfsmPlatformNames(req.platform), req.command, req.output, req.hostname);
}
