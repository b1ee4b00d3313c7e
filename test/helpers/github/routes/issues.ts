import { bodyTooLong, DOCS, notFound, paginate, validationFailed, type Reply } from '../http.ts';
import { labelObject } from '../objects.ts';
import type { IssueRecord } from '../records.ts';
import { issueObject, stamp } from '../render.ts';
import { numberParam, sortRecords, stateFilter, type Route, type RouteRequest } from './route.ts';

const ISSUES = '/repos/{owner}/{repo}/issues';
const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}';

type LabelInput = string | { name?: string };
interface IssueBody {
  title?: string | number | null;
  body?: string | null;
  labels?: LabelInput[];
  assignees?: string[];
  state?: 'open' | 'closed';
  state_reason?: IssueRecord['stateReason'];
}

const labelNames = (labels: LabelInput[]): string[] => labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);

/** Label names without case-insensitive duplicates, spelled as the repository's labels are (created when new). */
function withLabels(request: RouteRequest, current: string[], more: string[]): string[] {
  const names = [...current];
  for (const name of more) {
    const label = request.ctx.state.label(name);
    if (!names.some((n) => n.toLowerCase() === label.name.toLowerCase())) names.push(label.name);
  }
  return names;
}

/** GET issues: pull requests are listed too (with `pull_request`), as GitHub does. */
async function listIssues(request: RouteRequest): Promise<Reply> {
  const { url, ctx } = request;
  const wanted = (url.searchParams.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const creator = url.searchParams.get('creator')?.toLowerCase();
  const since = url.searchParams.get('since');
  const matches = (i: IssueRecord) =>
    wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)) && (!creator || i.author.toLowerCase() === creator) && (!since || i.updatedAt >= since);
  const issues = sortRecords([...ctx.state.issues.values()].filter(stateFilter(url)).filter(matches), url);
  const { page, headers } = paginate(issues, url);
  return { status: 200, body: page.map((i) => issueObject(ctx, i)), headers };
}

async function createIssue(request: RouteRequest): Promise<Reply> {
  const { ctx } = request;
  const body = request.body as IssueBody;
  const tooLong = bodyTooLong('Issue', body.body);
  if (tooLong) return validationFailed(DOCS.createIssue, tooLong);
  if (body.title === null || body.title === undefined || String(body.title).trim() === '') {
    return validationFailed(DOCS.createIssue, { resource: 'Issue', field: 'title', code: 'missing_field' });
  }
  const now = stamp(ctx);
  const issue: IssueRecord = {
    number: ctx.state.nextNumber(),
    id: ctx.state.nextId(),
    title: String(body.title),
    body: body.body ?? null,
    state: 'open',
    stateReason: null,
    labels: withLabels(request, [], labelNames(body.labels ?? [])),
    assignees: body.assignees ?? [],
    author: request.actor,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  ctx.state.addIssue(issue);
  const object = issueObject(ctx, issue);
  return { status: 201, body: object, headers: { location: String(object.url) } };
}

function findIssue(request: RouteRequest): IssueRecord | undefined {
  return request.ctx.state.issues.get(numberParam(request, 'issue_number'));
}

/** PATCH issues/{n}: also works on a pull request's number. Closing defaults state_reason to 'completed'. */
async function updateIssue(request: RouteRequest): Promise<Reply> {
  const { ctx } = request;
  const issue = findIssue(request);
  if (!issue) return notFound();
  const body = (request.body ?? {}) as IssueBody;
  const tooLong = bodyTooLong('Issue', body.body);
  if (tooLong) return validationFailed(DOCS.updateIssue, tooLong);
  const now = stamp(ctx);
  if (body.state && body.state !== issue.state) {
    const closing = body.state === 'closed';
    Object.assign(issue, { state: body.state, closedAt: closing ? now : null, stateReason: body.state_reason ?? (closing ? 'completed' : 'reopened') });
  } else if (body.state_reason !== undefined && issue.state === 'closed') {
    issue.stateReason = body.state_reason;
  }
  if (body.title !== undefined && body.title !== null) issue.title = String(body.title);
  if (body.body !== undefined) issue.body = body.body;
  if (body.labels) issue.labels = withLabels(request, [], labelNames(body.labels));
  if (body.assignees) issue.assignees = body.assignees;
  issue.updatedAt = now;
  return { status: 200, body: issueObject(ctx, issue) };
}

/** POST issues/{n}/labels: adds to the existing labels and answers with all of them. */
async function addLabels(request: RouteRequest): Promise<Reply> {
  const issue = findIssue(request);
  if (!issue) return notFound();
  const body = (request.body ?? {}) as { labels?: LabelInput[] };
  issue.labels = withLabels(request, issue.labels, labelNames(body.labels ?? []));
  issue.updatedAt = stamp(request.ctx);
  return { status: 200, body: issue.labels.map((name) => labelObject(request.ctx, request.ctx.state.label(name))) };
}

export const ISSUE_ROUTES: Route[] = [
  { method: 'GET', template: ISSUES, query: ['state', 'labels', 'creator', 'sort', 'direction', 'since', 'per_page', 'page'], handle: listIssues },
  { method: 'POST', template: ISSUES, fields: ['title', 'body', 'labels', 'assignees'], handle: createIssue },
  { method: 'PATCH', template: ISSUE, fields: ['title', 'body', 'state', 'state_reason', 'labels', 'assignees'], handle: updateIssue },
  { method: 'POST', template: `${ISSUE}/labels`, fields: ['labels'], handle: addLabels },
];
