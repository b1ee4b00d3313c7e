import type { GitRepository } from './git.ts';
import { isoTime, labelObject, nodeId, repositoryObject, teamObject, userObject, type RepoContext } from './objects.ts';
import { isPull, type CommentRecord, type IssueRecord, type PullRecord, type RepositoryState } from './records.ts';

type Json = Record<string, unknown>;

/** What rendering needs: where the repository lives, its state, its git repository. */
export interface RenderContext extends RepoContext {
  state: RepositoryState;
  git: GitRepository;
  now(): Date;
}

/** The time GitHub would stamp now. */
export function stamp(ctx: RenderContext): string {
  return isoTime(ctx.now());
}

/** Open issues and pull requests: the repository object's open_issues_count. */
export function openIssues(ctx: RenderContext): number {
  return [...ctx.state.issues.values()].filter((i) => i.state === 'open').length;
}

function issueUrls(ctx: RenderContext, number: number, kind: 'issues' | 'pull'): { api: string; html: string } {
  const full = `${ctx.owner}/${ctx.repo}`;
  return { api: `${ctx.apiUrl}/repos/${full}/issues/${number}`, html: `${ctx.htmlUrl}/${full}/${kind}/${number}` };
}

/**
 * `pull-request` (full, as GET/POST/PATCH answer) or `pull-request-simple` (as lists and requested_reviewers answer:
 * without merge state, counts and diff statistics). head.sha/base.sha are the branches' current tips in git.
 */
export async function pullRequestObject(ctx: RenderContext, pull: PullRecord, variant: 'full' | 'simple'): Promise<Json> {
  pull.headSha = (await ctx.git.branchSha(pull.head)) ?? pull.headSha;
  pull.baseSha = (await ctx.git.branchSha(pull.base)) ?? pull.baseSha;
  const full = `${ctx.owner}/${ctx.repo}`;
  const api = `${ctx.apiUrl}/repos/${full}/pulls/${pull.number}`;
  const { api: issueApi, html } = issueUrls(ctx, pull.number, 'pull');
  const repository = repositoryObject(ctx, { openIssues: openIssues(ctx) });
  const owner = userObject(ctx, ctx.owner);
  const side = (branch: string, sha: string) => ({ label: `${ctx.owner}:${branch}`, ref: branch, sha, user: owner, repo: repository });
  const links = {
    self: api,
    html,
    issue: issueApi,
    comments: `${issueApi}/comments`,
    review_comments: `${api}/comments`,
    review_comment: `${ctx.apiUrl}/repos/${full}/pulls/comments{/number}`,
    commits: `${api}/commits`,
    statuses: `${ctx.apiUrl}/repos/${full}/statuses/${pull.headSha}`,
  };
  const simple: Json = {
    url: api,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: links.commits,
    review_comments_url: links.review_comments,
    review_comment_url: links.review_comment,
    comments_url: links.comments,
    statuses_url: links.statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userObject(ctx, pull.author),
    body: pull.body,
    labels: labelsOf(ctx, pull),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: null,
    merge_commit_sha: null,
    assignee: pull.assignees[0] ? userObject(ctx, pull.assignees[0]) : null,
    assignees: pull.assignees.map((login) => userObject(ctx, login)),
    requested_reviewers: pull.requestedReviewers.map((login) => userObject(ctx, login)),
    requested_teams: pull.requestedTeams.map((slug) => teamObject(ctx, slug)),
    head: side(pull.head, pull.headSha),
    base: side(pull.base, pull.baseSha),
    _links: Object.fromEntries(Object.entries(links).map(([name, href]) => [name, { href }])),
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: pull.draft,
  };
  if (variant === 'simple') return simple;
  const diff = await ctx.git.compare(pull.baseSha, pull.headSha);
  const open = pull.state === 'open';
  return {
    ...simple,
    merged: false,
    mergeable: open ? diff.mergeable : null,
    rebaseable: open ? diff.mergeable : null,
    mergeable_state: !open ? 'unknown' : diff.mergeable ? (pull.draft ? 'draft' : 'clean') : 'dirty',
    merged_by: null,
    comments: ctx.state.commentsOf(pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: diff.commits,
    additions: diff.additions,
    deletions: diff.deletions,
    changed_files: diff.changedFiles,
  };
}

function labelsOf(ctx: RenderContext, issue: IssueRecord): Json[] {
  return issue.labels.map((name) => labelObject(ctx, ctx.state.label(name)));
}

/** `issue`; a pull request listed as an issue carries `pull_request` links, as on GitHub. */
export function issueObject(ctx: RenderContext, issue: IssueRecord): Json {
  const { api, html } = issueUrls(ctx, issue.number, isPull(issue) ? 'pull' : 'issues');
  const repoApi = `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}`;
  return {
    id: issue.id,
    node_id: nodeId(isPull(issue) ? 'PR' : 'I', issue.id),
    url: api,
    repository_url: repoApi,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    timeline_url: `${api}/timeline`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userObject(ctx, issue.author),
    labels: labelsOf(ctx, issue),
    assignee: issue.assignees[0] ? userObject(ctx, issue.assignees[0]) : null,
    assignees: issue.assignees.map((login) => userObject(ctx, login)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: ctx.state.commentsOf(issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: issue.state === 'closed' ? userObject(ctx, issue.author) : null,
    author_association: 'CONTRIBUTOR',
    performed_via_github_app: null,
    reactions: reactionsObject(`${api}/reactions`),
    ...(isPull(issue) ? { draft: issue.draft, pull_request: pullLinks(ctx, issue) } : {}),
  };
}

function pullLinks(ctx: RenderContext, pull: PullRecord): Json {
  const html = `${ctx.htmlUrl}/${ctx.owner}/${ctx.repo}/pull/${pull.number}`;
  return {
    url: `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}/pulls/${pull.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    merged_at: null,
  };
}

function reactionsObject(url: string): Json {
  return { url, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

/** `issue-comment`. */
export function commentObject(ctx: RenderContext, comment: CommentRecord): Json {
  const repoApi = `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}`;
  const issue = ctx.state.issues.get(comment.issueNumber);
  const kind = issue && isPull(issue) ? 'pull' : 'issues';
  const url = `${repoApi}/issues/comments/${comment.id}`;
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url,
    body: comment.body,
    user: userObject(ctx, comment.author),
    html_url: `${ctx.htmlUrl}/${ctx.owner}/${ctx.repo}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoApi}/issues/${comment.issueNumber}`,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'CONTRIBUTOR',
    performed_via_github_app: null,
    reactions: reactionsObject(`${url}/reactions`),
  };
}
