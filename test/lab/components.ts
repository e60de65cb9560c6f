/**
 * Servers the lab starts next to the routers on request (`npm run lab:up -- --with redmine`).
 * Each records its pid in the lab's pids dir, so `lab:status` counts it and `lab:down` stops it.
 * A component is a name and a start function: add one here, not in cli.ts.
 */
import path from 'node:path';
import { NrxError } from '../../src/core/errors.js';
import { startRedmine } from './redmine.js';

export interface LabComponent {
  description: string;
  /** Starts it under the lab dir; returns the lines `lab:up` prints about it. */
  start(labDir: string): Promise<string[]>;
}

export const LAB_COMPONENTS: Readonly<Record<string, LabComponent>> = {
  redmine: {
    description: "a real Redmine (Debian's package, SQLite) for the ticket pack",
    async start(labDir) {
      const r = await startRedmine({ dir: path.join(labDir, 'redmine'), pidDir: path.join(labDir, 'pids') });
      return [
        `redmine        ${r.url} (admin's API key ${r.apiKey}, project ${r.project}; log ${r.dir}/server.log)`,
        `  ticket pack  netreflex pack config ticket system=redmine url=${r.url} project=${r.project}; then \`netreflex pack config ticket api_key\` (the key above)`,
      ];
    },
  },
};

/** `redmine,other` as component names; an unknown one is refused with the list. */
export function parseComponents(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!Object.hasOwn(LAB_COMPONENTS, n)) throw new NrxError('NRX_ERR_USAGE', `lab: no component '${n}' (there is ${Object.keys(LAB_COMPONENTS).join(', ')})`);
  return names;
}
