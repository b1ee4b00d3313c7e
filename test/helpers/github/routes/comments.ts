import { bodyTooLong, DOCS, notFound, paginate, validationFailed, type Reply } from '../http.ts';
import type { CommentRecord } from '../records.ts';
import { commentObject, stamp } from '../render.ts';
import { numberParam, type Route, type RouteRequest } from './route.ts';

const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';

/** GET issues/{n}/comments: oldest first (GitHub's order), `since` on updated_at. */
async function listComments(request: RouteRequest): Promise<Reply> {
  const { ctx, url } = request;
  const number = numberParam(request, 'issue_number');
  if (!ctx.state.issues.has(number)) return notFound();
  const since = url.searchParams.get('since');
  const comments = ctx.state
    .commentsOf(number)
    .filter((c) => !since || c.updatedAt >= since)
    .sort((a, b) => a.id - b.id);
  const { page, headers } = paginate(comments, url);
  return { status: 200, body: page.map((c) => commentObject(ctx, c)), headers };
}

async function createComment(request: RouteRequest): Promise<Reply> {
  const { ctx } = request;
  const number = numberParam(request, 'issue_number');
  const issue = ctx.state.issues.get(number);
  if (!issue) return notFound();
  const { body } = request.body as { body: string };
  const tooLong = bodyTooLong('IssueComment', body);
  if (tooLong) return validationFailed(DOCS.createComment, tooLong);
  const now = stamp(ctx);
  const comment: CommentRecord = { id: ctx.state.nextId(), issueNumber: number, body, author: request.actor, createdAt: now, updatedAt: now };
  ctx.state.comments.set(comment.id, comment);
  issue.updatedAt = now;
  const object = commentObject(ctx, comment);
  return { status: 201, body: object, headers: { location: String(object.url) } };
}

async function updateComment(request: RouteRequest): Promise<Reply> {
  const { ctx } = request;
  const comment = ctx.state.comments.get(numberParam(request, 'comment_id'));
  if (!comment) return notFound();
  const { body } = request.body as { body: string };
  const tooLong = bodyTooLong('IssueComment', body);
  if (tooLong) return validationFailed(DOCS.updateComment, tooLong);
  Object.assign(comment, { body, updatedAt: stamp(ctx) });
  return { status: 200, body: commentObject(ctx, comment) };
}

export const COMMENT_ROUTES: Route[] = [
  { method: 'GET', template: COMMENTS, query: ['since', 'per_page', 'page'], handle: listComments },
  { method: 'POST', template: COMMENTS, fields: ['body'], handle: createComment },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', fields: ['body'], handle: updateComment },
];
