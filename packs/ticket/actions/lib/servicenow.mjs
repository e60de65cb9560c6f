/**
 * ServiceNow's Table API on the incident table and its Attachment API
 * (https://docs.servicenow.com, "Table API", "Attachment API"). The incident key is a column:
 * incident_key_field, default correlation_id.
 */
import { basic, call } from './http.mjs';

// urgency and impact: ServiceNow derives the priority from the two
const PRIORITY = { low: ['3', '3'], normal: ['2', '2'], high: ['1', '2'], urgent: ['1', '1'] };
const STATE = { 1: 'New', 2: 'In Progress', 3: 'On Hold', 6: 'Resolved', 7: 'Closed', 8: 'Canceled' };
const FIELDS = 'sys_id,number,state,short_description,active';

export function servicenow(config, conn) {
  conn.headers.Authorization = basic(config.username, config.password);
  const field = config.incident_key_field || 'correlation_id';
  const table = '/api/now/table/incident';
  const view = (r) => ({
    system: 'servicenow',
    id: r.sys_id,
    ref: r.number,
    url: `${conn.base}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${r.sys_id}`)}`,
    subject: r.short_description ?? null,
    status: STATE[r.state] ?? String(r.state),
    open: r.active !== undefined ? String(r.active) === 'true' : !['6', '7', '8'].includes(String(r.state)),
  });
  const patch = async (id, body) =>
    view((await call(conn, 'PATCH', `${table}/${encodeURIComponent(id)}`, { body, query: { sysparm_fields: FIELDS } })).result);

  return {
    needs: ['url', 'username', 'password'],
    subjectOf: (_key, subject) => subject,

    async open({ subject, description, key, priority }) {
      const body = { short_description: subject, description: description ?? '' };
      if (key) body[field] = key;
      if (priority) [body.urgency, body.impact] = PRIORITY[priority];
      return view((await call(conn, 'POST', table, { body, query: { sysparm_fields: FIELDS }, ok: [201] })).result);
    },

    async findOpen(key) {
      // encoded query: '^' separates conditions, so a '^' in the key is doubled
      const q = `${field}=${String(key).replace(/\^/g, '^^')}^active=true^ORDERBYsys_created_on`;
      const { result } = await call(conn, 'GET', table, { query: { sysparm_query: q, sysparm_limit: 1, sysparm_fields: FIELDS } });
      return result.length ? view(result[0]) : null;
    },

    comment: (id, text) => patch(id, { comments: text }),

    async attach(id, file, comment) {
      const made = await call(conn, 'POST', '/api/now/attachment/file', {
        query: { table_name: 'incident', table_sys_id: id, file_name: file.filename },
        body: file.content,
        headers: { 'Content-Type': file.contentType },
        ok: [201],
      });
      const ticket = comment
        ? await patch(id, { comments: comment })
        : view((await call(conn, 'GET', `${table}/${encodeURIComponent(id)}`, { query: { sysparm_fields: FIELDS } })).result);
      return { ticket, attachmentId: made.result?.sys_id ?? null };
    },

    resolve: (id, comment) => patch(id, { state: '6', close_code: config.servicenow_close_code, close_notes: comment || 'Resolved by netreflex' }),
  };
}
