/**
 * The ticket pack's actions over whichever system the pack config names. Each action returns
 * the ticket as { system, id, ref, url, subject, status, open } plus what the action did.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { jira } from './jira.mjs';
import { ticketError } from './http.mjs';
import { redmine } from './redmine.mjs';
import { servicenow } from './servicenow.mjs';

const SYSTEMS = { redmine, jira, servicenow };
const MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024;

/** The system the pack config names, with the credentials it needs checked first. */
export function connect(ctx) {
  const config = ctx.config;
  ctx.requireConfig('system', 'url');
  const make = SYSTEMS[config.system];
  const conn = {
    system: config.system,
    base: String(config.url).replace(/\/+$/, ''),
    headers: {},
    timeoutMs: (config.timeout ?? 30) * 1000,
    signal: ctx.signal,
    log: (line) => ctx.log(line),
  };
  const probe = make(config, { ...conn, headers: {} });
  ctx.requireConfig(...probe.needs);
  return make(config, conn);
}

export async function open(p, ctx) {
  const t = connect(ctx);
  const ticket = await t.open({ subject: t.subjectOf(p.incident_key, p.subject), description: p.description, key: p.incident_key, priority: p.priority });
  return { ...ticket, incident_key: p.incident_key ?? null, created: true };
}

export async function comment(p, ctx) {
  return { ...(await connect(ctx).comment(p.id, p.comment)), commented: true };
}

export async function resolve(p, ctx) {
  return { ...(await connect(ctx).resolve(p.id, p.comment)), resolved: true };
}

export async function find(p, ctx) {
  const ticket = await connect(ctx).findOpen(p.incident_key);
  return ticket ? { found: true, incident_key: p.incident_key, ...ticket } : { found: false, incident_key: p.incident_key, id: null, url: null };
}

// One ensure per incident key at a time in this appliance: two events for the same fault
// arriving together must not both find nothing and both open a ticket.
const inFlight = new Map();

/** The open ticket of the incident gets a comment; without one, a ticket is opened. */
export async function ensure(p, ctx) {
  const t = connect(ctx);
  const lockKey = `${ctx.config.system} ${ctx.config.url} ${p.incident_key}`;
  const before = inFlight.get(lockKey) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(async () => {
    const existing = await t.findOpen(p.incident_key);
    if (existing) {
      const note = p.comment ?? p.description ?? p.subject;
      return { ...(await t.comment(existing.id, note)), incident_key: p.incident_key, created: false, commented: true };
    }
    const ticket = await t.open({ subject: t.subjectOf(p.incident_key, p.subject), description: p.description, key: p.incident_key, priority: p.priority });
    return { ...ticket, incident_key: p.incident_key, created: true, commented: false };
  });
  inFlight.set(lockKey, mine);
  try {
    return await mine;
  } finally {
    if (inFlight.get(lockKey) === mine) inFlight.delete(lockKey);
  }
}

/** A file on the appliance (`path`) or text given inline (`content` + `filename`). */
export async function attach(p, ctx) {
  const t = connect(ctx);
  let content;
  let filename = p.filename;
  if (p.path) {
    const s = await stat(p.path).catch((e) => {
      throw ticketError(`attach: cannot read ${p.path}: ${e.code ?? e.message}`, 'NRX_ERR_PARAM_INVALID');
    });
    if (!s.isFile()) throw ticketError(`attach: ${p.path} is not a file`, 'NRX_ERR_PARAM_INVALID');
    if (s.size > MAX_ATTACHMENT_BYTES) throw ticketError(`attach: ${p.path} is ${s.size} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`, 'NRX_ERR_PARAM_INVALID');
    content = await readFile(p.path);
    filename ??= path.basename(p.path);
  } else if (typeof p.content === 'string') {
    if (!filename) throw ticketError('attach: content needs a filename', 'NRX_ERR_PARAM_INVALID');
    content = Buffer.from(p.content, 'utf8');
  } else throw ticketError('attach: give path (a file on the appliance) or content with filename', 'NRX_ERR_PARAM_INVALID');
  const contentType = p.content_type ?? (/\.(log|txt|cfg|conf)$/i.test(filename) ? 'text/plain' : 'application/octet-stream');
  const { ticket, attachmentId } = await t.attach(p.id, { filename, content, contentType }, p.comment);
  return {
    ...ticket,
    attachment: { id: attachmentId, filename, size: content.length, sha256: createHash('sha256').update(content).digest('hex'), content_type: contentType },
  };
}
