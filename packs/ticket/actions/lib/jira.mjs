/**
 * Jira's REST API, version 2 or 3 (https://developer.atlassian.com/cloud/jira/platform/rest/v3/):
 * issues, comments, attachments, transitions, JQL search. Version 3 writes text as Atlassian
 * Document Format. The incident key is a custom field when incident_key_field names one, else
 * the summary's "[key] " prefix.
 */
import { basic, call } from './http.mjs';

const PRIORITY = { low: 'Low', normal: 'Medium', high: 'High', urgent: 'Highest' };

/** Plain text as an ADF document: a paragraph per blank-line-separated block, line breaks kept. */
export function adf(text) {
  const paragraphs = String(text)
    .split(/\n{2,}/)
    .map((block) => ({
      type: 'paragraph',
      content: block.split('\n').flatMap((line, i) => [...(i ? [{ type: 'hardBreak' }] : []), ...(line ? [{ type: 'text', text: line }] : [])]),
    }));
  return { type: 'doc', version: 1, content: paragraphs };
}

/** A JQL string literal. */
const jqlString = (s) => `"${String(s).replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function jira(config, conn) {
  if (config.token) conn.headers.Authorization = `Bearer ${config.token}`;
  else conn.headers.Authorization = basic(config.username, config.password);
  const v = config.jira_api_version;
  const api = `/rest/api/${v}`;
  const text = (t) => (v === 3 ? adf(t) : t);
  const field = config.incident_key_field || null;
  const view = (issue) => ({
    system: 'jira',
    id: issue.key,
    ref: issue.key,
    url: `${conn.base}/browse/${issue.key}`,
    subject: issue.fields?.summary ?? null,
    status: issue.fields?.status?.name ?? null,
    open: issue.fields?.status ? issue.fields.status.statusCategory?.key !== 'done' : null,
  });
  const get = async (key) => view(await call(conn, 'GET', `${api}/issue/${encodeURIComponent(key)}`, { query: { fields: 'summary,status' } }));

  return {
    needs: ['url', 'project', ...(config.token ? ['token'] : ['username', 'password'])],
    subjectOf: (key, subject) => (key && !field ? `[${key}] ${subject}` : subject),

    async open({ subject, description, key, priority }) {
      const fields = { project: { key: config.project }, summary: subject, issuetype: { name: config.jira_issue_type } };
      if (description) fields.description = text(description);
      if (priority) fields.priority = { name: PRIORITY[priority] };
      if (key && field) fields[field] = key;
      const made = await call(conn, 'POST', `${api}/issue`, { body: { fields }, ok: [201] });
      return get(made.key);
    },

    async findOpen(key) {
      const where = field ? `cf[${field.replace(/^customfield_/, '')}] ~ ${jqlString(key)}` : `summary ~ ${jqlString(`"[${key}]"`)}`;
      const jql = `project = ${jqlString(config.project)} AND statusCategory != Done AND ${where} ORDER BY created ASC`;
      const fields = ['summary', 'status', ...(field ? [field] : [])].join(',');
      // v3's search moved to /search/jql (the old /search is withdrawn on Jira Cloud)
      const found = await call(conn, 'GET', v === 3 ? `${api}/search/jql` : `${api}/search`, { query: { jql, fields, maxResults: 50 } });
      // JQL text search is fuzzy (words, not characters): keep only this exact key
      const mine = (found.issues ?? []).filter((i) => (field ? i.fields?.[field] === key : String(i.fields?.summary ?? '').startsWith(`[${key}]`)));
      return mine.length ? view(mine[0]) : null;
    },

    async comment(key, t) {
      await call(conn, 'POST', `${api}/issue/${encodeURIComponent(key)}/comment`, { body: { body: text(t) }, ok: [201] });
      return get(key);
    },

    async attach(key, file, comment) {
      const form = new FormData();
      form.append('file', new Blob([file.content], { type: file.contentType }), file.filename);
      const made = await call(conn, 'POST', `${api}/issue/${encodeURIComponent(key)}/attachments`, {
        body: form,
        headers: { 'X-Atlassian-Token': 'no-check' },
        ok: [200],
      });
      if (comment) await call(conn, 'POST', `${api}/issue/${encodeURIComponent(key)}/comment`, { body: { body: text(comment) }, ok: [201] });
      return { ticket: await get(key), attachmentId: made?.[0]?.id !== undefined ? String(made[0].id) : null };
    },

    async resolve(key, comment) {
      const path = `${api}/issue/${encodeURIComponent(key)}/transitions`;
      const { transitions } = await call(conn, 'GET', path);
      const want = config.jira_resolve_transition.toLowerCase();
      const t = transitions.find((x) => x.name.toLowerCase() === want) ?? transitions.find((x) => x.to?.name?.toLowerCase() === want);
      if (!t) {
        const names = transitions.map((x) => x.name).join(', ') || 'none';
        throw Object.assign(new Error(`jira: ${key} has no transition '${config.jira_resolve_transition}' (it offers: ${names}); set jira_resolve_transition`), {
          code: 'NRX_ERR_TICKET',
        });
      }
      if (comment) await call(conn, 'POST', `${api}/issue/${encodeURIComponent(key)}/comment`, { body: { body: text(comment) }, ok: [201] });
      await call(conn, 'POST', path, { body: { transition: { id: t.id } }, ok: [204] });
      return get(key);
    },
  };
}
