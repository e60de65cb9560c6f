/**
 * Template folders from NETREFLEX_TEXTFSM_PATH (colon-separated, searched in order; each holds an
 * ntc-templates style `index` and the templates it names), e.g. a checkout's
 * `ntc_templates/templates`. Looks a command up by platform and command, parses with the
 * template(s) found, and keeps compiled templates and indexes until their files change.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { parseRecords, type TextFsmRecord } from './fsm.js';
import { parseMerged } from './merge.js';
import { parseTemplate, type Template } from './template.js';
import { findIndexRow, parseIndex, type IndexRow, type TemplateIndex } from './template-index.js';

export const TEXTFSM_PATH_ENV = 'NETREFLEX_TEXTFSM_PATH';

interface Cached<T> {
  stamp: string;
  value: T;
}
const templates = new Map<string, Cached<Template>>();
const indexes = new Map<string, Cached<TemplateIndex>>();

function stampOf(file: string): string {
  const st = statSync(file);
  return `${st.mtimeMs}:${st.size}`;
}

function cachedRead<T>(cache: Map<string, Cached<T>>, file: string, read: (text: string) => T): T {
  let stamp: string;
  try {
    stamp = stampOf(file);
  } catch (e) {
    throw new NrxError('NRX_ERR_TEMPLATE', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { location: { file } });
  }
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.value;
  const value = read(readFileSync(file, 'utf8'));
  cache.set(file, { stamp, value });
  return value;
}

/** A template file, compiled once per change of the file. */
export function loadTemplate(file: string): Template {
  const abs = path.resolve(file);
  return cachedRead(templates, abs, (text) => parseTemplate(text, file));
}

/** Parse output with one template file. */
export function parseWithTemplateFile(file: string, output: string): TextFsmRecord[] {
  return parseRecords(loadTemplate(file), output);
}

export interface TemplateMatch {
  dir: string;
  row: IndexRow;
  /** Absolute paths of the templates, in the index's order. */
  files: string[];
  platform: string;
}

export class TextFsmLibrary {
  constructor(readonly dirs: string[]) {}

  /** The folders in NETREFLEX_TEXTFSM_PATH, or undefined when it is unset or empty. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): TextFsmLibrary | undefined {
    const dirs = (env[TEXTFSM_PATH_ENV] ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => path.resolve(d));
    return dirs.length ? new TextFsmLibrary(dirs) : undefined;
  }

  private index(dir: string): TemplateIndex {
    const file = path.join(dir, 'index');
    try {
      statSync(file);
    } catch {
      throw new NrxError(
        'NRX_ERR_CONFIG',
        `${TEXTFSM_PATH_ENV}: folder ${dir} has no 'index' file (point it at a folder like ntc-templates' ntc_templates/templates)`,
      );
    }
    return cachedRead(indexes, file, (text) => parseIndex(text, file));
  }

  /**
   * The first folder whose index has a row for the command on one of the platform spellings
   * (tried in order: ntc-templates says cisco_xr where netreflex says cisco_iosxr).
   */
  find(platforms: string[], command: string, hostname?: string): TemplateMatch | undefined {
    for (const dir of this.dirs) {
      const index = this.index(dir);
      for (const platform of platforms) {
        const row = findIndexRow(index, { Platform: platform, Command: command, ...(hostname !== undefined ? { Hostname: hostname } : {}) });
        if (row) return { dir, row, platform, files: row.templates.map((t) => this.inside(dir, t, index.file, row.line)) };
      }
    }
    return undefined;
  }

  /** Records for a command's output; NRX_ERR_UNSUPPORTED when no index row matches. */
  parse(platforms: string[], command: string, output: string, hostname?: string): { records: TextFsmRecord[]; templates: string[] } {
    const found = this.find(platforms, command, hostname);
    if (!found) {
      throw new NrxError(
        'NRX_ERR_UNSUPPORTED',
        `no TextFSM template for platform ${platforms[0]} and command '${command}' in ${TEXTFSM_PATH_ENV} (${this.dirs.join(':')})`,
      );
    }
    const compiled = found.files.map((f) => loadTemplate(f));
    const records = compiled.length === 1 ? parseRecords(compiled[0]!, output) : parseMerged(compiled, output);
    return { records, templates: found.files };
  }

  /**
   * A template named relative to one of the folders (never outside them: the runner takes the
   * name from action parameters, and the appliance must not read arbitrary files for them).
   */
  resolveTemplate(name: string): string {
    for (const dir of this.dirs) {
      const file = path.resolve(dir, name);
      if (!isInside(dir, file)) continue;
      try {
        if (statSync(file).isFile()) return file;
      } catch {
        // not in this folder; try the next
      }
    }
    throw new NrxError('NRX_ERR_PARAM_INVALID', `TextFSM template '${name}' is not a file inside ${TEXTFSM_PATH_ENV} (${this.dirs.join(':')})`, {
      location: { field: 'textfsm_template' },
    });
  }

  private inside(dir: string, name: string, indexFile: string, line: number): string {
    const file = path.resolve(dir, name);
    if (!isInside(dir, file)) {
      throw new NrxError('NRX_ERR_TEMPLATE', `TextFSM index: template '${name}' is outside the template folder`, { location: { file: indexFile, line } });
    }
    return file;
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
