/**
 * Jira and ServiceNow as their published REST documentation describes them, on loopback: every
 * request is checked against the documented shape (method, path, auth, headers, body fields and
 * types) and answered with the documented response. A request that breaks the shape gets the
 * system's error answer and is recorded in `violations`, so a test can insist there are none.
 *   Jira:       https://developer.atlassian.com/cloud/jira/platform/rest/v2/ and /v3/ (issues,
 *               comments, attachments, transitions, search; v3 text as Atlassian Document Format)
 *   ServiceNow: Table API (/api/now/table/incident) and Attachment API (/api/now/attachment/file)
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeTracker {
  url: string;
  /** Every request as `METHOD path`. */
  requests: string[];
  violations: string[];
  close(): Promise<void>;
}

type Answer = { status: number; body?: unknown };
type Handler = (req: { method: string; url: URL; headers: IncomingMessage['headers']; body: Buffer }, m: RegExpMatchArray) => Answer | Promise<Answer>;

async function serve(routes: Array<[string, RegExp, Handler]>, authorized: (h: IncomingMessage['headers']) => boolean, refuse: (why: string) => Answer) {
  const requests: string[] = [];
  const violations: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        requests.push(`${req.method} ${url.pathname}`);
        let answer: Answer;
        if (!authorized(req.headers)) answer = { status: 401, body: { errorMessages: ['You are not authenticated.'] } };
        else {
          const route = routes.find(([m, re]) => m === req.method && re.test(url.pathname));
          if (!route) {
            violations.push(`no documented route ${req.method} ${url.pathname}`);
            answer = { status: 404, body: null };
          } else {
            try {
              answer = await route[2]({ method: req.method!, url, headers: req.headers, body: Buffer.concat(chunks) }, url.pathname.match(route[1])!);
            } catch (e) {
              const why = `${req.method} ${url.pathname}: ${(e as Error).message}`;
              violations.push(why);
              answer = refuse(why);
            }
          }
        }
        res.writeHead(answer.status, answer.body === undefined ? {} : { 'Content-Type': 'application/json' });
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, violations, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Throws (a violation) unless `cond`. */
function expect(cond: unknown, what: string): void {
  if (!cond) throw new Error(what);
}

function json(r: { headers: IncomingMessage['headers']; body: Buffer }): Record<string, any> {
  expect(String(r.headers['content-type']).startsWith('application/json'), `Content-Type must be application/json (got ${r.headers['content-type']})`);
  return JSON.parse(r.body.toString('utf8')) as Record<string, any>;
}

const isAdf = (d: any): boolean =>
  d?.type === 'doc' && d.version === 1 && Array.isArray(d.content) && d.content.every((p: any) => p.type === 'paragraph' && Array.isArray(p.content));
const adfText = (d: any): string => d.content.map((p: any) => p.content.map((n: any) => (n.type === 'hardBreak' ? '\n' : n.text)).join('')).join('\n\n');

/** Jira Cloud, REST API version 2 or 3, basic auth with an account and an API token. */
export async function fakeJira(opts: {
  version: 2 | 3;
  user: string;
  token: string;
  project: string;
  /** Text custom fields on the create screen. */
  customFields?: string[];
}): Promise<FakeTracker & { issues: Map<string, any> }> {
  const v = opts.version;
  const issues = new Map<string, any>();
  const STATUS = { todo: { name: 'To Do', statusCategory: { key: 'new' } }, done: { name: 'Done', statusCategory: { key: 'done' } } };
  const TRANSITIONS = [
    { id: '11', name: 'To Do', to: STATUS.todo },
    { id: '31', name: 'Done', to: STATUS.done },
  ];
  let next = 1;
  const text = (t: unknown, what: string): string => {
    if (v === 2) {
      expect(typeof t === 'string', `${what} must be a string in REST v2`);
      return t as string;
    }
    expect(isAdf(t), `${what} must be an Atlassian Document Format document in REST v3`);
    return adfText(t);
  };
  const issueOf = (key: string) => {
    const i = issues.get(key);
    expect(i, `issue ${key} does not exist`);
    return i;
  };
  // Jira answers with the fields asked for (?fields=a,b), all of them when not asked
  const shown = (i: any, url: string, asked: string | null) => {
    const all: Record<string, unknown> = { summary: i.summary, status: i.status, ...i.custom };
    const fields = asked ? Object.fromEntries(asked.split(',').map((f) => [f, all[f] ?? null])) : all;
    return { id: i.id, key: i.key, self: `${url}/rest/api/${v}/issue/${i.id}`, fields };
  };
  let base = '';
  const api = `/rest/api/${v}`;
  const routes: Array<[string, RegExp, Handler]> = [
    [
      'POST',
      new RegExp(`^${api}/issue$`),
      (r) => {
        const f = json(r).fields;
        expect(f && typeof f === 'object', 'body must be {fields: {...}}');
        expect(f.project?.key === opts.project, `fields.project.key must be ${opts.project}`);
        expect(typeof f.summary === 'string' && f.summary.length > 0 && f.summary.length <= 255, 'fields.summary must be 1..255 characters');
        expect(typeof f.issuetype?.name === 'string', 'fields.issuetype.name is required');
        // custom fields of the text type (a string); Jira refuses a custom field the screen does not have
        const custom = Object.fromEntries(Object.entries(f).filter(([k]) => k.startsWith('customfield_')));
        for (const [k, val] of Object.entries(custom)) expect(opts.customFields?.includes(k) && typeof val === 'string', `field '${k}' cannot be set`);
        const id = String(10000 + next);
        const key = `${opts.project}-${next++}`;
        issues.set(key, {
          id,
          key,
          summary: f.summary,
          description: f.description === undefined ? null : text(f.description, 'fields.description'),
          priority: f.priority?.name ?? null,
          status: STATUS.todo,
          comments: [],
          attachments: [],
          custom,
        });
        return { status: 201, body: { id, key, self: `${base}${api}/issue/${id}` } };
      },
    ],
    [
      'GET',
      new RegExp(`^${api}/issue/([A-Z]+-\\d+)$`),
      (r, m) => {
        expect(r.url.searchParams.get('fields') !== null, 'fetch only the fields you need (?fields=)');
        return { status: 200, body: shown(issueOf(m[1]!), base, r.url.searchParams.get('fields')) };
      },
    ],
    [
      'GET',
      new RegExp(v === 3 ? `^${api}/search/jql$` : `^${api}/search$`),
      (r) => {
        const jql = r.url.searchParams.get('jql');
        expect(jql, 'jql is required');
        const project = /project = "([^"]+)"/.exec(jql!)?.[1];
        expect(project === opts.project, 'the JQL names the project');
        const openOnly = /statusCategory != Done/.test(jql!);
        const phrase = /summary ~ "\\"(.*)\\""/.exec(jql!)?.[1];
        const cf = /cf\[(\d+)\] ~ "(.*)"/.exec(jql!);
        expect(phrase !== undefined || cf, `unexpected JQL ${jql}`);
        // Jira's text search matches words, not characters: punctuation is dropped
        const words = (s: string) =>
          s
            .toLowerCase()
            .split(/[^a-z0-9]+/)
            .filter(Boolean);
        const want = words((phrase ?? cf![2]!).replace(/\\(.)/g, '$1'));
        const searched = (i: any): string => (cf ? (i.custom[`customfield_${cf[1]}`] ?? '') : i.summary);
        const found = [...issues.values()].filter((i) => (!openOnly || i.status !== STATUS.done) && want.every((w) => words(searched(i)).includes(w)));
        const list = found.map((i) => shown(i, base, r.url.searchParams.get('fields')));
        return { status: 200, body: v === 3 ? { issues: list, isLast: true } : { startAt: 0, maxResults: 50, total: list.length, issues: list } };
      },
    ],
    [
      'POST',
      new RegExp(`^${api}/issue/([A-Z]+-\\d+)/comment$`),
      (r, m) => {
        const i = issueOf(m[1]!);
        i.comments.push(text(json(r).body, 'body'));
        return { status: 201, body: { id: String(i.comments.length), body: json(r).body } };
      },
    ],
    [
      'POST',
      new RegExp(`^${api}/issue/([A-Z]+-\\d+)/attachments$`),
      async (r, m) => {
        expect(r.headers['x-atlassian-token'] === 'no-check', 'attachments need the header X-Atlassian-Token: no-check');
        expect(String(r.headers['content-type']).startsWith('multipart/form-data'), 'attachments are multipart/form-data');
        const form = await new Request('http://fake/', {
          method: 'POST',
          headers: { 'content-type': String(r.headers['content-type']) },
          body: new Uint8Array(r.body),
        }).formData();
        const file = form.get('file');
        expect(file instanceof Blob, 'the multipart part must be named "file"');
        const blob = file as File;
        const i = issueOf(m[1]!);
        const a = { id: String(20000 + i.attachments.length), filename: blob.name, size: blob.size, mimeType: blob.type, text: await blob.text() };
        i.attachments.push(a);
        return { status: 200, body: [{ id: a.id, filename: a.filename, size: a.size, mimeType: a.mimeType, self: `${base}${api}/attachment/${a.id}` }] };
      },
    ],
    ['GET', new RegExp(`^${api}/issue/([A-Z]+-\\d+)/transitions$`), (_r, m) => (issueOf(m[1]!), { status: 200, body: { transitions: TRANSITIONS } })],
    [
      'POST',
      new RegExp(`^${api}/issue/([A-Z]+-\\d+)/transitions$`),
      (r, m) => {
        const t = TRANSITIONS.find((x) => x.id === json(r).transition?.id);
        expect(t, 'transition.id must be one GET transitions offers');
        issueOf(m[1]!).status = t!.to;
        return { status: 204 };
      },
    ],
  ];
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.token}`).toString('base64')}`;
  const s = await serve(
    routes,
    (h) => h.authorization === auth,
    (why) => ({ status: 400, body: { errorMessages: [why], errors: {} } }),
  );
  base = s.url;
  return { ...s, issues };
}

/** ServiceNow's incident table and attachments, basic auth. */
export async function fakeServiceNow(opts: { user: string; password: string }): Promise<FakeTracker & { incidents: Map<string, any> }> {
  const incidents = new Map<string, any>();
  const COLUMNS = new Set([
    'short_description',
    'description',
    'correlation_id',
    'urgency',
    'impact',
    'comments',
    'work_notes',
    'state',
    'close_code',
    'close_notes',
  ]);
  let number = 10000;
  const pick = (i: any, fields: string | null) => {
    const all = { ...i, comments: '', attachments: undefined };
    if (!fields) return all;
    return Object.fromEntries(fields.split(',').map((f) => [f, all[f] ?? '']));
  };
  const write = (i: any, body: Record<string, any>) => {
    for (const [k, val] of Object.entries(body)) {
      expect(COLUMNS.has(k), `'${k}' is not a column of incident`);
      expect(typeof val === 'string', `${k} must be a string`);
      if (k === 'comments') i.journal.push(val);
      else i[k] = val;
    }
    if (i.state === '6') {
      // the out-of-box data policy: a resolved incident needs a resolution code and notes
      expect(i.close_code && i.close_notes, 'Data Policy Exception: Resolution code and Resolution notes are mandatory when resolving');
    }
  };
  const incidentOf = (id: string) => {
    const i = incidents.get(id);
    expect(i, `No Record found: incident ${id}`);
    return i;
  };
  const routes: Array<[string, RegExp, Handler]> = [
    [
      'POST',
      /^\/api\/now\/table\/incident$/,
      (r) => {
        const b = json(r);
        expect(typeof b.short_description === 'string' && b.short_description, 'short_description is required');
        const sys_id = randomBytes(16).toString('hex');
        const i = {
          sys_id,
          number: `INC${String(number++).padStart(7, '0')}`,
          state: '1',
          active: 'true',
          journal: [] as string[],
          attachments: [] as unknown[],
        };
        write(i, b);
        incidents.set(sys_id, i);
        return { status: 201, body: { result: pick(i, r.url.searchParams.get('sysparm_fields')) } };
      },
    ],
    [
      'GET',
      /^\/api\/now\/table\/incident$/,
      (r) => {
        const q = r.url.searchParams.get('sysparm_query') ?? '';
        // encoded query: conditions joined by '^', a literal '^' doubled
        const parts = q
          .replace(/\^\^/g, '\u0000')
          .split('^')
          .map((p) => p.replace(/\u0000/g, '^'));
        let list = [...incidents.values()];
        for (const p of parts) {
          if (p.startsWith('ORDERBY')) continue;
          const m = /^([a-z_]+)=(.*)$/.exec(p);
          expect(m, `cannot read the query condition '${p}'`);
          list = list.filter((i) => String(i[m![1]!]) === m![2]);
        }
        const limit = Number(r.url.searchParams.get('sysparm_limit') ?? 10000);
        return { status: 200, body: { result: list.slice(0, limit).map((i) => pick(i, r.url.searchParams.get('sysparm_fields'))) } };
      },
    ],
    [
      'GET',
      /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/,
      (r, m) => ({ status: 200, body: { result: pick(incidentOf(m[1]!), r.url.searchParams.get('sysparm_fields')) } }),
    ],
    [
      'PATCH',
      /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/,
      (r, m) => {
        const i = incidentOf(m[1]!);
        write(i, json(r));
        if (i.state === '6') i.active = 'false';
        return { status: 200, body: { result: pick(i, r.url.searchParams.get('sysparm_fields')) } };
      },
    ],
    [
      'POST',
      /^\/api\/now\/attachment\/file$/,
      (r) => {
        const q = r.url.searchParams;
        expect(q.get('table_name') === 'incident', 'table_name=incident is required');
        expect(q.get('file_name'), 'file_name is required');
        const i = incidentOf(q.get('table_sys_id') ?? '');
        expect(
          r.headers['content-type'] && !String(r.headers['content-type']).startsWith('multipart/'),
          "the body is the file itself, with the file's Content-Type",
        );
        const a = {
          sys_id: randomBytes(16).toString('hex'),
          file_name: q.get('file_name'),
          size_bytes: String(r.body.length),
          content_type: r.headers['content-type'],
          table_name: 'incident',
          table_sys_id: i.sys_id,
        };
        i.attachments.push({ ...a, text: r.body.toString('utf8') });
        return { status: 201, body: { result: a } };
      },
    ],
  ];
  const auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  const s = await serve(
    routes,
    (h) => h.authorization === auth && String(h.accept).includes('application/json'),
    (why) => ({ status: why.includes('Data Policy') ? 403 : 400, body: { error: { message: 'Operation Failed', detail: why }, status: 'failure' } }),
  );
  return { ...s, incidents };
}
