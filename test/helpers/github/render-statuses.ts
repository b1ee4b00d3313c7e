import { nodeId, repositoryObject, userObject } from './objects.ts';
import type { StatusRecord } from './records.ts';
import { openIssues, type RenderContext } from './render.ts';

type Json = Record<string, unknown>;

/** `simple-commit-status`: a status without its creator, as the combined status lists it. */
function simpleStatusObject(ctx: RenderContext, status: StatusRecord): Json {
  return {
    url: `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}/statuses/${status.sha}`,
    avatar_url: userObject(ctx, status.creator).avatar_url,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
  };
}

/** `status`, as creating one and listing a commit's statuses answer. */
export function statusObject(ctx: RenderContext, status: StatusRecord): Json {
  return { ...simpleStatusObject(ctx, status), creator: userObject(ctx, status.creator) };
}

/** GitHub's combined state: failure if any context's latest status is error or failure, pending if none or one is pending. */
function combinedState(latest: StatusRecord[]): 'failure' | 'pending' | 'success' {
  if (latest.some((s) => s.state === 'error' || s.state === 'failure')) return 'failure';
  return latest.length === 0 || latest.some((s) => s.state === 'pending') ? 'pending' : 'success';
}

/** `combined-commit-status` of commit `sha`: the state over every context's latest status, `page` of them listed. */
export function combinedStatusObject(ctx: RenderContext, sha: string, latest: StatusRecord[], page: StatusRecord[]): Json {
  const commitUrl = `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}/commits/${sha}`;
  return {
    state: combinedState(latest),
    statuses: page.map((s) => simpleStatusObject(ctx, s)),
    sha,
    total_count: latest.length,
    repository: repositoryObject(ctx, { openIssues: openIssues(ctx) }),
    commit_url: commitUrl,
    url: `${commitUrl}/status`,
  };
}
