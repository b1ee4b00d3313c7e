import type { LabelRecord } from './records.ts';

/** Where the served repository lives; every URL in an answer is built from it. */
export interface RepoContext {
  /** The stand-in's base URL, e.g. http://127.0.0.1:41234 (as api.github.com). */
  apiUrl: string;
  /** Base of html_url links (as https://github.com). */
  htmlUrl: string;
  owner: string;
  repo: string;
  repoId: number;
  defaultBranch: string;
}

type Json = Record<string, unknown>;

/** The bot a workflow's GITHUB_TOKEN acts as. */
export const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282 };
const CREATED = '2020-01-01T00:00:00Z';

/** ISO 8601 without milliseconds, as GitHub writes timestamps. */
export function isoTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable positive id for a login (FNV-1a), so answers are deterministic. */
export function idOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (hash % 90_000_000) + 10_000_000;
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`0:${id}`).toString('base64url')}`;
}

/** `simple-user`; logins ending in [bot] are Bots, the repository owner an Organization. */
export function userObject(ctx: RepoContext, login: string): Json {
  const id = login === ACTIONS_BOT.login ? ACTIONS_BOT.id : idOf(login);
  const api = `${ctx.apiUrl}/users/${encodeURIComponent(login)}`;
  const type = login.endsWith('[bot]') ? 'Bot' : login === ctx.owner ? 'Organization' : 'User';
  return {
    login,
    id,
    node_id: nodeId(type === 'Bot' ? 'BOT' : 'U', id),
    type,
    site_admin: false,
    user_view_type: 'public',
    avatar_url: `${ctx.apiUrl}/avatars/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${ctx.htmlUrl}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
  };
}

/** `repository` for the served repository (head.repo and base.repo of every pull request). */
export function repositoryObject(ctx: RepoContext, counts: { openIssues: number }): Json {
  const fullName = `${ctx.owner}/${ctx.repo}`;
  const api = `${ctx.apiUrl}/repos/${fullName}`;
  const html = `${ctx.htmlUrl}/${fullName}`;
  const host = new URL(ctx.htmlUrl).host;
  return {
    id: ctx.repoId,
    node_id: nodeId('R', ctx.repoId),
    name: ctx.repo,
    full_name: fullName,
    owner: userObject(ctx, ctx.owner),
    private: true,
    visibility: 'private',
    html_url: html,
    description: null,
    fork: false,
    url: api,
    homepage: null,
    language: 'TypeScript',
    license: null,
    default_branch: ctx.defaultBranch,
    size: 0,
    topics: [],
    is_template: false,
    mirror_url: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: counts.openIssues,
    open_issues_count: counts.openIssues,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    allow_forking: false,
    web_commit_signoff_required: false,
    pushed_at: CREATED,
    created_at: CREATED,
    updated_at: CREATED,
    clone_url: `${html}.git`,
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    svn_url: html,
    ...repositoryUrls(api),
  };
}

function repositoryUrls(api: string): Json {
  const plain = [
    'contributors',
    'deployments',
    'downloads',
    'events',
    'forks',
    'hooks',
    'languages',
    'merges',
    'stargazers',
    'subscribers',
    'subscription',
    'tags',
    'teams',
  ];
  const templated: Record<string, string> = {
    archive: '{archive_format}{/ref}',
    assignees: '{/user}',
    blobs: '{/sha}',
    branches: '{/branch}',
    collaborators: '{/collaborator}',
    comments: '{/number}',
    commits: '{/sha}',
    compare: '{base}...{head}',
    contents: '{+path}',
    git_commits: '{/sha}',
    git_refs: '{/sha}',
    git_tags: '{/sha}',
    issue_comment: '{/number}',
    issue_events: '{/number}',
    issues: '{/number}',
    keys: '{/key_id}',
    labels: '{/name}',
    milestones: '{/number}',
    notifications: '{?since,all,participating}',
    pulls: '{/number}',
    releases: '{/id}',
    statuses: '/{sha}',
    trees: '{/sha}',
  };
  const path = (name: string) =>
    name
      .replace(/^git_/, 'git/')
      .replace(/^issue_comment$/, 'issues/comments')
      .replace(/^issue_events$/, 'issues/events');
  return {
    ...Object.fromEntries(plain.map((name) => [`${name}_url`, `${api}/${name}`])),
    ...Object.fromEntries(Object.entries(templated).map(([name, tpl]) => [`${name}_url`, `${api}/${path(name)}${tpl}`])),
  };
}

/** `label`. The description is '' rather than null: `pull-request-simple` declares it non-nullable. */
export function labelObject(ctx: RepoContext, label: LabelRecord): Json {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${ctx.apiUrl}/repos/${ctx.owner}/${ctx.repo}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** `team` (a superset of `team-simple`) for a team of the owning organization. */
export function teamObject(ctx: RepoContext, slug: string): Json {
  const id = idOf(`team:${slug}`);
  const api = `${ctx.apiUrl}/organizations/${idOf(ctx.owner)}/team/${id}`;
  return {
    id,
    node_id: nodeId('T', id),
    url: api,
    html_url: `${ctx.htmlUrl}/orgs/${ctx.owner}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    type: 'organization',
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    parent: null,
  };
}
