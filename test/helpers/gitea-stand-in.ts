import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchTemplate, stopServer } from './http-routes.ts';

/** An issue the stand-in lists, e.g. a Dependency Dashboard with some boxes ticked. */
export interface StandInIssue {
  title: string;
  body: string;
}

export interface GiteaStandInOptions {
  /** `owner/name` of the one repository served. */
  repository: string;
  /** What the repository's `ssh_url` says: Renovate clones it as is with `--git-url=ssh` (a bare repository's path works). */
  cloneUrl: string;
  defaultBranch?: string;
  /** Open issues; there are never pull requests, labels or commit statuses (a branch has no status checks). */
  issues?: StandInIssue[];
}

/** The read side of the Gitea API a Renovate dry run needs, for one repository, on 127.0.0.1. */
export interface GiteaStandIn {
  /** The `--endpoint` to give Renovate. */
  endpoint: string;
  /** Requests no route answered (method and path): a new Renovate asking for more shows up here. */
  unanswered: string[];
  stop(): Promise<void>;
}

/** The user the token belongs to: Renovate commits as `full_name <email>`, and treats a branch of other authors as modified. */
export const STAND_IN_BOT = { id: 1, login: 'renovate-bot', full_name: 'Renovate Bot', email: 'renovate-bot@example.com' };

/** Starts the stand-in; only GET is answered, as a dry run writes nothing. */
export async function startGiteaStandIn(options: GiteaStandInOptions): Promise<GiteaStandIn> {
  const [owner = '', name = ''] = options.repository.split('/');
  const issues = (options.issues ?? []).map((issue, i) => ({ number: i + 1, state: 'open', labels: [], assignees: [], ...issue }));
  const repo = {
    id: 1,
    full_name: options.repository,
    owner: { ...STAND_IN_BOT, id: 2, login: owner },
    default_branch: options.defaultBranch ?? 'main',
    ssh_url: options.cloneUrl,
    permissions: { admin: false, pull: true, push: true },
    has_issues: true,
    has_pull_requests: true,
    allow_merge_commits: true,
    allow_squash_merge: true,
  };
  const routes: Record<string, unknown> = {
    '/api/v1/user': STAND_IN_BOT,
    '/api/v1/version': { version: '1.24.0' },
    [`/api/v1/repos/${owner}/${name}`]: repo,
    [`/api/v1/repos/${owner}/${name}/pulls`]: [],
    [`/api/v1/repos/${owner}/${name}/issues`]: issues,
    [`/api/v1/repos/${owner}/${name}/labels`]: [],
  };
  const answer = (path: string): unknown => {
    if (path in routes) return routes[path];
    if (matchTemplate(`/api/v1/repos/${owner}/${name}/commits/{ref}/statuses`, path)) return [];
    const issue = matchTemplate(`/api/v1/repos/${owner}/${name}/issues/{number}`, path);
    return issue && issues.find((i) => String(i.number) === issue.number);
  };
  const unanswered: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = req.method === 'GET' ? answer(path) : undefined;
    if (body === undefined) {
      unanswered.push(`${req.method} ${path}`);
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not found"}');
    } else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, unanswered, stop: () => stopServer(server) };
}
