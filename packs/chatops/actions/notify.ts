import type { ModuleContext } from '../../../src/executions/runners/module.js';
import { STATUSES, slackMessage, teamsMessage, type Notification, type NotificationStatus } from './lib/notification.js';

const FORMATS = ['slack', 'teams'] as const;

/** A failure with a catalogued code (a pack module cannot import netreflex's NrxError). */
function fail(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * Post a notification to the configured incoming webhook. The webhook URL is a credential
 * (whoever has it can post): it comes from the pack config or a secret parameter, and no
 * message, log line or result names more of it than its host.
 */
export async function run(params: Record<string, unknown>, ctx: ModuleContext): Promise<Record<string, unknown>> {
  const url = text(params.webhook_url) ?? text(ctx.config.webhook_url);
  // a shipped workflow posts to the webhook only where an operator set one up
  if (!url && params.if_configured === true) {
    ctx.log('no webhook_url configured: nothing posted');
    return { posted: false, reason: 'no webhook_url configured' };
  }
  if (!url) ctx.requireConfig('webhook_url');
  let target: URL;
  try {
    target = new URL(url!);
  } catch {
    throw fail('NRX_ERR_PARAM_INVALID', 'chatops.notify: webhook_url is not a URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:')
    throw fail('NRX_ERR_PARAM_INVALID', `chatops.notify: webhook_url must be http(s), not ${target.protocol}`);
  const format = (text(params.format) ?? text(ctx.config.webhook_format) ?? 'slack') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw fail('NRX_ERR_PARAM_INVALID', `chatops.notify: format must be one of ${FORMATS.join(', ')}`);

  const status = (text(params.status) ?? 'info') as NotificationStatus;
  const executionId = text(params.execution_id);
  const apiUrl = text(ctx.config.api_url)?.replace(/\/+$/, '') ?? null;
  const link = text(params.link) ?? (executionId && apiUrl ? `${apiUrl}/api/v1/executions/${encodeURIComponent(executionId)}` : null);
  const n: Notification = {
    title: text(params.title) ?? 'netreflex',
    message: text(params.message),
    device: text(params.device),
    state: text(params.state),
    status: STATUSES.includes(status) ? status : 'info',
    error: text(params.error),
    link,
    linkTitle: executionId ? `Execution ${executionId}` : 'Details',
  };
  const body = format === 'teams' ? teamsMessage(n) : slackMessage(n);
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      // the action's timeout (10 s by default) aborts this signal
      signal: ctx.signal,
    });
  } catch (e) {
    throw fail(
      'NRX_ERR_CHAT',
      `chatops.notify: webhook at ${target.host} not reached: ${(e as Error).cause ? String((e as { cause: unknown }).cause) : (e as Error).message}`,
    );
  }
  const answer = (await res.text()).slice(0, 300);
  if (!res.ok) throw fail('NRX_ERR_CHAT', `chatops.notify: webhook at ${target.host} answered ${res.status}: ${answer}`);
  ctx.log(`posted to the ${format} webhook at ${target.host} (${res.status})`);
  return { posted: true, format, host: target.host, status: res.status, link };
}
