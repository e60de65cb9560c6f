import type { WorkflowRunner } from '../action.js';

/** Orquesta workflows: the workflow runtime conducts the action's workflow file. */
export const ORQUESTA_RUNNER: WorkflowRunner = {
  kind: 'workflow',
  runnerType: 'orquesta',
  aliases: ['orchestra'],
  parameters: {
    notify: { type: 'array', default: [] },
  },
};

/** ActionChain workflows: the workflow runtime conducts the action's chain file. */
export const ACTION_CHAIN_RUNNER: WorkflowRunner = {
  kind: 'workflow',
  runnerType: 'action-chain',
  aliases: [],
  parameters: {
    display_published: { type: 'boolean', default: true },
    skip_notify: { type: 'array', default: [] },
  },
};
