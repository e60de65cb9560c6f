/**
 * Redmine's REST API (https://www.redmine.org/projects/redmine/wiki/Rest_api): issues,
 * notes (journals), uploads. The incident key is a custom field when incident_key_field names
 * one, else the subject's "[key] " prefix.
 */
import { call } from './http.mjs';

const PRIORITY = { low: 1, normal: 2, high: 3, urgent: 4 };

export function redmine(config, conn) {
  conn.headers['X-Redmine-API-Key'] = config.api_key;
  const field = config.incident_key_field ? Number(config.incident_key_field) : null;
  const view = (issue) => ({
    system: 'redmine',
    id: String(issue.id),
    ref: `#${issue.id}`,
    url: `${conn.base}/issues/${issue.id}`,
    subject: issue.subject,
    status: issue.status?.name ?? null,
    open: issue.status ? issue.status.is_closed !== true : null,
  });
  const get = async (id) => view((await call(conn, 'GET', `/issues/${encodeURIComponent(id)}.json`)).issue);
  const update = (id, issue) => call(conn, 'PUT', `/issues/${encodeURIComponent(id)}.json`, { body: { issue } });

  return {
    needs: ['url', 'api_key', 'project'],
    subjectOf: (key, subject) => (key && !field ? `[${key}] ${subject}` : subject),

    async open({ subject, description, key, priority }) {
      const issue = { project_id: config.project, subject, description: description ?? '' };
      if (config.redmine_tracker_id) issue.tracker_id = config.redmine_tracker_id;
      if (priority) issue.priority_id = PRIORITY[priority];
      if (key && field) issue.custom_fields = [{ id: field, value: key }];
      return view((await call(conn, 'POST', '/issues.json', { body: { issue }, ok: [201] })).issue);
    },

    async findOpen(key) {
      const query = { project_id: config.project, status_id: 'open', sort: 'id:desc', limit: 100 };
      if (field) query[`cf_${field}`] = key;
      else query.subject = `~[${key}]`;
      const { issues } = await call(conn, 'GET', '/issues.json', { query });
      // Redmine's "contains" ignores case and matches anywhere: keep only this exact key
      const mine = issues.filter((i) =>
        field ? i.custom_fields?.some((c) => c.id === field && c.value === key) : i.subject.startsWith(`[${key}] `) || i.subject === `[${key}]`,
      );
      return mine.length ? view(mine.at(-1)) : null; // the oldest open one is the incident's ticket
    },

    async comment(id, text) {
      await update(id, { notes: text });
      return get(id);
    },

    async attach(id, file, comment) {
      const up = await call(conn, 'POST', '/uploads.json', {
        query: { filename: file.filename },
        body: file.content,
        headers: { 'Content-Type': 'application/octet-stream' },
        ok: [201],
      });
      const upload = { token: up.upload.token, filename: file.filename, content_type: file.contentType };
      await update(id, { uploads: [upload], ...(comment ? { notes: comment } : {}) });
      return { ticket: await get(id), attachmentId: up.upload.id !== undefined ? String(up.upload.id) : null };
    },

    async resolve(id, comment) {
      await update(id, { status_id: config.redmine_closed_status_id, ...(comment ? { notes: comment } : {}) });
      return get(id);
    },
  };
}
