import { bodyTooLong, DOCS, errorReply, notFound, paginate, validationFailed, type Reply, type ValidationErrorItem } from '../http.ts';
import type { PullRecord } from '../records.ts';
import { pullRequestObject, stamp } from '../render.ts';
import { numberParam, sortRecords, stateFilter, type Route, type RouteRequest } from './route.ts';

const PULLS = '/repos/{owner}/{repo}/pulls';
const PULL = '/repos/{owner}/{repo}/pulls/{pull_number}';

interface CreateBody {
  title?: string;
  head: string;
  base: string;
  body?: string;
  draft?: boolean;
  maintainer_can_modify?: boolean;
}
interface UpdateBody {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  base?: string;
  maintainer_can_modify?: boolean;
}

/** GitHub's answer when an open pull request already joins these branches. */
const alreadyExists = (owner: string, head: string): Reply =>
  validationFailed(DOCS.createPull, { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` });

function openDuplicate(request: RouteRequest, head: string, base: string, except?: number): PullRecord | undefined {
  return [...request.ctx.state.pulls.values()].find((p) => p.state === 'open' && p.head === head && p.base === base && p.number !== except);
}

/** GET pulls: `head` must be 'owner:branch'; a bare branch name is ignored, as GitHub silently does. */
async function listPulls(request: RouteRequest): Promise<Reply> {
  const { url, ctx } = request;
  const head = url.searchParams.get('head');
  const base = url.searchParams.get('base');
  const matches = (p: PullRecord) => (!head?.includes(':') || `${ctx.owner}:${p.head}`.toLowerCase() === head.toLowerCase()) && (!base || p.base === base);
  const pulls = sortRecords([...ctx.state.pulls.values()].filter(stateFilter(url)).filter(matches), url);
  const { page, headers } = paginate(pulls, url);
  return { status: 200, body: await Promise.all(page.map((p) => pullRequestObject(ctx, p, 'simple'))), headers };
}

/** The branch `head` names in this repository ('branch' or 'owner:branch'); undefined for another owner's fork. */
function headBranch(head: string, owner: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === owner.toLowerCase() ? head.slice(colon + 1) : undefined;
}

async function createPull(request: RouteRequest): Promise<Reply> {
  const { ctx, actor } = request;
  const body = request.body as CreateBody;
  const head = headBranch(body.head, ctx.owner);
  const [headSha, baseSha] = await Promise.all([head ? ctx.git.branchSha(head) : undefined, ctx.git.branchSha(body.base)]);
  const invalid: ValidationErrorItem[] = [];
  if (body.title === undefined) invalid.push({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
  if (!baseSha) invalid.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  if (!head || !headSha) invalid.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  const tooLong = bodyTooLong('PullRequest', body.body);
  if (tooLong) invalid.push(tooLong);
  if (invalid.length || !head || !headSha || !baseSha) return validationFailed(DOCS.createPull, ...invalid);
  if (openDuplicate(request, head, body.base)) return alreadyExists(ctx.owner, head);
  if ((await ctx.git.compare(baseSha, headSha)).commits === 0) {
    return validationFailed(DOCS.createPull, { resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${head}` });
  }
  const now = stamp(ctx);
  const pull: PullRecord = {
    number: ctx.state.nextNumber(),
    id: ctx.state.nextId(),
    title: body.title ?? '',
    body: body.body ?? null,
    state: 'open',
    stateReason: null,
    labels: [],
    assignees: [],
    author: actor,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    head,
    base: body.base,
    headSha,
    baseSha,
    draft: body.draft ?? false,
    maintainerCanModify: body.maintainer_can_modify ?? false,
    requestedReviewers: [],
    requestedTeams: [],
  };
  ctx.state.addIssue(pull);
  const object = await pullRequestObject(ctx, pull, 'full');
  return { status: 201, body: object, headers: { location: String(object.url) } };
}

function findPull(request: RouteRequest): PullRecord | undefined {
  return request.ctx.state.pulls.get(numberParam(request, 'pull_number'));
}

async function getPull(request: RouteRequest): Promise<Reply> {
  const pull = findPull(request);
  return pull ? { status: 200, body: await pullRequestObject(request.ctx, pull, 'full') } : notFound();
}

async function updatePull(request: RouteRequest): Promise<Reply> {
  const { ctx } = request;
  const pull = findPull(request);
  if (!pull) return notFound();
  const body = (request.body ?? {}) as UpdateBody;
  const base = body.base ?? pull.base;
  const baseSha = body.base === undefined ? pull.baseSha : await ctx.git.branchSha(body.base);
  if (!baseSha) return validationFailed(DOCS.updatePull, { resource: 'PullRequest', field: 'base', code: 'invalid' });
  const tooLong = bodyTooLong('PullRequest', body.body);
  if (tooLong) return validationFailed(DOCS.updatePull, tooLong);
  const state = body.state ?? pull.state;
  if (state === 'open' && openDuplicate(request, pull.head, base, pull.number)) return alreadyExists(ctx.owner, pull.head);
  const now = stamp(ctx);
  if (state !== pull.state) Object.assign(pull, { state, closedAt: state === 'closed' ? now : null });
  Object.assign(pull, {
    base,
    baseSha,
    updatedAt: now,
    title: body.title ?? pull.title,
    body: body.body ?? pull.body,
    maintainerCanModify: body.maintainer_can_modify ?? pull.maintainerCanModify,
  });
  return { status: 200, body: await pullRequestObject(ctx, pull, 'full') };
}

async function requestReviewers(request: RouteRequest): Promise<Reply> {
  const pull = findPull(request);
  if (!pull) return notFound();
  const body = (request.body ?? {}) as { reviewers?: string[]; team_reviewers?: string[] };
  const reviewers = body.reviewers ?? [];
  if (reviewers.some((login) => login.toLowerCase() === pull.author.toLowerCase()))
    return errorReply(422, 'Review cannot be requested from pull request author.', DOCS.requestReviewers);
  const add = (list: string[], more: string[]) => [...list, ...more.filter((m) => !list.some((l) => l.toLowerCase() === m.toLowerCase()))];
  pull.requestedReviewers = add(pull.requestedReviewers, reviewers);
  pull.requestedTeams = add(pull.requestedTeams, body.team_reviewers ?? []);
  pull.updatedAt = stamp(request.ctx);
  return { status: 201, body: await pullRequestObject(request.ctx, pull, 'simple') };
}

export const PULL_ROUTES: Route[] = [
  { method: 'GET', template: PULLS, query: ['state', 'head', 'base', 'sort', 'direction', 'per_page', 'page'], handle: listPulls },
  { method: 'POST', template: PULLS, fields: ['title', 'head', 'base', 'body', 'draft', 'maintainer_can_modify'], handle: createPull },
  { method: 'GET', template: PULL, handle: getPull },
  { method: 'PATCH', template: PULL, fields: ['title', 'body', 'state', 'base', 'maintainer_can_modify'], handle: updatePull },
  { method: 'POST', template: `${PULL}/requested_reviewers`, fields: ['reviewers', 'team_reviewers'], handle: requestReviewers },
];
