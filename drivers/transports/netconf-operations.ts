import { NrxError } from '../../src/core/errors.js';
import type { CommitOptions, Datastore, EditConfigOptions, Filter } from '../contract/netconf.js';
import { escapeXml } from './netconf-xml.js';

/**
 * The RFC 6241 base operations as pure builders of the XML inside `<rpc>`. Config and
 * subtree filters are operator-authored XML and pass through as written; everything else is
 * escaped.
 */

const DATASTORES: readonly string[] = ['running', 'candidate', 'startup'];

function datastore(name: string, field: string): string {
  if (!DATASTORES.includes(name))
    throw new NrxError('NRX_ERR_PARAM_INVALID', `NETCONF ${field} must be running, candidate or startup, got '${name}'`, { location: { field } });
  return `<${name}/>`;
}

export function filterXml(filter: Filter | undefined): string {
  if (!filter) return '';
  if ('subtree' in filter) return `<filter type="subtree">${filter.subtree}</filter>`;
  const ns = Object.entries(filter.namespaces ?? {})
    .map(([p, uri]) => ` xmlns:${p}="${escapeXml(uri)}"`)
    .join('');
  return `<filter type="xpath"${ns} select="${escapeXml(filter.xpath)}"/>`;
}

export function getXml(filter?: Filter): string {
  return `<get>${filterXml(filter)}</get>`;
}

export function getConfigXml(source: Datastore, filter?: Filter): string {
  return `<get-config><source>${datastore(source, 'source')}</source>${filterXml(filter)}</get-config>`;
}

/**
 * `config` is the XML inside `<config>`. The nc prefix is declared on `<config>` so that
 * operators can write `nc:operation="delete"` (or merge/replace/create/remove) on any element.
 */
export function editConfigXml(config: string, opts: EditConfigOptions = {}): string {
  const target = datastore(opts.target ?? 'running', 'target');
  const parts = [`<target>${target}</target>`];
  if (opts.defaultOperation)
    parts.push(`<default-operation>${oneOf(opts.defaultOperation, ['merge', 'replace', 'none'], 'default_operation')}</default-operation>`);
  if (opts.testOption) parts.push(`<test-option>${oneOf(opts.testOption, ['test-then-set', 'set', 'test-only'], 'test_option')}</test-option>`);
  if (opts.errorOption)
    parts.push(`<error-option>${oneOf(opts.errorOption, ['stop-on-error', 'continue-on-error', 'rollback-on-error'], 'error_option')}</error-option>`);
  return `<edit-config>${parts.join('')}<config xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">${config}</config></edit-config>`;
}

export function lockXml(target: Datastore): string {
  return `<lock><target>${datastore(target, 'target')}</target></lock>`;
}

export function unlockXml(target: Datastore): string {
  return `<unlock><target>${datastore(target, 'target')}</target></unlock>`;
}

export function commitXml(opts: CommitOptions = {}): string {
  const parts: string[] = [];
  if (opts.confirmed) parts.push('<confirmed/>');
  if (opts.confirmTimeoutS !== undefined) {
    if (!Number.isInteger(opts.confirmTimeoutS) || opts.confirmTimeoutS < 1)
      throw new NrxError('NRX_ERR_PARAM_INVALID', `NETCONF confirm-timeout must be a whole number of seconds >= 1, got ${opts.confirmTimeoutS}`, {
        location: { field: 'confirm_timeout' },
      });
    parts.push(`<confirm-timeout>${opts.confirmTimeoutS}</confirm-timeout>`);
  }
  if (opts.persist !== undefined) parts.push(`<persist>${escapeXml(opts.persist)}</persist>`);
  if (opts.persistId !== undefined) parts.push(`<persist-id>${escapeXml(opts.persistId)}</persist-id>`);
  return parts.length ? `<commit>${parts.join('')}</commit>` : '<commit/>';
}

export function cancelCommitXml(persistId?: string): string {
  return persistId !== undefined ? `<cancel-commit><persist-id>${escapeXml(persistId)}</persist-id></cancel-commit>` : '<cancel-commit/>';
}

export function discardChangesXml(): string {
  return '<discard-changes/>';
}

/** Validate a datastore, or an inline config (XML inside `<config>`). */
export function validateXml(source: Datastore | { config: string }): string {
  const src = typeof source === 'string' ? datastore(source, 'source') : `<config>${source.config}</config>`;
  return `<validate><source>${src}</source></validate>`;
}

export function closeSessionXml(): string {
  return '<close-session/>';
}

export function killSessionXml(sessionId: number): string {
  return `<kill-session><session-id>${Math.trunc(sessionId)}</session-id></kill-session>`;
}

function oneOf(value: string, allowed: string[], field: string): string {
  if (!allowed.includes(value))
    throw new NrxError('NRX_ERR_PARAM_INVALID', `NETCONF ${field} must be one of ${allowed.join(', ')}, got '${value}'`, { location: { field } });
  return value;
}
