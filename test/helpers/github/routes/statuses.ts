import { DOCS, errorReply, paginate, validationFailed, type Reply, type ValidationErrorItem } from '../http.ts';
import type { StatusRecord } from '../records.ts';
import { stamp } from '../render.ts';
import { combinedStatusObject, statusObject } from '../render-statuses.ts';
import type { Route, RouteRequest } from './route.ts';

const COMMIT = '/repos/{owner}/{repo}/commits/{ref}';

/** GitHub's limit on a status description, in characters. */
const MAX_DESCRIPTION_CHARS = 140;

interface StatusBody {
  state: StatusRecord['state'];
  target_url?: string | null;
  description?: string | null;
  context?: string;
}

/** The 422 item GitHub answers for a description over its limit, or for a target_url that is not a URL. */
function invalidFields(body: StatusBody): ValidationErrorItem[] {
  const invalid: ValidationErrorItem[] = [];
  if (typeof body.description === 'string' && [...body.description].length > MAX_DESCRIPTION_CHARS)
    invalid.push({
      resource: 'Status',
      code: 'custom',
      field: 'description',
      message: `description is too long (maximum is ${MAX_DESCRIPTION_CHARS} characters)`,
    });
  // GitHub's exact answer here is unverified; storing it would break the `uri` format of simple-commit-status.target_url.
  if (typeof body.target_url === 'string' && !URL.canParse(body.target_url)) invalid.push({ resource: 'Status', code: 'invalid', field: 'target_url' });
  return invalid;
}

/**
 * POST statuses/{sha}: only the full SHA of a commit in the served repository (the toolkit sends the pull request's
 * head.sha); anything else is answered as GitHub answers a SHA it does not have.
 */
async function createStatus(request: RouteRequest): Promise<Reply> {
  const { ctx, actor } = request;
  const sha = request.params.sha!;
  if ((await ctx.git.commitSha(sha)) !== sha) return errorReply(422, `No commit found for SHA: ${sha}`, DOCS.createStatus);
  const body = request.body as StatusBody;
  const invalid = invalidFields(body);
  if (invalid.length) return validationFailed(DOCS.createStatus, ...invalid);
  const now = stamp(ctx);
  const status: StatusRecord = {
    id: ctx.state.nextId(),
    sha,
    state: body.state,
    context: body.context ?? 'default',
    description: body.description ?? null,
    targetUrl: body.target_url ?? null,
    creator: actor,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.addStatus(status);
  const object = statusObject(ctx, status);
  return { status: 201, body: object, headers: { location: String(object.url) } };
}

/** The commit `ref` (SHA, branch or tag) names, or GitHub's 404 for a ref it does not know. */
async function refCommit(request: RouteRequest, docs: string): Promise<string | Reply> {
  const ref = request.params.ref!;
  return (await request.ctx.git.commitSha(ref)) ?? errorReply(404, `No commit found for SHA: ${ref}`, docs);
}

/** GET commits/{ref}/status: every context's latest status, and the state they combine to. */
async function getCombinedStatus(request: RouteRequest): Promise<Reply> {
  const sha = await refCommit(request, DOCS.combinedStatus);
  if (typeof sha !== 'string') return sha;
  const latest = request.ctx.state.latestStatuses(sha);
  const { page, headers } = paginate(latest, request.url);
  return { status: 200, body: combinedStatusObject(request.ctx, sha, latest, page), headers };
}

/** GET commits/{ref}/statuses: every status, superseded ones too, newest first. */
async function listStatuses(request: RouteRequest): Promise<Reply> {
  const sha = await refCommit(request, DOCS.listStatuses);
  if (typeof sha !== 'string') return sha;
  const statuses = [...(request.ctx.state.statuses.get(sha) ?? [])].reverse();
  const { page, headers } = paginate(statuses, request.url);
  return { status: 200, body: page.map((s) => statusObject(request.ctx, s)), headers };
}

export const STATUS_ROUTES: Route[] = [
  { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', fields: ['state', 'target_url', 'description', 'context'], handle: createStatus },
  { method: 'GET', template: `${COMMIT}/status`, query: ['per_page', 'page'], handle: getCombinedStatus },
  { method: 'GET', template: `${COMMIT}/statuses`, query: ['per_page', 'page'], handle: listStatuses },
];
