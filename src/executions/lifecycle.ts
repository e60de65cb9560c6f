import type { ExecutionStatus } from '../store/records.js';

/**
 * Execution status transitions as a table (orquesta's habit): a status change not listed
 * here is a bug in the engine, and `canTransition` lets the engine refuse it.
 */
const TRANSITIONS: Record<ExecutionStatus, ExecutionStatus[]> = {
  requested: ['scheduled', 'delayed', 'running', 'pending', 'failed', 'canceled', 'abandoned'],
  scheduled: ['running', 'delayed', 'failed', 'canceled', 'abandoned'],
  delayed: ['running', 'pending', 'failed', 'canceled', 'abandoned', 'delayed'],
  running: ['succeeded', 'failed', 'timeout', 'canceling', 'canceled', 'pausing', 'paused', 'abandoned', 'running', 'pending'],
  pending: ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'],
  pausing: ['paused', 'running', 'canceling', 'canceled', 'succeeded', 'failed'],
  paused: ['resuming', 'running', 'canceling', 'canceled', 'failed'],
  resuming: ['running', 'pausing', 'canceling', 'succeeded', 'failed'],
  canceling: ['canceled', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  timeout: [],
  canceled: [],
  abandoned: [],
};

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function isTerminal(s: ExecutionStatus): boolean {
  return TRANSITIONS[s].length === 0;
}
