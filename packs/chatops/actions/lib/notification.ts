/**
 * A notification as chat users read it, and the JSON each kind of incoming webhook takes.
 * Slack, Mattermost and Rocket.Chat all accept Slack's `text` + `attachments` message (Blocks
 * are Slack-only); a Teams workflow ("When a Teams webhook request is received") takes a
 * message carrying an Adaptive Card.
 */
export interface Notification {
  title: string;
  /** What happened, in a sentence or a few lines. */
  message: string | null;
  device: string | null;
  /** The device's state as the event says it (idle, down, established...). */
  state: string | null;
  /** ok, info, warning or failure: the colour, and the failure path's marker. */
  status: NotificationStatus;
  /** Why it failed, on the failure path. */
  error: string | null;
  /** The execution in the API, or another link. */
  link: string | null;
  linkTitle: string;
}

export const STATUSES = ['ok', 'info', 'warning', 'failure'] as const;
export type NotificationStatus = (typeof STATUSES)[number];

const COLOURS: Record<NotificationStatus, string> = { ok: '#2eb886', info: '#439fe0', warning: '#daa038', failure: '#d00000' };
const TEAMS_COLOURS: Record<NotificationStatus, string> = { ok: 'Good', info: 'Accent', warning: 'Warning', failure: 'Attention' };

function headline(n: Notification): string {
  return n.status === 'failure' ? `FAILED: ${n.title}` : n.title;
}

function facts(n: Notification): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (n.device) out.push(['Device', n.device]);
  if (n.state) out.push(['State', n.state]);
  if (n.error) out.push(['Error', n.error]);
  return out;
}

/** One line for clients that show no attachments (and for push notifications). */
export function plainText(n: Notification): string {
  const parts = [headline(n), ...facts(n).map(([k, v]) => `${k.toLowerCase()} ${v}`)];
  return `${parts.join(' - ')}${n.link ? ` (${n.link})` : ''}`;
}

export function slackMessage(n: Notification): Record<string, unknown> {
  const attachment: Record<string, unknown> = {
    fallback: plainText(n),
    color: COLOURS[n.status],
    title: headline(n),
    ...(n.link ? { title_link: n.link } : {}),
    ...(n.message ? { text: n.message } : {}),
    fields: facts(n).map(([title, value]) => ({ title, value, short: title !== 'Error' })),
  };
  return { text: plainText(n), attachments: [attachment] };
}

export function teamsMessage(n: Notification): Record<string, unknown> {
  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: headline(n), weight: 'Bolder', size: 'Medium', color: TEAMS_COLOURS[n.status], wrap: true },
  ];
  if (n.message) body.push({ type: 'TextBlock', text: n.message, wrap: true });
  const f = facts(n);
  if (f.length) body.push({ type: 'FactSet', facts: f.map(([title, value]) => ({ title, value })) });
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(n.link ? { actions: [{ type: 'Action.OpenUrl', title: n.linkTitle, url: n.link }] } : {}),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}
